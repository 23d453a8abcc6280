"""Forms of the hub's staff pages (GOV.UK style, crispy-forms-gds).

The cohort choices are built from the hub's own cohorts that have no facilitator, so a
cohort of another hub (or one already facilitated) posted by id is simply not a valid
choice (docs/security.md §4); the service checks again."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.db.models import QuerySet

from peernet.forms import GovukErrorsMixin, choice_messages, email_field, form_helper, text_field
from peernet.models import Role
from peernet.staff import HUB_ROLES

NOT_A_COHORT = "Choose cohorts of this hub that have no facilitator"


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


class _ChoosingCohorts(GovukErrorsMixin):
    """A form whose `cohorts` are chosen from those the view gives (the hub's cohorts
    without a facilitator), drawn as `layout` with its `button`."""

    layout: tuple[Any, ...] = ()
    button = ""

    def __init__(self, *args: Any, cohorts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = cohorts  # type: ignore[attr-defined]
        self.helper = form_helper(*self.layout, button=self.button)


class StaffInviteForm(_ChoosingCohorts, forms.Form):
    """Who to invite, and as what."""

    name = text_field("Full name", "their name", ask="their full name", max_length=160)
    email = email_field(
        "their email address",
        hint="The invitation is sent here. If they already have an account with this "
        "address, the role is added to it.",
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, role.label) for role in HUB_ROLES],
        widget=forms.RadioSelect,
        error_messages=choice_messages("Choose the role they will have"),
    )
    cohorts = _cohorts_field(
        "Cohorts they will facilitate",
        "For a facilitator only. Cohorts that already have a facilitator are not listed.",
        required=False,
    )

    layout = (
        Field.text("name", field_width="two-thirds"),
        Field.text("email", field_width="two-thirds"),
        Field.radios("role", legend_size=Size.MEDIUM),
        Field.checkboxes("cohorts", legend_size=Size.SMALL, small=True),
    )
    button = "Send the invitation"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("cohorts") and data.get("role") not in (None, Role.FACILITATOR):
            self.add_error("cohorts", "Choose cohorts only for a facilitator")
        return data


class CohortAssignForm(_ChoosingCohorts, forms.Form):
    """Another cohort for a facilitator of the hub."""

    cohorts = _cohorts_field(
        "Cohorts to facilitate",
        "Cohorts that already have a facilitator are not listed.",
        required=True,
    )

    layout = (Field.checkboxes("cohorts", legend_size=Size.MEDIUM, small=True),)
    button = "Assign the cohorts"
