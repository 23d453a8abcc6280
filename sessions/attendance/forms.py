"""Forms for attendance: the register (K8), and a member's absences followed up,
reported as disengaged (K13) or their drop-out.

Each form lists its fields, speaks plain English in its errors, and leaves the decision
to the service (sessions.attendance.services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from participants.models import DropoutCause
from peernet.forms import GovukErrorsMixin, choice_messages, form_helper, radios, text_field
from peernet.words import hours_words
from sessions.attendance.services import AttendanceRow, Presence
from sessions.forms import TodayMixin, date_field
from sessions.models import FollowUpMethod


class AttendanceForm(GovukErrorsMixin, forms.Form):
    """The register as a table: one row per member expected, present or absent (with or
    without apologies) as radios, and the hours attended. Nothing is answered for
    anyone until the facilitator answers (a register defaulted to everyone present
    records what nobody checked): each row must be answered, and each error links to
    its own row. A row already recorded shows what was recorded.

    The posted `participant` codes must be exactly the members listed (docs/security.md §4):
    anyone else is refused, not ignored."""

    def __init__(
        self,
        *args: Any,
        members: list[Any],
        session_hours: Decimal,
        recorded: dict[int, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        self.session_hours = session_hours
        self.rows: list[tuple[Any, str, str]] = []
        for membership in members:
            participant = membership.participant
            code = str(participant.code)
            name = participant.full_name
            presence, hours = _recorded_answer(recorded.get(participant.pk))
            status_name, hours_name = f"presence-{code}", f"hours-{code}"
            self.fields[status_name] = forms.ChoiceField(
                label=f"Attendance of {name}",
                choices=Presence.choices,
                initial=presence,
                widget=forms.RadioSelect,
                error_messages=choice_messages(f"Choose whether {name} was present or absent"),
            )
            self.fields[hours_name] = forms.CharField(
                label=f"Hours {name} attended",
                required=False,
                initial=hours,
                max_length=6,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
                ),
            )
            self.rows.append((participant, status_name, hours_name))

    def table_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """The register's rows as the page draws them: the member, their attendance
        radios and their hours box."""
        return [
            (participant, self[status_name], self[hours_name])
            for participant, status_name, hours_name in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        expected = {str(m.participant.code) for m in self.members}
        posted = self.data.getlist("participant") if hasattr(self.data, "getlist") else []
        if set(posted) != expected or len(posted) != len(expected):
            raise forms.ValidationError(
                "The register has changed since the page was opened, or lists someone who "
                "is not in this cohort. Reload the page and try again."
            )
        for participant, status_name, hours_name in self.rows:
            name = participant.full_name
            presence = data.get(status_name)
            if presence is None:
                continue
            raw = (data.get(hours_name) or "").strip()
            if presence != Presence.PRESENT:
                # Absent: no hours, whatever the box says.
                data[hours_name] = Decimal(0)
                continue
            if not raw:
                self.add_error(hours_name, f"Enter the hours {name} attended")
                continue
            try:
                hours = Decimal(raw)
            except InvalidOperation:
                hours = None
            if hours is None or not hours.is_finite():
                self.add_error(hours_name, f"The hours {name} attended must be a number, like 2.5")
            elif hours <= 0:
                self.add_error(
                    hours_name,
                    f"The hours {name} attended must be more than 0 when present; "
                    "choose absent if they did not come",
                )
            elif hours > self.session_hours:
                self.add_error(
                    hours_name,
                    f"The hours {name} attended must be {hours_words(self.session_hours)} or "
                    "fewer, the session's length",
                )
            elif hours != hours.quantize(Decimal("0.01")):
                self.add_error(
                    hours_name, f"The hours {name} attended must have at most 2 decimal places"
                )
            else:
                data[hours_name] = hours
        return data

    def attendance_rows(self) -> list[AttendanceRow]:
        return [
            AttendanceRow(
                participant_code=participant.code,
                presence=self.cleaned_data[status_name],
                hours=self.cleaned_data[hours_name],
            )
            for participant, status_name, hours_name in self.rows
        ]


def _recorded_answer(existing: Any) -> tuple[str | None, str | None]:
    """A row's answer as recorded (presence, hours in words), or none at all."""
    if existing is None:
        return None, None
    if existing.present:
        return Presence.PRESENT, hours_words(existing.hours)
    return (Presence.APOLOGIES if existing.apologies else Presence.ABSENT), None


class DisengagedForm(GovukErrorsMixin, forms.Form):
    """K13: report a member as disengaged to the hub."""

    note = text_field(
        "What do you know about why they have disengaged?",
        "what you know",
        ask="what you know about why they have disengaged",
        hint="For example, how you tried to contact them and what they said.",
        max_length=2000,
        rows=4,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea("note"), button="Report as disengaged", button_id="submit-disengaged"
        )


class FollowUpForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """K13: an absence followed up: when, how, and what came of it."""

    followed_up_on = date_field(
        "Date you followed it up", "you followed it up", required=True, past=True
    )
    method = radios(
        "How did you follow it up?",
        FollowUpMethod.choices,
        choice_messages("Choose how you followed it up"),
    )
    outcome = text_field(
        "What came of it?",
        "what came of it",
        ask="what came of the follow-up",
        hint="For example, what they said and whether they will come to the next session.",
        max_length=2000,
        rows=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("followed_up_on"),
            Field.radios("method", legend_size=Size.SMALL),
            Field.textarea("outcome"),
            button="Record the follow-up",
        )


class DropoutForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """Record a drop-out: the date, the kind of reason (a choice, so "outside their
    control" can be counted for next year's local discretion) and the reason in words,
    needed only for another reason. The page asks to confirm before it is recorded."""

    on = date_field("Date they dropped out", "they dropped out", required=True, past=True)
    cause = radios(
        "Why did they drop out?",
        DropoutCause.choices,
        choice_messages("Choose why they dropped out"),
    )
    reason = text_field(
        "More about why (optional unless another reason)",
        "why they dropped out",
        required=False,
        hint="For example, what they told you.",
        max_length=2000,
        rows=3,
    )

    def __init__(self, *args: Any, registered: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registered = registered
        self.helper = form_helper(
            Field("on"),
            Field.radios("cause", legend_size=Size.SMALL),
            Field.textarea("reason"),
            button="Record the drop-out",
            button_id="submit-dropout",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cause") == DropoutCause.OTHER and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why they dropped out")
        return data

    def clean_on(self) -> dt.date:
        on = self.cleaned_data["on"]
        if on < self.registered:
            raise forms.ValidationError(
                "The date they dropped out must be on or after they registered "
                f"({self.registered.day} {self.registered:%B %Y})"
            )
        return on
