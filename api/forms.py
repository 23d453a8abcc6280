"""The form of the account page's API tokens (docs/api.md "Authentication")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from participants.forms import GovDateField
from peernet.forms import GovukErrorsMixin, form_helper, text_field


class ApiTokenForm(GovukErrorsMixin, forms.Form):
    name = text_field(
        "Name",
        "a name for the token",
        max_length=80,
        hint="What it is for, so you know which to revoke: for example, Power BI monthly pull",
    )
    expires_on = GovDateField(
        what="the last day it works",
        past=False,
        required=False,
        label="Last day it works (optional)",
        help_text="For example, 31 3 2022. Leave it empty for one that works until revoked.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "name", "expires_on", button="Make a token", form=self, page_csrf=True
        )

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("The last day it works must be today or in the future")
        return value
