"""One page of a survey as a Django form, built from the instrument's questions (the
question types are described in participants/surveys/instruments.py). Each field has a GOV.UK-style
error message naming its question; the template renders GOV.UK radios, checkboxes and
inputs itself so the error summary's links reach the first input of each question."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from participants.surveys.instruments import MONEY_MAX, NUMBER_MAX, TEXT_MAX, is_required
from peernet.forms import YES_NO, choice_messages, number_input, yes_no


class MoneyField(forms.DecimalField):
    """Pounds and pence; a pound sign, commas and spaces are allowed ("£450,000")."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "").replace(" ", "")
        return super().to_python(value)


def _short(question: dict) -> str:
    return question["text"].rstrip("?").rstrip(".")


def _options(question: dict) -> list[tuple[str, str]]:
    labels = {str(k): v for k, v in (question.get("labels") or {}).items()}
    if question["type"] == "scale":
        points = range(question["min"], question["max"] + 1)
        return [(str(p), f"{p} – {labels[str(p)]}" if str(p) in labels else str(p)) for p in points]
    return [(str(c), labels.get(str(c), str(c))) for c in question["choices"]]


def field_for(question: dict) -> forms.Field:
    kind, required, text = question["type"], is_required(question), _short(question)
    common: dict[str, Any] = {"required": required, "label": question["text"]}
    if kind in ("scale", "choice"):
        return forms.TypedChoiceField(
            choices=_options(question),
            coerce=int if kind == "scale" else str,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages=choice_messages(f"Select an answer to ‘{text}’"),
            **common,
        )
    if kind == "multi_choice":
        return forms.MultipleChoiceField(
            choices=_options(question),
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": f"Select at least one answer to ‘{text}’",
                "invalid_choice": f"Choose answers to ‘{text}’ from the list",
            },
            **common,
        )
    if kind == "yes_no":
        return yes_no(message=f"Select yes or no for ‘{text}’", **common)
    if kind == "number":
        return forms.IntegerField(
            min_value=0,
            max_value=NUMBER_MAX,
            widget=number_input(),
            error_messages={
                "required": f"Enter a number for ‘{text}’",
                "invalid": f"Enter a whole number for ‘{text}’, like 12",
                "min_value": f"The number for ‘{text}’ must be 0 or more",
                "max_value": f"The number for ‘{text}’ must be {NUMBER_MAX:,} or fewer",
            },
            **common,
        )
    if kind == "money":
        return MoneyField(
            min_value=Decimal(0),
            max_value=MONEY_MAX,
            max_digits=14,
            decimal_places=2,
            widget=number_input("decimal"),
            error_messages={
                "required": f"Enter an amount for ‘{text}’",
                "invalid": f"Enter an amount in pounds for ‘{text}’, like 450000",
                "min_value": f"The amount for ‘{text}’ must be 0 or more",
                "max_value": f"The amount for ‘{text}’ is too large",
                "max_digits": f"The amount for ‘{text}’ is too large",
                "max_decimal_places": f"Enter the amount for ‘{text}’ in pounds and pence",
                "max_whole_digits": f"The amount for ‘{text}’ is too large",
            },
            **common,
        )
    return forms.CharField(
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter your answer to ‘{text}’",
            "max_length": f"Your answer to ‘{text}’ must be {TEXT_MAX:,} characters or fewer",
        },
        **common,
    )


def initial_for(question: dict, value: Any) -> Any:
    """A stored answer as the form shows it again."""
    if value is None:
        return None
    if question["type"] == "yes_no":
        return "yes" if value else "no"
    if question["type"] == "multi_choice":
        return [str(v) for v in value]
    return str(value)


@dataclass
class Row:
    """What the template needs to draw one question."""

    question: dict
    field: forms.BoundField
    options: list[tuple[str, str, bool]]  # value, label, checked
    value: str
    required: bool


class SurveyPageForm(forms.Form):
    """The questions of one page; `cleaned_data` holds typed answers (None: unanswered)."""

    def __init__(self, *args: Any, questions: list[dict], saved: dict[str, Any], **kwargs: Any):
        initial = {q["key"]: initial_for(q, saved.get(q["key"])) for q in questions}
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question["key"]] = field_for(question)

    def rows(self) -> list[Row]:
        rows = []
        for question in self.questions:
            bound = self[question["key"]]
            value = bound.value()
            chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
            options = []
            if question["type"] in ("scale", "choice", "multi_choice", "yes_no"):
                choices = YES_NO if question["type"] == "yes_no" else _options(question)
                options = [(v, label, v in chosen) for v, label in choices]
            shown = "" if value is None or isinstance(value, list | tuple) else str(value)
            rows.append(
                Row(
                    question=question,
                    field=bound,
                    options=options,
                    value=shown,
                    required=is_required(question),
                )
            )
        return rows
