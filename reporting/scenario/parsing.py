"""A scenario document's bytes as JSON: numbers as Decimal (hours and money stay exact),
refusing what plain `json` lets through (a field repeated in one object, one value being
silently dropped; NaN and Infinity). Used by `import_scenario` and the upload pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from reporting.scenario.problems import Problem, ScenarioError


def parse_document(data: bytes, name: str) -> Any:
    """The document, or ScenarioError saying, in a sentence, why it is not JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refused(f"{name} is not UTF-8 text (byte {exc.start + 1}).") from exc
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_repeats,
        )
    except json.JSONDecodeError as exc:
        raise _refused(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except ValueError as exc:
        raise _refused(f"{name} is not valid JSON: {exc}.") from exc


def _refused(message: str) -> ScenarioError:
    return ScenarioError([Problem("", message)])


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f'the field "{key}" appears twice in one object')
        result[key] = value
    return result
