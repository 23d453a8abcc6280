"""Forms of the hub's staff pages (GOV.UK style, crispy-forms-gds).

The cohort choices are built from the hub's own cohorts that have no facilitator, so a
cohort of another hub (or one already facilitated) posted by id is simply not a valid
choice (SECURITY.md 4); the service checks again."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.db.models import QuerySet

from peernet.account_forms import email_input
from peernet.models import Role
from peernet.staff import HUB_ROLES

NOT_A_COHORT = "Choose cohorts of this hub that have no facilitator"


class _ErrorLinks:
    """The GOV.UK error summary's links: each error to its field's first input (radios
    and checkboxes start at `_1` in the GOV.UK pack)."""

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for name, errors in self.errors.items():  # type: ignore[attr-defined]
            widget = getattr(self.fields.get(name), "widget", None)  # type: ignore[attr-defined]
            anchor = f"id_{name}_1" if isinstance(widget, forms.RadioSelect) else f"id_{name}"
            links.extend((anchor, str(error)) for error in errors)
        return links


def _cohorts_field(label: str, help_text: str, *, required: bool) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        help_text=help_text,
        queryset=None,  # set per hub
        required=required,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose a cohort for them to facilitate",
            "invalid_choice": NOT_A_COHORT,
            "invalid_pk_value": NOT_A_COHORT,
            "invalid_list": NOT_A_COHORT,
        },
    )


class StaffInviteForm(_ErrorLinks, forms.Form):
    """Who to invite, and as what."""

    name = forms.CharField(
        label="Full name",
        max_length=160,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Their name must be 160 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation is sent here. If they already have an account with this "
        "address, the role is added to it.",
        max_length=254,
        widget=email_input(),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, role.label) for role in HUB_ROLES],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the role they will have",
            "invalid_choice": "Choose the role they will have",
        },
    )
    cohorts = _cohorts_field(
        "Cohorts they will facilitate",
        "For a facilitator only. Cohorts that already have a facilitator are not listed.",
        required=False,
    )

    def __init__(self, *args: Any, cohorts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = cohorts
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("name", field_width="two-thirds"),
            Field.text("email", field_width="two-thirds"),
            Field.radios("role", legend_size=Size.MEDIUM),
            Field.checkboxes("cohorts", legend_size=Size.SMALL, small=True),
            Submit("submit", "Send the invitation"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("cohorts") and data.get("role") not in (None, Role.FACILITATOR):
            self.add_error("cohorts", "Choose cohorts only for a facilitator")
        return data


class CohortAssignForm(_ErrorLinks, forms.Form):
    """Another cohort for a facilitator of the hub."""

    cohorts = _cohorts_field(
        "Cohorts to facilitate",
        "Cohorts that already have a facilitator are not listed.",
        required=True,
    )

    def __init__(self, *args: Any, cohorts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = cohorts
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.checkboxes("cohorts", legend_size=Size.MEDIUM, small=True),
            Submit("submit", "Assign the cohorts"),
        )
