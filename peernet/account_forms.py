"""Forms of the account pages: the second factor and changing the password
(SECURITY.md 11, 13)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm


def _normalise(code: str) -> str:
    # People type codes with spaces or dashes, as apps and printouts group the digits.
    return "".join(code.split()).replace("-", "").lower()


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        max_length=32,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def clean_code(self) -> str:
        return _normalise(self.cleaned_data["code"])


class SetUpForm(forms.Form):
    """The first code from a newly added authenticator app, proving it was set up."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="Enter the 6-digit code your app shows for Peer Networks.",
        max_length=32,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the code as 6 digits",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = _normalise(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Enter the code as 6 digits")
        return code


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (the password rules of SECURITY.md 13) in plain English."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not correct",
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].label = "New password"
        self.fields[
            "new_password1"
        ].help_text = "At least 12 characters. A few unrelated words make a strong password."
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
