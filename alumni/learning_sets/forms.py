"""The forms of the facilitators' action learning sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from alumni.forms import day_and_time, meeting_day_field, start_time_field
from peernet.forms import GovukErrorsMixin, choice_messages, form_helper, text_field, typed_input

NO_PERSONAL_DATA = (
    "Share what you learned about facilitating, never about a participant: no names, "
    "email addresses or anything else that could identify one. Text naming a participant "
    "or holding an email address is refused."
)


class LeadForm(GovukErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="Email address of the member of staff",
        widget=typed_input("email", autocomplete="off"),
        error_messages={
            "required": "Enter the email address of the member of staff",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    cluster = forms.ChoiceField(
        label="Cluster", error_messages=choice_messages("Choose the cluster they will lead")
    )

    def __init__(self, *args: Any, clusters: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].choices = [("", "Choose a cluster"), *clusters]
        self.helper = form_helper(Field.text("email"), Field("cluster"), button="Appoint")


class SetForm(GovukErrorsMixin, forms.Form):
    name = text_field("Name of the set", "the name of the set", max_length=120)
    members = forms.MultipleChoiceField(
        label="Facilitators",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the facilitators in the set",
            "invalid_choice": "Choose facilitators of the cluster's hubs",
        },
    )

    def __init__(self, *args: Any, facilitators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = facilitators
        self.helper = form_helper(
            Field.text("name"),
            Field.checkboxes("members", legend_size=Size.MEDIUM),
            button="Form the set",
        )


class SessionForm(GovukErrorsMixin, forms.Form):
    day = meeting_day_field("the session")
    time = start_time_field()
    joining_instructions = text_field(
        "Joining instructions",
        "the joining instructions",
        hint="Where, or the video call's link, and anything to prepare",
        max_length=2000,
        rows=4,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("day"),
            Field("time"),
            Field.textarea("joining_instructions"),
            button="Schedule the session",
        )

    def starts_at(self) -> dt.datetime:
        return day_and_time(self.cleaned_data)


class RecordForm(GovukErrorsMixin, forms.Form):
    present = forms.MultipleChoiceField(
        label="Who came?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose members of the set"},
    )
    learning_points = text_field(
        "Learning points shared",
        "the learning points",
        required=False,
        hint=NO_PERSONAL_DATA,
        max_length=5000,
        rows=6,
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = members
        self.helper = form_helper(
            Field.checkboxes("present", legend_size=Size.MEDIUM),
            Field.textarea("learning_points"),
            button="Save the session",
        )
