"""The forms after the programme: a member's choice of what to share, the host's meeting,
a member's answer, the hub's host and business support, and a participant's interest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from alumni.models import ReferralStatus
from peernet.calendar import LONDON
from peernet.forms import (
    GovukErrorsMixin,
    RealDateField,
    choice_messages,
    form_helper,
    radios,
    text_field,
)

# The times a meeting may start, every half hour of a working day and evening.
MEETING_TIMES = [f"{h:02d}:{m:02d}" for h in range(7, 22) for m in (0, 30)]


def meeting_day_field(what: str) -> RealDateField:
    """The date of a meeting or an event: GOV.UK's date input, whose messages name `what`,
    answering a day the calendar lacks with a message too."""
    field = RealDateField(label="Date", help_text="For example, 14 3 2027")
    field.not_real = (forms.ValidationError, OverflowError)  # type: ignore[misc]
    field.error_messages.update(
        {
            "required": f"Enter the date of {what}",
            "incomplete": f"Enter the date of {what}",
            "invalid": f"Enter the date of {what} as a real date",
        }
    )
    return field


def start_time_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Start time",
        choices=[("", "Choose a time"), *[(t, t) for t in MEETING_TIMES]],
        error_messages=choice_messages("Choose the start time"),
    )


def day_and_time(cleaned: dict[str, Any]) -> dt.datetime:
    """The London moment a form's `day` and `time` name."""
    hours, minutes = cleaned["time"].split(":")
    return dt.datetime.combine(cleaned["day"], dt.time(int(hours), int(minutes)), tzinfo=LONDON)


class ShareForm(GovukErrorsMixin, forms.Form):
    """Opting in: what the other members may see, and the consent that lets them."""

    share_email = forms.BooleanField(label="My email address", required=False)
    share_phone = forms.BooleanField(label="My phone number", required=False)
    share_business = forms.BooleanField(label="My business's name", required=False)
    consent = forms.BooleanField(
        label="I agree that the members of the group who have opted in may see what I "
        "have ticked above, until I withdraw",
        error_messages={"required": "Tick the box to agree, or close this page to stay out"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.checkbox("share_email"),
            Field.checkbox("share_phone"),
            Field.checkbox("share_business"),
            Field.checkbox("consent"),
            button="Save and join the group",
            button_id="save-sharing",
        )


class MeetingForm(GovukErrorsMixin, forms.Form):
    """The host's meeting: when, where, about what."""

    day = meeting_day_field("the meeting")
    time = start_time_field()
    place = text_field(
        "Where", "where the group meets", hint="A place, or the video call's link", max_length=300
    )
    topic = text_field("Topic (optional)", "the topic", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("day"),
            Field("time"),
            Field.text("place"),
            Field.text("topic"),
            button="Schedule the meeting",
            button_id="schedule-meeting",
        )

    def starts_at(self) -> dt.datetime:
        return day_and_time(self.cleaned_data)


class ReplyForm(forms.Form):
    """A member's answer to one meeting (yes or no), from its buttons."""

    meeting = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages=choice_messages("Choose yes or no"),
    )


class HostForm(GovukErrorsMixin, forms.Form):
    member = forms.ChoiceField(
        label="Host",
        help_text="The host schedules the group's meetings through their own link.",
        error_messages=choice_messages("Choose a member who has opted in"),
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Choose a member"), *members]
        self.helper = form_helper(Field("member"), button="Make them the host")


class SchemeForm(GovukErrorsMixin, forms.Form):
    """A local scheme the hub adds beside the national ones."""

    title = text_field("Name of the scheme", "the name of the scheme", max_length=120)
    blurb = text_field(
        "What it offers",
        "what the scheme offers",
        max_length=400,
        rows=3,
        hint="One or two sentences a participant reads when choosing",
    )
    url = forms.URLField(
        label="Web address",
        assume_scheme="https",
        max_length=200,
        error_messages={
            "required": "Enter the scheme's web address",
            "invalid": "Enter a web address, like https://www.example.org/support",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("title"), Field.textarea("blurb"), Field.text("url"), button="Add the scheme"
        )


class InterestForm(GovukErrorsMixin, forms.Form):
    """The schemes a participant would like to hear more about."""

    schemes = forms.MultipleChoiceField(
        label="Which would you like us to introduce you to?",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the support you are interested in",
            "invalid_choice": "Select the support you are interested in",
        },
    )

    def __init__(self, *args: Any, schemes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schemes"].choices = schemes
        self.helper = form_helper(
            Field.checkboxes("schemes", legend_size=Size.MEDIUM), button="Ask for an introduction"
        )


class ReferralStatusForm(GovukErrorsMixin, forms.Form):
    status = radios(
        "Where is this referral now?",
        ReferralStatus.choices,
        choice_messages("Choose where the referral is now"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.radios("status", legend_size=Size.MEDIUM), button="Save")
