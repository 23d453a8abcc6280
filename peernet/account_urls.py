"""Signing in with a second factor, enrolment and recovery codes, /account/... (namespace
`account`)."""

from django.urls import path

from peernet import account_views

urlpatterns: list = [
    path("two-factor/", account_views.two_factor, name="two-factor"),
    path("two-factor/set-up/", account_views.two_factor_set_up, name="two-factor-set-up"),
    path("password/", account_views.password_change, name="password-change"),
]
