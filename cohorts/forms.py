"""Forms of the cohort builder and the schedule planner (GOV.UK style, crispy-forms-gds).

Choices are built from the hub's own records, so an id from another hub is simply not a
valid choice (docs/security.md §4).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.core.validators import RegexValidator

from cohorts.models import SessionMode
from cohorts.selectors import STATE_CONDITIONS
from peernet.forms import RealDateField, choice_messages, form_helper, text_field
from peernet.lists import ListFilterForm, choice_filter, search_field

_NUMERIC = {"inputmode": "decimal", "class": "govuk-input--width-4"}
_TIME = RegexValidator(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "Enter a start time like 09:30")


class _DateField(RealDateField):
    """The pack's date input, with a plain-English message for a date that does not
    exist (the pack passes on Python's "month must be in 1..12")."""

    not_real = (forms.ValidationError, OverflowError)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.error_messages["invalid"] = f"Enter the {str(self.label).lower()} as a real date"


def _date_field(label: str, help_text: str = "") -> _DateField:
    field = _DateField(label=label, help_text=help_text)
    field.error_messages.update(
        {"required": f"Enter the {label.lower()}", "incomplete": f"Enter the {label.lower()}"}
    )
    return field


def _clean_hours(value: Decimal, label: str, *, most: int) -> Decimal:
    """More than nothing and a sane maximum; the 2–3 hour recommendation is K3's warning,
    not a form error."""
    if value <= 0:
        raise forms.ValidationError(f"{label} must be more than 0 hours")
    if value > most:
        raise forms.ValidationError(f"{label} must be {most} hours or fewer")
    return value


def _clean_date(value: object, label: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise forms.ValidationError(f"Enter the {label.lower()} as a real date")
    return value


class CohortCreateForm(forms.Form):
    name = text_field("Cohort name", "the cohort's name", max_length=120)
    facilitator = forms.ModelChoiceField(
        label="Facilitator",
        queryset=None,  # set per hub
        required=False,
        empty_label="Not chosen yet",
        error_messages={"invalid_choice": "Choose a facilitator of this hub"},
    )

    delivery_partner = forms.ModelChoiceField(
        label="Delivery partner",
        help_text="The organisation that facilitates the cohort, if not the hub itself",
        queryset=None,  # set per hub
        required=False,
        empty_label="The hub itself",
        error_messages={"invalid_choice": "Choose a delivery partner of this hub"},
    )
    planned_start = _DateField(
        label="Planned start", required=False, help_text="For example, 27 3 2022"
    )

    def __init__(
        self, *args: object, facilitators: object, partners: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators
        self.fields["delivery_partner"].queryset = partners
        self.helper = form_helper()


class AllocateForm(forms.Form):
    participant = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages=choice_messages("Choose a participant from the waiting list"),
    )

    def __init__(self, *args: object, codes: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(code, code) for code in codes]


class MoveForm(forms.Form):
    participant = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages=choice_messages("Choose a member of this cohort to move"),
    )
    to_cohort = forms.ChoiceField(
        label="Move to",
        error_messages={
            "required": "Choose the cohort to move them to",
            "invalid_choice": "Choose another cohort of this hub",
        },
    )

    def __init__(
        self,
        *args: object,
        members: list[str],
        cohorts: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(code, code) for code in members]
        self.fields["to_cohort"].choices = [("", "Choose a cohort"), *cohorts]


class _SessionFields(forms.Form):
    """What the planner and a session's edit ask alike: the start time and the place."""

    start_time = forms.CharField(
        label="Start time",
        help_text="In 24-hour time, for example 09:30",
        max_length=5,
        validators=[_TIME],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the start time"},
    )
    location = text_field(
        "Location (optional)",
        "the location",
        required=False,
        hint="The venue or the video link",
        max_length=300,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_start_time(self) -> dt.time:
        hours, minutes = self.cleaned_data["start_time"].split(":")
        return dt.time(int(hours), int(minutes))


def _hours_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs=_NUMERIC),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a number, like 3 or 2.5",
            "max_digits": f"Enter the {label.lower()} as a number, like 3 or 2.5",
            "max_decimal_places": f"Enter the {label.lower()} to at most two decimal places",
        },
    )


