"""Signing in with a second factor, enrolment and recovery codes, and setting a password
through an emailed link (a reset, an invitation), /account/... (namespace `account`).

The emailed links carry a token in their path (`reset/<uidb64>/<token>/`,
`activate/<uidb64>/<token>/`): peernet/logs.py redacts it, so these paths must keep that
shape."""

from django.urls import path

from api import token_views
from peernet import account_views, password_views

urlpatterns: list = [
    path("two-factor/", account_views.two_factor, name="two-factor"),
    path("two-factor/set-up/", account_views.two_factor_set_up, name="two-factor-set-up"),
    path("password/", account_views.password_change, name="password-change"),
    path("api-tokens/", token_views.tokens, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", token_views.token_revoke, name="api-token-revoke"),
    path("password/forgotten/", password_views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/forgotten/sent/",
        password_views.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "activate/<uidb64>/<token>/",
        password_views.ActivateView.as_view(),
        name="activate",
    ),
]
