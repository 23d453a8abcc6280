"""Forms of the account pages: the second factor, changing the password, and setting one
through an emailed link (docs/security.md §11, §13)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.template.loader import render_to_string

from peernet import mail
from peernet.forms import email_field
from peernet.models import EmailKind
from peernet.rate_limits import count_attempt

# "Forgot your password?" emails one address at most this many times an hour, whoever
# asks: the form cannot be used to flood someone's inbox.
RESET_EMAILS_PER_HOUR = 3


def _normalise(code: str) -> str:
    # People type codes with spaces or dashes, as apps and printouts group the digits.
    return "".join(code.split()).replace("-", "").lower()


def _code_field(label: str, help_text: str, *, too_long: str, **attrs: str) -> forms.CharField:
    """A one-time code as typed: room for a recovery code, spaces and dashes included."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=32,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": too_long,
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", **attrs, "spellcheck": "false"}
        ),
    )


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = _code_field(
        "Code",
        "The 6-digit code your authenticator app shows, or one of your recovery codes.",
        too_long="Enter the 6-digit code from your authenticator app",
        autocapitalize="none",
    )

    def clean_code(self) -> str:
        return _normalise(self.cleaned_data["code"])


class SetUpForm(forms.Form):
    """The first code from a newly added authenticator app, proving it was set up."""

    code = _code_field(
        "Code from your authenticator app",
        "Enter the 6-digit code your app shows for Peer Networks.",
        too_long="Enter the code as 6 digits",
        inputmode="numeric",
    )

    def clean_code(self) -> str:
        code = _normalise(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Enter the code as 6 digits")
        return code


def _new_password_fields(form: forms.Form) -> None:
    form.fields["new_password1"].label = "New password"
    form.fields[
        "new_password1"
    ].help_text = "At least 12 characters. A few unrelated words make a strong password."
    form.fields["new_password1"].error_messages["required"] = "Enter a new password"
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password2"].help_text = ""
    form.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (the password rules of docs/security.md §13) in plain English."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not correct",
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        _new_password_fields(self)


class SetPasswordForm(DjangoSetPasswordForm):
    """Django's form for a password set through an emailed link (an invitation or a
    reset): the password rules of docs/security.md §13, in plain English."""

    error_messages = {
        **DjangoSetPasswordForm.error_messages,
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _new_password_fields(self)


class PasswordResetForm(DjangoPasswordResetForm):
    """The "Forgot your password?" form: Django's,, which emails a link only to an active
    account with a password, and says nothing either way (the page after it reads the
    same whether or not the address has an account)."""

    email = email_field("your email address")

    def clean_email(self) -> str:
        # Emails are stored lower-case (peernet.User).
        return self.cleaned_data["email"].strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _reset_email_allowed(self.cleaned_data["email"]):
            super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Sent as every email of the service is (peernet.mail): the service's name as
        the sender, the same words as HTML."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        mail.send(kind=EmailKind.ACCOUNT, subject=subject, body=body, to=[to_email])


def _reset_email_allowed(email: str) -> bool:
    """Count this request against the address's hourly allowance (in the shared cache,
    keyed by a hash: no address is stored there)."""
    key = "password-reset:" + hashlib.sha256(email.encode()).hexdigest()
    count = count_attempt(key, window_seconds=60 * 60)
    return count is None or count <= RESET_EMAILS_PER_HOUR
