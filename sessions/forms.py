"""Forms for delivery pages: complaints and compliments (Q5).

Each form lists its fields, speaks plain English in its errors, and leaves the decision
to the service (sessions.services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Fixed, Layout, Size, Submit
from django import forms
from django.utils.html import escape

from peernet.words import hours_words
from sessions.models import ComplaintKind, FollowUpMethod, Topic
from sessions.services import AttendanceRow, Presence


class GovukErrorsMixin:
    """The GOV.UK error summary's links: each error to its field's first input (radios
    start at `_1`, date inputs at the day box `_0`)."""

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for name, errors in self.errors.items():  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if isinstance(field, DateInputField):
                anchor = f"id_{name}_0"
            elif isinstance(getattr(field, "widget", None), forms.RadioSelect):
                anchor = f"id_{name}_1"
            else:
                anchor = f"id_{name}"
            links.extend((anchor, str(error)) for error in errors)
        return links


class _DateInputField(DateInputField):
    """The pack's date input; a number too big for a date (a 20-digit year) is an
    invalid date, not a server error (SECURITY.md 19)."""

    def compress(self, data_list: Any) -> dt.date | None:
        try:
            return super().compress(data_list)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


def _date_field(label: str, what: str, *, required: bool) -> DateInputField:
    field = _DateInputField(label=label, required=required, require_all_fields=False)
    field.error_messages.update(
        {
            "required": f"Enter the date {what}",
            "incomplete": f"Enter the date {what} as a day, month and year",
            "invalid": f"The date {what} must be a real date",
        }
    )
    return field


class ComplaintForm(GovukErrorsMixin, forms.Form):
    """Record what was received, when and from whom."""

    kind = forms.ChoiceField(
        label="Is it a complaint or a compliment?",
        choices=ComplaintKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is a complaint or a compliment"},
    )
    received = _date_field("Date received", "it was received", required=True)
    received_from = forms.CharField(
        label="Who was it from?",
        help_text="For example, a participant's name, a facilitator or a business.",
        max_length=200,
        error_messages={
            "required": "Enter who it was from",
            "max_length": "Who it was from must be 200 characters or fewer",
        },
    )
    summary = forms.CharField(
        label="What did they say?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Enter what they said",
            "max_length": "What they said must be 5,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field("received"),
            Field.text("received_from"),
            Field.textarea("summary"),
            Submit("submit", "Save"),
        )

    def clean_received(self) -> dt.date:
        received = self.cleaned_data["received"]
        if received > self.today:
            raise forms.ValidationError("The date it was received must be today or in the past")
        return received


class ComplaintCloseForm(GovukErrorsMixin, forms.Form):
    """The action taken and, to close it, the date it was closed."""

    action_taken = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        error_messages={"max_length": "The action taken must be 5,000 characters or fewer"},
    )
    closed = _date_field("Date closed", "it was closed", required=False)

    def __init__(self, *args: Any, complaint: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint, self.today = complaint, today
        self.fields["closed"].help_text = "Leave blank to keep it open. For example, 27 3 2022."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.textarea("action_taken"), Field("closed"), Submit("submit", "Save")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        closed = data.get("closed")
        if closed is None:
            return data
        if (
            self.complaint.kind == ComplaintKind.COMPLAINT
            and not (data.get("action_taken") or "").strip()
            and "action_taken" not in self.errors
        ):
            self.add_error("action_taken", "Enter the action taken before closing the complaint")
        if closed < self.complaint.received:
            self.add_error("closed", "The date it was closed must be on or after the date received")
        elif closed > self.today:
            self.add_error("closed", "The date it was closed must be today or in the past")
        return data


# --- the facilitator's pages: the attendance register (K8) and notes (K9) --------------


class AttendanceForm(GovukErrorsMixin, forms.Form):
    """The register: for each member expected, present or absent (with or without
    apologies) and the hours attended. One select and one box per person, so it is quick
    on a phone and each error links to its own control.

    The posted `participant` codes must be exactly the members listed (SECURITY.md 4):
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
            existing = recorded.get(participant.pk)
            if existing is None:
                presence, hours = Presence.PRESENT, session_hours
            elif existing.present:
                presence, hours = Presence.PRESENT, existing.hours
            else:
                presence = Presence.APOLOGIES if existing.apologies else Presence.ABSENT
                hours = Decimal(0)
            status_name, hours_name = f"presence-{code}", f"hours-{code}"
            self.fields[status_name] = forms.ChoiceField(
                label="Attendance",
                choices=Presence.choices,
                initial=presence,
                error_messages={
                    "required": f"Choose whether {name} was present or absent",
                    "invalid_choice": f"Choose whether {name} was present or absent",
                },
            )
            self.fields[hours_name] = forms.CharField(
                label="Hours attended",
                help_text=f"Up to {hours_words(session_hours)} hours. 0 when absent.",
                required=False,
                initial=hours_words(hours),
                max_length=6,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
                ),
            )
            self.rows.append((participant, status_name, hours_name))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form tag has it
        self.helper.layout = Layout(
            *[
                Fieldset(
                    Field.select(status_name),
                    Field.text(hours_name, field_width=Fixed.FIVE),
                    # The pack prints legends unescaped: escape the name (SECURITY.md 16).
                    legend=escape(participant.full_name),
                    legend_size=Size.MEDIUM,
                )
                for participant, status_name, hours_name in self.rows
            ],
            Submit("submit", "Save attendance"),
        )

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


