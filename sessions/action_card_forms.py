"""The facilitator's action cards page: one small form per member (prefixed by the
participant's code) inside one page form, so each error links to its own box."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.core.exceptions import ValidationError

from sessions.action_cards import CardText, split_actions


class ActionCardForm(forms.Form):
    report_back = forms.CharField(
        label="Report back on last session's actions",
        help_text="What worked, what did not, and why.",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )
    problem = forms.CharField(
        label="Problem or opportunity", required=False, max_length=5000, widget=forms.Textarea
    )
    actions = forms.CharField(
        label="Actions agreed", required=False, max_length=5000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, participant: Any, card: Any = None, **kwargs: Any) -> None:
        if card is not None:
            problem, actions = split_actions(card.actions)
            kwargs["initial"] = {
                "problem": problem,
                "actions": actions,
                "report_back": card.report_back,
            }
        super().__init__(*args, prefix=str(participant.code), **kwargs)
        self.participant = participant
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.textarea("report_back", rows=3),
            Field.textarea("problem", rows=3),
            Field.textarea("actions", rows=4),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = (data.get("problem") or "").strip() or (data.get("report_back") or "").strip()
        if filled and not (data.get("actions") or "").strip():
            self.add_error("actions", f"Enter the actions {self.participant.full_name} agreed")
        return data


class ActionCardsForm:
    """The page's forms, one per member; the posted `participant` codes must be exactly
    the members listed (docs/security.md §4): anyone else is refused, not ignored."""

    def __init__(
        self, data: Any, *, members: list[Any], cards: dict[int, Any], previous: dict[int, Any]
    ) -> None:
        self.data = data
        self.blocks = [
            (
                m.participant,
                previous.get(m.participant_id),
                ActionCardForm(data, participant=m.participant, card=cards.get(m.participant_id)),
            )
            for m in members
        ]
        self._non_field: list[str] = []

    def is_valid(self) -> bool:
        if self.data is None:
            return False
        expected = {str(p.code) for p, _, _ in self.blocks}
        posted = self.data.getlist("participant")
        if set(posted) != expected or len(posted) != len(expected):
            self._non_field.append(
                "The list of members has changed since the page was opened, or lists someone "
                "who is not present in this cohort. Reload the page and try again."
            )
        # Every form is validated, so each shows its own errors.
        results = [form.is_valid() for _, _, form in self.blocks]
        return all(results) and not self._non_field

    def add_error(self, field: None, error: ValidationError) -> None:
        """A refusal of the whole page (the service's), as a form's `add_error(None, …)`."""
        self._non_field.extend(error.messages)

    @property
    def errors(self) -> bool:
        return bool(self._non_field) or any(form.errors for _, _, form in self.blocks)

    def non_field_errors(self) -> list[str]:
        return self._non_field

    def error_links(self) -> list[tuple[str, str]]:
        return [
            (f"id_{form.prefix}-{name}", str(error))
            for _, _, form in self.blocks
            for name, errors in form.errors.items()
            for error in errors
        ]

    def cards(self) -> dict[str, CardText]:
        return {
            str(participant.code): CardText(
                form.cleaned_data["problem"],
                form.cleaned_data["actions"],
                form.cleaned_data["report_back"],
            )
            for participant, _, form in self.blocks
        }
