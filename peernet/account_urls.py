"""Signing in with a second factor, enrolment and recovery codes, /account/... (namespace
`account`)."""

urlpatterns: list = []
