"""Setting a password through an emailed link, /account/... (namespace `account`):
"Forgot your password?" (Django's four password-reset views) and a new member of staff's
invitation (peernet.staff).

Django's PasswordResetConfirmView checks the token, keeps it in the session and
redirects at once to the same path with `set-password` in its place, so the page the
person types on has no token in its URL (nor in a Referer); peernet/logs.py redacts the
first request's path in every log. Either link works once (the token is made from the
password hash, which setting the password changes) and expires (PASSWORD_RESET_TIMEOUT,
INVITATION_TIMEOUT). Setting a password never verifies a session: signing in still
needs the second factor (docs/security.md §11).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from peernet.account_forms import PasswordResetForm, SetPasswordForm
from peernet.models import User
from peernet.staff import invitation_tokens, lifetime_words, staff_password_set


def _reset_context() -> dict[str, Any]:
    return {
        "service_name": settings.SERVICE_NAME,
        "lifetime": lifetime_words(settings.PASSWORD_RESET_TIMEOUT),
    }


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link by email address; the next page reads the same whether or not
    the address has an account."""

    form_class = PasswordResetForm
    template_name = "account/password_reset.html"
    email_template_name = "account/password_reset_email.txt"
    subject_template_name = "account/password_reset_subject.txt"
    success_url = reverse_lazy("account:password-reset-sent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | _reset_context()

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return _reset_context()


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | _reset_context()


class _SetPasswordByLinkView(auth_views.PasswordResetConfirmView):
    """Django's view, for active accounts only, saving through peernet.staff (which
    records the audit event)."""

    form_class = SetPasswordForm
    invitation = False

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: DjangoSetPasswordForm[User]) -> HttpResponse:
        assert isinstance(form, SetPasswordForm)  # form_class
        user = staff_password_set(form=form, invitation=self.invitation, request=self.request)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        if self.post_reset_login:
            # A session with the password only: the middleware lets it open nothing but
            # the second-factor pages (docs/security.md §11).
            auth_login(self.request, user, self.post_reset_login_backend)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(_SetPasswordByLinkView):
    """The reset link: choose a new password, then sign in (with the second factor)."""

    template_name = "account/password_reset_confirm.html"
    success_url = reverse_lazy("account:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "account/password_reset_complete.html"


class ActivateView(_SetPasswordByLinkView):
    """An invitation's link: choose a password, then straight on to setting up an
    authenticator app (`account:two-factor-set-up`), signed in with the password alone."""

    template_name = "account/activate.html"
    token_generator = invitation_tokens
    invitation = True
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("account:two-factor-set-up")
