"""The forms of alumni events: the hub's event, whom it invites (by cohort, sector or
topic, of its hub or its cluster's), who came; and a completer's answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from alumni.forms import day_and_time, meeting_day_field, start_time_field
from peernet.forms import GovukErrorsMixin, choice_messages, form_helper, text_field


class EventForm(GovukErrorsMixin, forms.Form):
    topic = text_field("Topic", "the topic", max_length=200)
    speaker = text_field("Expert speaker (optional)", "the speaker", required=False, max_length=200)
    day = meeting_day_field("the event")
    time = start_time_field()
    place = text_field(
        "Where", "where it is held", hint="A place, or the platform's link", max_length=300
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("topic"),
            Field.text("speaker"),
            Field("day"),
            Field("time"),
            Field.text("place"),
            button="Publish the event",
        )

    def starts_at(self) -> dt.datetime:
        return day_and_time(self.cleaned_data)


class InviteForm(GovukErrorsMixin, forms.Form):
    """Whom to invite: those who completed and match every criterion chosen (a completed
    cohort of the hub, the sector of their business, a topic their cohort took up), of
    the hub or of every hub of its cluster."""

    cohort = forms.ChoiceField(
        label="Who completed the cohort",
        required=False,
        error_messages=choice_messages("Choose a completed cohort"),
    )
    sector = forms.ChoiceField(
        label="Whose business is in the sector",
        required=False,
        error_messages=choice_messages("Choose a sector"),
    )
    topic = forms.ChoiceField(
        label="Who took up the topic",
        help_text="In a delivered session of their cohort, present.",
        required=False,
        error_messages=choice_messages("Choose a topic"),
    )
    across_hubs = forms.BooleanField(label="", required=False)

    def __init__(
        self,
        *args: Any,
        cohorts: list[tuple[str, str]],
        sectors: list[tuple[str, str]],
        topics: list[tuple[str, str]],
        cluster: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "Any cohort"), *cohorts]
        self.fields["sector"].choices = [("", "Any sector"), *sectors]
        self.fields["topic"].choices = [("", "Any topic"), *topics]
        self.fields["across_hubs"].label = f"Those of every hub of {cluster} too"
        self.helper = form_helper(
            Field("cohort"),
            Field("sector"),
            Field("topic"),
            Field("across_hubs"),
            button="Send the invitations",
            button_id="send-invitations",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("cohort") or data.get("sector") or data.get("topic")):
            self.add_error("cohort", "Choose a cohort, a sector or a topic to invite")
        return data


class CameForm(GovukErrorsMixin, forms.Form):
    came = forms.MultipleChoiceField(
        label="Who came?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose people invited to this event"},
    )

    def __init__(self, *args: Any, invited: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["came"].choices = invited
        self.helper = form_helper(
            Field.checkboxes("came", legend_size=Size.MEDIUM),
            button="Save who came",
            button_id="save-attendance",
        )
