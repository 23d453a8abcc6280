"""Forms for delivery pages: complaints and compliments (Q5) and the facilitator notes
(K9); the filters of the complaints and the hub's sessions lists; and the dates every
delivery form asks for (`date_field`, `TodayMixin`), which the attendance and one-to-one
forms use too.

Each form lists its fields, speaks plain English in its errors, and leaves the decision
to the service (sessions.services, sessions.quality)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from peernet.forms import GovukErrorsMixin, RealDateField, form_helper, radios, text_field
from peernet.lists import ListFilterForm, choice_filter, date_filter, search_field
from sessions.models import ComplaintKind, SessionStatus, Topic
from sessions.one_to_one.selectors import NO_PROVIDER
from sessions.selectors import REGISTER_MISSING


class NamedDateField(RealDateField):
    """A date input whose messages name the date asked for. With `past`, a date after
    `today` (which the form is given: the hub's date, from the view) is refused."""

    today: dt.date | None = None

    def __init__(self, *, what: str, past: bool = False, **kwargs: Any) -> None:
        super().__init__(require_all_fields=False, **kwargs)
        self.past = past
        self.error_messages.update(
            {
                "required": f"Enter the date {what}",
                "incomplete": f"Enter the date {what} as a day, month and year",
                "invalid": f"The date {what} must be a real date",
                "future": f"The date {what} must be today or in the past",
            }
        )

    def compress(self, data_list: Any) -> dt.date | None:
        day = super().compress(data_list)
        if self.past and day is not None and self.today is not None and day > self.today:
            raise forms.ValidationError(self.error_messages["future"], code="future")
        return day


def date_field(label: str, what: str, *, required: bool, past: bool = False) -> NamedDateField:
    return NamedDateField(label=label, what=what, past=past, required=required)


class TodayMixin:
    """A form told `today` by its view, which its `past` date fields refuse to pass."""

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, NamedDateField):
                field.today = today


class ComplaintForm(TodayMixin, GovukErrorsMixin, forms.Form):
    """Record what was received, when and from whom."""

    kind = radios(
        "Is it a complaint or a compliment?",
        ComplaintKind.choices,
        {"required": "Choose whether it is a complaint or a compliment"},
    )
    received = date_field("Date received", "it was received", required=True, past=True)
    received_from = text_field(
        "Who was it from?",
        "who it was from",
        hint="For example, a participant's name, a facilitator or a business.",
    )
    summary = text_field("What did they say?", "what they said", max_length=5000, rows=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field("received"),
            Field.text("received_from"),
            Field.textarea("summary"),
            button="Save",
        )


class ComplaintCloseForm(GovukErrorsMixin, forms.Form):
    """The action taken and, to close it, the date it was closed."""

    action_taken = text_field(
        "Action taken", "the action taken", required=False, max_length=5000, rows=5
    )
    closed = date_field("Date closed", "it was closed", required=False)

    def __init__(self, *args: Any, complaint: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint, self.today = complaint, today
        self.fields["closed"].help_text = "Leave blank to keep it open. For example, 27 3 2022."
        self.helper = form_helper(Field.textarea("action_taken"), Field("closed"), button="Save")

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


def _topic_label(topic: Topic) -> str:
    return f"{topic.parent.name}: {topic.name}" if topic.parent_id else topic.name


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return _topic_label(obj)


_NOTE_LIMIT = 10_000


def _note_field(label: str, hint: str, what: str) -> forms.CharField:
    return text_field(label, what, required=False, hint=hint, max_length=_NOTE_LIMIT, rows=5)


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
        self.helper = form_helper(
            Field.textarea("issues_brought"),
            Field.textarea("actions_agreed"),
            Field.textarea("process_issues"),
            Field.textarea("hot_topics"),
            Field.checkboxes("topics", legend_size=Size.MEDIUM, small=True),
            button="Save the notes",
            page_csrf=True,
        )


class ComplaintFilterForm(ListFilterForm):
    """The complaints list's filter: a search of what was said and by whom, the kind and
    whether it is open (peernet.lists)."""

    q = search_field("Search what was said or who from")
    kind = forms.ChoiceField(
        label="Complaint or compliment",
        required=False,
        choices=[("", "Both"), *ComplaintKind.choices],
        error_messages={"invalid_choice": "Select complaints, compliments or both"},
    )
    state = forms.ChoiceField(
        label="Open or closed",
        required=False,
        choices=[("", "Open and closed"), ("open", "Open"), ("closed", "Closed")],
        error_messages={"invalid_choice": "Select open, closed or both"},
    )


class SessionFilterForm(ListFilterForm):
    """The hub's sessions list's filter: a cohort (`cohorts`: the hub's, as (code, name)),
    a status (register missing: delivered with no attendance recorded) and London days
    from and to (peernet.lists)."""

    cohort = choice_filter("Cohort", "Select a cohort from the list")
    status = choice_filter(
        "Status",
        "Select a status from the list",
        [("", "All statuses"), *SessionStatus.choices, (REGISTER_MISSING, "Register missing")],
    )
    date_from = date_filter("From", "from")
    date_to = date_filter("To", "to")

    def __init__(self, *args: Any, cohorts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("cohort", [("", "All cohorts"), *cohorts])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return cleaned


class OneToOneFilterForm(ListFilterForm):
    """The hub's one-to-ones list's filter: a name or business, a provider (`providers`:
    the hub's, as (id, name), and no provider yet), a cohort (`cohorts`, as (code,
    name)) and whether short of the programme's minimum hours (`minimum`, in words: "3.5
    hours") (peernet.lists)."""

    q = search_field("Name or business")
    provider = choice_filter("Provider", "Select a provider from the list")
    cohort = choice_filter("Cohort", "Select a cohort from the list")
    short = choice_filter("Hours", "Select whether short of the minimum hours")

    def __init__(
        self,
        *args: Any,
        providers: list[tuple[str, str]],
        cohorts: list[tuple[str, str]],
        minimum: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer(
            "provider", [("", "All providers"), *providers, (NO_PROVIDER, "No provider yet")]
        )
        self.offer("cohort", [("", "All cohorts"), *cohorts])
        self.offer("short", [("", "Any hours"), ("yes", f"Short of {minimum}")])
