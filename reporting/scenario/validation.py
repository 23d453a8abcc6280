"""Step (a) of an import: the document against the published JSON Schema, every error
reported at its path in a plain sentence."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reporting.scenario.problems import Problem, format_path

TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@cache
def _validator() -> Draft202012Validator:
    from reporting.scenario import SCHEMA

    return Draft202012Validator(SCHEMA)


def schema_problems(document: Any) -> list[Problem]:
    """Every way the document breaks the schema, section by section."""
    errors = list(_validator().iter_errors(document))
    return [_problem(error) for error in errors]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _expected(types: str | list[str]) -> str:
    names = [TYPE_NAMES.get(name, name) for name in ([types] if isinstance(types, str) else types)]
    return " or ".join(names)


def _problem(error: ValidationError) -> Problem:
    path = list(error.path)
    value = error.instance
    keyword = error.validator
    argument: Any = error.validator_value
    message: str
    if keyword == "required":
        # jsonschema reports the object; name the missing field's own path instead.
        missing = error.message.split("'")[1]
        return Problem(format_path([*path, missing]), "is required but missing")
    if keyword == "additionalProperties":
        extras = sorted(set(value) - set(error.schema.get("properties", {})))
        return Problem(
            format_path([*path, extras[0]]) if len(extras) == 1 else format_path(path),
            "unknown field, not part of peernet-scenario/1"
            if len(extras) == 1
            else f"unknown fields {', '.join(extras)}, not part of peernet-scenario/1",
        )
    if keyword == "type":
        message = f"expected {_expected(argument)}, not {_describe(value)}"
    elif keyword == "enum":
        choices = ", ".join("null" if choice is None else str(choice) for choice in argument)
        message = f"{_describe(value)} is not one of: {choices}"
    elif keyword == "const":
        message = f'{_describe(value)} is not "{argument}"'
    elif keyword == "pattern":
        what = error.schema.get("description", f"text matching {argument}")
        message = f"{_describe(value)} is not valid: expected {what[0].lower()}{what[1:]}"
    elif keyword == "minLength":
        message = "must not be empty" if argument == 1 else f"is shorter than {argument}"
    elif keyword == "maxLength":
        message = f"is longer than {argument} characters"
    elif keyword == "minimum":
        message = f"{_describe(value)} is less than {argument}"
    elif keyword == "exclusiveMinimum":
        message = f"{_describe(value)} must be more than {argument}"
    elif keyword == "maximum":
        message = f"{_describe(value)} is more than {argument}"
    elif keyword == "uniqueItems":
        message = "has the same value more than once"
    elif keyword == "propertyNames":
        message = f"{_describe(value)} is not a valid key"
    else:  # pragma: no cover - keywords the schema does not use
        message = error.message
    return Problem(format_path(path), message)