class PlanForm(_SessionFields):
    """The planner's inputs. A session length outside 2–3 hours is only K3's warning; a
    length of zero or less is an error."""

    first_day = _date_field("Date of the first session", "For example, 14 12 2021")
    cadence_weeks = forms.IntegerField(
        label="Weeks between sessions",
        help_text="Sessions are recommended fortnightly: 2",
        min_value=1,
        max_value=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter the number of weeks between sessions",
            "invalid": "Enter the number of weeks between sessions as a whole number, like 2",
            "min_value": "Weeks between sessions must be 1 or more",
            "max_value": "Weeks between sessions must be 8 or fewer",
        },
    )
    session_hours = _hours_field("Session length in hours")
    total_hours = _hours_field("Total hours", "Including hours already delivered or scheduled")
    field_order = [
        "first_day",
        "start_time",
        "cadence_weeks",
        "session_hours",
        "total_hours",
        "location",
    ]

    def clean_first_day(self) -> dt.date:
        return _clean_date(self.cleaned_data.get("first_day"), "date of the first session")

    def clean_session_hours(self) -> Decimal:
        return _clean_hours(self.cleaned_data["session_hours"], "Session length", most=12)

    def clean_total_hours(self) -> Decimal:
        return _clean_hours(self.cleaned_data["total_hours"], "Total hours", most=100)


class SessionEditForm(_SessionFields):
    day = _date_field("Date")
    hours = _hours_field("Length in hours")
    field_order = ["day", "start_time", "hours", "location"]

    def clean_day(self) -> dt.date:
        return _clean_date(self.cleaned_data.get("day"), "date")

    def clean_hours(self) -> Decimal:
        return _clean_hours(self.cleaned_data["hours"], "Length", most=12)


class JoiningDetailsForm(forms.Form):
    """K7: what every session's joining instructions and calendar invite carry."""

    mode = forms.ChoiceField(
        label="How does the cohort meet?",
        choices=SessionMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the cohort meets"},
    )
    platform = text_field(
        "Place, or video platform",
        "this",
        required=False,
        hint="For example, Salford Innovation Forum, or Microsoft Teams",
        max_length=120,
    )
    link = forms.URLField(
        label="Link to join (online or hybrid)",
        assume_scheme="https",
        required=False,
        max_length=200,
        error_messages={
            "invalid": "Enter the link in full, starting https://",
            "max_length": "The link must be 200 characters or fewer",
        },
    )
    dial_in = text_field(
        "Telephone dial-in (optional)",
        "the dial-in",
        required=False,
        hint="The number and any meeting code, for when the link fails",
    )
    backup_plan = text_field(
        "If something goes wrong: the back-up plan",
        "the back-up plan",
        empty="Say what to do if the session fails",
        hint="What participants do if the session freezes or their connection is poor",
        rows=6,
        max_length=3000,
    )
    contact_name = text_field(
        "Contact for problems on the day",
        "the name",
        empty="Name a contact for problems on the day",
        max_length=160,
    )
    contact_details = text_field(
        "Their phone number or email", "this", ask="the contact's phone number or email"
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("mode", legend_size=Size.SMALL),
            Field.text("platform"),
            Field.text("link"),
            Field.text("dial_in"),
            Field.textarea("backup_plan"),
            Field.text("contact_name"),
            Field.text("contact_details"),
        )


class CohortFilterForm(ListFilterForm):
    """The cohorts list's filter: words of the name, a state (forming, running,
    completed) and a facilitator (`facilitators`: the hub's, as (id, name))
    (peernet.lists)."""

    q = search_field("Cohort name")
    state = choice_filter(
        "State",
        "Select a state from the list",
        [("", "Any state"), *[(s, s) for s in STATE_CONDITIONS]],
    )
    facilitator = choice_filter("Facilitator", "Select a facilitator from the list")

    def __init__(self, *args: Any, facilitators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("facilitator", [("", "Any facilitator"), *facilitators])
