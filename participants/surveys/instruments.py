"""Survey instruments: the questions, how they are checked, paged, stored and read back.

Instruments are data (`SurveyInstrument.questions`), a list of questions, each a dict:

- `key`: stable across versions (the monthly return reads `overall_satisfaction`);
- `text`, `help`: the wording and the hint under it;
- `type`: `scale` (whole numbers `min`..`max`, `labels` naming some or all points),
  `choice` (one of `choices`, worded by `labels`), `multi_choice` (a list of `choices`),
  `yes_no` (true or false), `number` (a whole number, 0 or more), `money` (pounds and
  pence, 0 or more, stored as a string such as "450000.00": never a float), `text`;
- `required` (default true), `section` (the questions of one section share a page),
  `matched` (asked at baseline and again at exit: distance travelled), `equality`
  (equality monitoring: stored in `EqualityData`, never in the answers, and only ever
  shown aggregated).

A published instrument is never edited: `survey_instrument_publish`
(`participants.surveys.services`) makes the next version and retires the last; each
response keeps the instrument it was answered on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from participants.models import SurveyInstrument

QUESTION_TYPES = ("scale", "choice", "multi_choice", "yes_no", "number", "money", "text")
NUMERIC_TYPES = ("scale", "number", "money")
TEXT_MAX = 2000
MONEY_MAX = Decimal("999999999999.99")
NUMBER_MAX = 1_000_000


def questions_problems(questions: Any) -> list[str]:
    """What is wrong with a list of questions, if anything (for publishing)."""
    if not isinstance(questions, list) or not questions:
        return ["An instrument needs at least one question."]
    problems, seen = [], set()
    for n, question in enumerate(questions, start=1):
        if not isinstance(question, dict) or not question.get("key") or not question.get("text"):
            problems.append(f"Question {n} needs a key and its wording.")
            continue
        key, kind = question["key"], question.get("type")
        if key in seen:
            problems.append(f'The key "{key}" is used twice.')
        seen.add(key)
        if kind not in QUESTION_TYPES:
            problems.append(f'"{key}" has an unknown type "{kind}".')
        if kind == "scale" and not (
            isinstance(question.get("min"), int)
            and isinstance(question.get("max"), int)
            and question["min"] < question["max"]
        ):
            problems.append(f'"{key}" needs a scale from a lower to a higher whole number.')
        if kind in ("choice", "multi_choice") and not question.get("choices"):
            problems.append(f'"{key}" needs its choices.')
    return problems


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    title: str
    questions: list[dict]


def instrument_pages(instrument: SurveyInstrument) -> list[Page]:
    """The questions in pages: one page per run of questions sharing a `section`."""
    pages: list[Page] = []
    for question in instrument.questions:
        section = question.get("section") or instrument.title
        if pages and pages[-1].title == section:
            pages[-1].questions.append(question)
        else:
            pages.append(Page(number=len(pages) + 1, title=section, questions=[question]))
    return pages


def is_required(question: dict) -> bool:
    return bool(question.get("required", True))


def answer_words(question: dict, value: Any) -> str:
    """An answer as the participant would read it back."""
    if value is None or value == "" or value == []:
        return "Not answered"
    labels = {str(k): v for k, v in (question.get("labels") or {}).items()}
    kind = question["type"]
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "multi_choice":
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if kind == "money":
        amount = Decimal(str(value))
        return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"
    if kind == "scale" and str(value) in labels:
        return f"{value} – {labels[str(value)]}"
    return labels.get(str(value), str(value))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _scale_problem(question: dict, value: Any) -> str | None:
    if not _whole(value):
        return "expected a whole number"
    if not question["min"] <= value <= question["max"]:
        return f"{value} is outside the scale {question['min']} to {question['max']}"
    return None


def _choice_problem(question: dict, value: Any) -> str | None:
    if value in question.get("choices", []):
        return None
    return f'"{value}" is not one of the choices'


def _multi_choice_problem(question: dict, value: Any) -> str | None:
    choices = question.get("choices", [])
    if isinstance(value, list) and all(v in choices for v in value):
        return None
    return "expected some of the choices"


def _yes_no_problem(question: dict, value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected yes or no"


def _number_problem(question: dict, value: Any) -> str | None:
    if _whole(value) and 0 <= value <= NUMBER_MAX:
        return None
    return "expected a whole number, 0 or more"


def _money_problem(question: dict, value: Any) -> str | None:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return "expected an amount of money"
    if not isinstance(value, str) or not Decimal(0) <= amount <= MONEY_MAX:
        return "expected an amount of money, 0 or more"
    return None


def _text_problem(question: dict, value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= TEXT_MAX:
        return None
    return "expected text"


_ANSWER_PROBLEMS = {
    "scale": _scale_problem,
    "choice": _choice_problem,
    "multi_choice": _multi_choice_problem,
    "yes_no": _yes_no_problem,
    "number": _number_problem,
    "money": _money_problem,
    "text": _text_problem,
}


def answer_problem(question: dict, value: Any) -> str | None:
    """Why a stored answer does not fit its question (None when it fits)."""
    problem = _ANSWER_PROBLEMS.get(question["type"])
    return None if problem is None else problem(question, value)


def to_stored(question: dict, value: Any) -> Any:
    """A cleaned form value as JSON keeps it: money as a two-decimal string."""
    if question["type"] == "money" and value is not None:
        return f"{Decimal(value).quantize(Decimal('0.01'))}"
    if question["type"] == "text" and isinstance(value, str):
        return value.strip() or None
    if question["type"] == "multi_choice":
        return list(value) or None
    return value
