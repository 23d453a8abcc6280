"""Forms for delivery pages: complaints and compliments (Q5).

Each form lists its fields, speaks plain English in its errors, and leaves the decision
to the service (sessions.services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from sessions.models import ComplaintKind


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


def _date_field(label: str, what: str, *, required: bool) -> DateInputField:
    field = DateInputField(label=label, required=required, require_all_fields=False)
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
