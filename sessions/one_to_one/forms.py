"""Forms for one-to-one support: assignment, referral and refusal (the hub), logging a
session and hours from an existing programme, the outcome of a session, the action plan
and the provider's declaration.

Each form lists its fields, speaks plain English in its errors, and leaves the programme
rules (O2–O4) to the service, whose sentences are shown as errors."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Field, Fixed, Size
from django import forms

from peernet.calendar import LONDON, local_date
from peernet.forms import GovukErrorsMixin, form_helper, radios, text_field
from sessions.forms import TodayMixin, date_field
from sessions.models import OneToOneMode, OneToOneRoute, SessionStatus

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# Quarter hours are exact in the two decimal places hours are stored with (20 minutes
# would be 0.333…, and three such sessions would not add up to a whole hour).
MINUTES = [(str(m), f"{m} minutes") for m in (0, 15, 30, 45)]
_LONG = 5000


def _text(label: str, what: str, *, required: bool = True, hint: str = "", rows: int = 4):
    return text_field(label, what, required=required, hint=hint, max_length=_LONG, rows=rows)


# --- the hub -------------------------------------------------------------------------


class AssignProviderForm(GovukErrorsMixin, forms.Form):
    provider = forms.ChoiceField(
        label="One-to-one provider",
        help_text="A coach, mentor or adviser who provides one-to-one support in this hub.",
        error_messages={
            "required": "Choose a one-to-one provider",
            "invalid_choice": "Choose a one-to-one provider of this hub",
        },
    )

    def __init__(self, *args: Any, providers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.providers = {str(p.pk): p for p in providers}
        self.fields["provider"].choices = [
            ("", "Choose a provider"),
            ("none", "No provider"),
            *((str(p.pk), p.name or p.email) for p in providers),
        ]
        self.helper = form_helper(Field("provider"), button="Assign")

    def clean_provider(self) -> Any:
        value = self.cleaned_data["provider"]
        return None if value == "none" else self.providers[value]


class ReferralForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """O1: which existing local programme, the nature of the support, and the contact."""

    programme_name = text_field(
        "Existing local programme", "the name of the existing local programme"
    )
    nature_of_support = _text(
        "Nature of the support",
        "the nature of the support",
        hint="For example, 3 hours of mentoring on export planning.",
    )
    contact = text_field(
        "Contact at the programme", "the contact", hint="A name and an email address or phone."
    )
    referred_on = date_field("Date of the referral", "of the referral", required=True, past=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("programme_name"),
            Field.textarea("nature_of_support"),
            Field.text("contact"),
            Field("referred_on"),
            button="Record the referral",
        )


class DeclineForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """O8: a refusal, recorded with the date."""

    declined_on = date_field("Date they declined", "they declined", required=True, past=True)
    note = _text("What did they say? (optional)", "what they said", required=False, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("declined_on"), Field.textarea("note"), button="Record that they declined"
        )


# --- a session -----------------------------------------------------------------------


class _DurationMixin:
    """Hours and minutes, to Decimal hours (quarter hours)."""

    def duration(self) -> Decimal | None:
        data = self.cleaned_data  # type: ignore[attr-defined]
        if data.get("duration_hours") is None or data.get("duration_minutes") in (None, ""):
            return None
        return Decimal(data["duration_hours"]) + Decimal(int(data["duration_minutes"])) / 60

    def check_duration(self, message: str) -> None:
        """A session of no length (0 hours and 0 minutes) is not a session."""
        hours = self.duration()
        if hours is not None and hours <= 0:
            self.add_error("duration_hours", message)  # type: ignore[attr-defined]


def _duration_fields() -> tuple[forms.IntegerField, forms.ChoiceField]:
    hours = forms.IntegerField(
        label="How long: hours",
        min_value=0,
        max_value=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter the hours the session lasts, or 0",
            "invalid": "Enter the hours as a whole number, like 1",
            "min_value": "The hours must be 0 or more",
            "max_value": "A one-to-one session lasts 8 hours or fewer",
        },
    )
    minutes = forms.ChoiceField(
        label="and minutes",
        help_text="To the nearest quarter hour.",
        choices=MINUTES,
        initial="0",
        error_messages={
            "required": "Choose the minutes",
            "invalid_choice": "Choose 0, 15, 30 or 45 minutes",
        },
    )
    return hours, minutes


class OneToOneLogForm(_DurationMixin, GovukErrorsMixin, forms.Form):
    """Issue 6 (4): date and time, duration, mode, platform, route, the support given and
    the actions agreed. `hub_entry` is the hub recording existing-programme hours on the
    participant's behalf (issue 6 (5)): delivered, through an existing programme."""

    status = radios(
        "Has the session taken place?",
        [
            (SessionStatus.SCHEDULED, "No, it is booked: send the joining instructions"),
            (SessionStatus.DELIVERED, "Yes, it has taken place"),
        ],
        {"required": "Choose whether the session has taken place"},
    )
    day = date_field("Date", "of the session", required=True)
    start_time = forms.CharField(
        label="Start time",
        help_text="In 24-hour time, for example 14:00",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the start time"},
    )
    duration_hours, duration_minutes = _duration_fields()
    mode = radios("How do you meet?", OneToOneMode.choices, {"required": "Choose how you meet"})
    platform = text_field(
        "Platform (optional)",
        "the platform",
        required=False,
        hint="For a video call, for example Teams or Zoom; for in person, the place.",
        max_length=100,
    )
    route = radios(
        "Who delivers the support?",
        OneToOneRoute.choices,
        {"required": "Choose who delivers the support"},
    )
    existing_programme = text_field(
        "Existing local programme",
        "the name of the existing local programme",
        required=False,
        hint="Only when the support is through an existing local programme.",
    )
    evidence = _text(
        "Evidence of the support (existing programme)",
        "the evidence",
        required=False,
        hint="For example, the programme's confirmation of the hours.",
        rows=3,
    )
    nature_of_support = _text("Support given", "the support given", required=False)
    actions_agreed = _text("Actions agreed", "the actions agreed", required=False)

    def __init__(self, *args: Any, hub_entry: bool = False, now: dt.datetime, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hub_entry, self.now = hub_entry, now
        if hub_entry:
            for name in ("status", "mode", "platform", "route", "actions_agreed"):
                del self.fields[name]
            self.fields["existing_programme"].required = True
            self.fields["existing_programme"].help_text = ""
            self.fields["nature_of_support"].required = True
            self.fields["nature_of_support"].label = "Nature of the support"
            self.fields["evidence"].label = "Evidence of the support"
            self.fields["day"].label = "Date of the support"
            fields: list[Any] = [
                Field.text("existing_programme"),
                Field("day"),
                Field.text("start_time", field_width=Fixed.FIVE),
                Field.text("duration_hours"),
                Field.select("duration_minutes"),
                Field.textarea("nature_of_support"),
                Field.textarea("evidence"),
            ]
            button = "Record the hours"
        else:
            fields = [
                Field.radios("status", legend_size=Size.MEDIUM),
                Field("day"),
                Field.text("start_time", field_width=Fixed.FIVE),
                Field.text("duration_hours"),
                Field.select("duration_minutes"),
                Field.radios("mode", legend_size=Size.SMALL, inline=True),
                Field.text("platform"),
                Field.radios("route", legend_size=Size.SMALL),
                Field.text("existing_programme"),
                Field.textarea("evidence"),
                Field.textarea("nature_of_support"),
                Field.textarea("actions_agreed"),
            ]
            button = "Save the session"
        self.helper = form_helper(*fields, button=button)

    def clean_start_time(self) -> dt.time:
        match = _TIME.match(self.cleaned_data["start_time"].strip())
        if match is None:
            raise forms.ValidationError("Enter the start time in 24-hour time, like 14:00")
        return dt.time(int(match.group(1)), int(match.group(2)))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_duration("Enter how long the session lasts")
        if data.get("day") and isinstance(data.get("start_time"), dt.time):
            data["starts_at"] = dt.datetime.combine(data["day"], data["start_time"], LONDON)
        # The hub records delivered hours from an existing programme (issue 6 (5)).
        route = OneToOneRoute.EXISTING if self.hub_entry else data.get("route")
        status = SessionStatus.DELIVERED if self.hub_entry else data.get("status")
        self._check_existing_programme(route, (data.get("existing_programme") or "").strip())
        self._check_evidence(route, status, (data.get("evidence") or "").strip())
        self._check_when(status, data.get("starts_at"))
        return data

    def _check_existing_programme(self, route: str | None, named: str) -> None:
        if route == OneToOneRoute.EXISTING and not named:
            self.add_error("existing_programme", "Enter the name of the existing programme")
        elif route != OneToOneRoute.EXISTING and named:
            self.add_error(
                "existing_programme",
                "Leave the existing programme blank when the programme delivers the support",
            )

    def _check_evidence(self, route: str | None, status: str | None, evidence: str) -> None:
        # O1: hours through an existing local programme count only with what shows them.
        delivered = status == SessionStatus.DELIVERED
        if route == OneToOneRoute.EXISTING and delivered and not evidence:
            self.add_error("evidence", "Enter the evidence of the support from the programme")

    def _check_when(self, status: str | None, starts_at: dt.datetime | None) -> None:
        if starts_at is None:
            return
        # Delivered hours may be logged for any time today (a provider logs the session
        # just held, or one whose time was agreed loosely): the rule refuses later days.
        if status == SessionStatus.DELIVERED and local_date(starts_at) > local_date(self.now):
            self.add_error("day", "A session that has taken place must be today or in the past")
        if status == SessionStatus.SCHEDULED and starts_at <= self.now:
            self.add_error("day", "A booked session must be in the future")

    def log_values(self) -> dict[str, Any]:
        """The arguments for `one_to_one_log` (besides participant, provider and by)."""
        data = self.cleaned_data
        values = {
            "starts_at": data["starts_at"],
            "hours": self.duration(),
            "existing_programme": data["existing_programme"],
            "evidence": data["evidence"],
            "nature_of_support": data["nature_of_support"],
        }
        if self.hub_entry:
            return {
                **values,
                "status": SessionStatus.DELIVERED,
                "route": OneToOneRoute.EXISTING,
                "entered_by_hub": True,
            }
        return {
            **values,
            "status": data["status"],
            "route": data["route"],
            "mode": data["mode"],
            "platform": data["platform"],
            "actions_agreed": data["actions_agreed"],
            "send_joining_instructions": data["status"] == SessionStatus.SCHEDULED,
        }


class OutcomeForm(_DurationMixin, GovukErrorsMixin, forms.Form):
    """How a session went: delivered or cancelled, how long it lasted, what happened."""

    status = radios(
        "What happened?",
        [
            (SessionStatus.DELIVERED, "It took place"),
            (SessionStatus.CANCELLED, "It was cancelled"),
            (SessionStatus.SCHEDULED, "It is still booked"),
        ],
        {"required": "Choose what happened"},
    )
    duration_hours, duration_minutes = _duration_fields()
    nature_of_support = _text("Support given", "the support given", required=False)
    actions_agreed = _text("Actions agreed", "the actions agreed", required=False)
    evidence = _text(
        "Evidence of the support (existing programme)", "the evidence", required=False, rows=3
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("status", legend_size=Size.MEDIUM),
            Field.text("duration_hours"),
            Field.select("duration_minutes"),
            Field.textarea("nature_of_support"),
            Field.textarea("actions_agreed"),
            Field.textarea("evidence"),
            button="Save",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_duration("Enter how long the session lasted")
        return data


def duration_initial(hours: Decimal) -> dict[str, str]:
    """Hours and quarter-hour minutes for a form's initial values."""
    whole = int(hours)
    minutes = int(((hours - whole) * 60).to_integral_value())
    return {"duration_hours": str(whole), "duration_minutes": str(minutes - minutes % 15)}


# --- the plan and the declaration -------------------------------------------------------


class ActionPlanForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """O6: GROW(TH), written with the participant."""

    goal = _text("Goal", "the goal", hint="What do they want to achieve?")
    reality = _text("Reality", "the reality", required=False, hint="Where are they now?")
    options = _text(
        "Obstacles and options",
        "the obstacles and options",
        required=False,
        hint="What could they do?",
    )
    way_forward = _text(
        "Way forward", "the way forward", required=False, hint="What will they do, and by when?"
    )
    tactics = _text("Tactics", "the tactics", required=False)
    habits = _text("Habits", "the habits", required=False)
    agreed_on = date_field(
        "Date agreed with the participant", "the plan was agreed", required=True, past=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            *(Field.textarea(name) for name in ("goal", "reality", "options")),
            *(Field.textarea(name) for name in ("way_forward", "tactics", "habits")),
            Field("agreed_on"),
            button="Save the action plan",
        )


class DeclarationForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """O7: a conflict of interest, and later private work with the participant."""

    has_conflict = radios(
        "Do you have a conflict of interest in supporting this participant?",
        [("yes", "Yes"), ("no", "No")],
        {"required": "Choose whether you have a conflict of interest"},
    )
    conflict_details = _text(
        "Describe the conflict of interest",
        "the conflict of interest",
        required=False,
        hint="Only if you have one. For example, you supply their business.",
        rows=3,
    )
    declared_on = date_field("Date of the declaration", "of the declaration", required=True)
    private_work_from = date_field(
        "Private work began on (optional)", "private work began", required=False
    )
    private_work_details = _text(
        "About the private work (optional)", "the private work", required=False, rows=3
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "private_work_from"
        ].help_text = "If you go on to work with this participant privately, say from when."
        self.helper = form_helper(
            Field.radios("has_conflict", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("conflict_details"),
            Field("declared_on"),
            Field("private_work_from"),
            Field.textarea("private_work_details"),
            button="Save the declaration",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("has_conflict") == "yes" and not (data.get("conflict_details") or "").strip():
            self.add_error("conflict_details", "Describe the conflict of interest")
        declared, private = data.get("declared_on"), data.get("private_work_from")
        if declared and declared > self.today:
            self.add_error(
                "declared_on", "The date of the declaration must be today or in the past"
            )
        if private and private > self.today:
            self.add_error(
                "private_work_from", "The date private work began must be today or in the past"
            )
        elif private and declared and private < declared:
            self.add_error(
                "private_work_from",
                "The date private work began must be on or after the date of the declaration",
            )
        return data