def _topic_label(topic: Topic) -> str:
    return f"{topic.parent.name}: {topic.name}" if topic.parent_id else topic.name


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return _topic_label(obj)


_NOTE_LIMIT = 10_000


def _note_field(label: str, hint: str, what: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=_NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"{what} must be 10,000 characters or fewer"},
    )


class FacilitatorNotesForm(GovukErrorsMixin, forms.Form):
    """The Playbook's Facilitator Notes template, and the hot topics tagged from the
    BEIS core topic list."""

    issues_brought = _note_field(
        "Issues brought", "The problems or opportunities each presenter brought.", "Issues brought"
    )
    actions_agreed = _note_field(
        "Actions agreed", "The actions each presenter agreed.", "Actions agreed"
    )
    process_issues = _note_field(
        "Process issues", "How the set worked; anything to do differently.", "Process issues"
    )
    hot_topics = _note_field("Hot topics", "Themes that came up, in your words.", "Hot topics")
    topics = TopicChoiceField(
        label="The session's topics",
        help_text=(
            "Select every BEIS core topic, or finer topic, the session covered or that came "
            "up as a hot topic. They are counted in the hub's monthly return."
        ),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose topics from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each core topic followed by its finer topics.
        topics = list(Topic.objects.select_related("parent"))
        by_parent: dict[int | None, list[Topic]] = {}
        for topic in topics:
            by_parent.setdefault(topic.parent_id, []).append(topic)
        ordered = []
        for core in by_parent.get(None, []):
            ordered.append(core)
            ordered.extend(by_parent.get(core.pk, []))
        field = self.fields["topics"]
        field.queryset = Topic.objects.all()
        field.choices = [(t.pk, _topic_label(t)) for t in ordered]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form tag has it
        self.helper.layout = Layout(
            Field.textarea("issues_brought"),
            Field.textarea("actions_agreed"),
            Field.textarea("process_issues"),
            Field.textarea("hot_topics"),
            Field.checkboxes("topics", legend_size=Size.MEDIUM, small=True),
            Submit("submit", "Save the notes"),
        )


class DisengagedForm(GovukErrorsMixin, forms.Form):
    """K13: report a member as disengaged to the hub."""

    note = forms.CharField(
        label="What do you know about why they have disengaged?",
        help_text="For example, how you tried to contact them and what they said.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter what you know about why they have disengaged",
            "max_length": "What you know must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.textarea("note"),
            Submit("submit", "Report as disengaged", css_id="submit-disengaged"),
        )


class FollowUpForm(GovukErrorsMixin, forms.Form):
    """K13: an absence followed up: when, how, and what came of it."""

    followed_up_on = _date_field("Date you followed it up", "you followed it up", required=True)
    method = forms.ChoiceField(
        label="How did you follow it up?",
        choices=FollowUpMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you followed it up",
            "invalid_choice": "Choose how you followed it up",
        },
    )
    outcome = forms.CharField(
        label="What came of it?",
        help_text="For example, what they said and whether they will come to the next session.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter what came of the follow-up",
            "max_length": "What came of it must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("followed_up_on"),
            Field.radios("method", legend_size=Size.SMALL),
            Field.textarea("outcome"),
            Submit("submit", "Record the follow-up"),
        )

    def clean_followed_up_on(self) -> dt.date:
        on = self.cleaned_data["followed_up_on"]
        if on > self.today:
            raise forms.ValidationError("The date you followed it up must be today or in the past")
        return on


class DropoutForm(GovukErrorsMixin, forms.Form):
    """Record a drop-out: the date and the reason."""

    on = _date_field("Date they dropped out", "they dropped out", required=True)
    reason = forms.CharField(
        label="Why did they drop out?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why they dropped out",
            "max_length": "Why they dropped out must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, today: dt.date, registered: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.registered = registered
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("on"),
            Field.textarea("reason"),
            Submit("submit", "Record the drop-out", css_id="submit-dropout"),
        )

    def clean_on(self) -> dt.date:
        on = self.cleaned_data["on"]
        if on > self.today:
            raise forms.ValidationError("The date they dropped out must be today or in the past")
        if on < self.registered:
            raise forms.ValidationError(
                "The date they dropped out must be on or after they registered "
                f"({self.registered.day} {self.registered:%B %Y})"
            )
        return on
