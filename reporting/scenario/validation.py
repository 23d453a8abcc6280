"""Step (a) of an import: the document against the published JSON Schema, every error
reported at its path in a plain sentence, and the part of the document that step (b) can
still read safely, so that one run reports the form's faults and the values' together.

What the reader must never meet is a value of the wrong JSON type or an object without a
field it requires: those are removed from the copy it reads (an optional field, a list
item or a map entry alone; otherwise the object that requires it), and a list item keeps
its place as `Unreadable` so that every later path still points where it did. A value of
the right type that the schema refuses (a negative number of hours, a word not in a
vocabulary) stays where it is, marked faulty, so the reader treats it as unknown rather
than reasoning from it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reporting.scenario.problems import Problem, format_path

JsonPath = tuple[str | int, ...]

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
    return check_schema(document).problems


@dataclass(frozen=True)
class Unreadable:
    """A list item too malformed to read, kept in its place. `raw` is the item as given,
    for the reader to salvage its key from, so that references to it are not reported
    as well."""

    raw: Any


@dataclass(frozen=True)
class SchemaReport:
    """What the schema found, and what of the document the reader may still read."""

    problems: list[Problem]
    # A copy without the values the reader cannot read (the document itself when the
    # schema found nothing); None when nothing of it can be read (not an object).
    readable: Any
    # Paths of values of the right type that the schema refused: left in place, unknown.
    faulty: frozenset[str]
    # Paths of every value the schema refused: the reader's own problems at or under
    # them would only say the same thing again.
    faults: frozenset[str]

    def covers(self, path: str) -> bool:
        """Whether a problem at `path` is about a value the schema already refused: at that
        path, or inside one (a lookup per level, however many faults there are)."""
        levels = (path[:end] for end, char in enumerate(path) if char in ".[")
        return path in self.faults or any(level in self.faults for level in levels)


def _nul_characters(value: Any, path: JsonPath = ()) -> Iterable[JsonPath]:
    """Where a text (or a key) holds a NUL character, which no database column stores."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                yield (*path, key)
            else:
                yield from _nul_characters(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_characters(item, (*path, index))


NUL_PROBLEM = "contains a NUL character (\\u0000), which cannot be stored: remove it"


def check_schema(document: Any) -> SchemaReport:
    """Every way the document breaks the schema, and the part of it still readable."""
    errors = list(_validator().iter_errors(document))
    # A text no column can store is a problem, and is not read (no query may carry it).
    nul = list(_nul_characters(document))
    if not errors and not nul:
        return SchemaReport([], document, frozenset(), frozenset())
    faults: list[JsonPath] = []
    unreadable: list[JsonPath] = []
    faulty: list[JsonPath] = []
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            extras = [(*path, name) for name in _extra_fields(error)]
            faults += extras
            unreadable += extras
        elif "propertyNames" in error.absolute_schema_path:
            # A map's key (an attendance record's participant): its entry goes.
            faults.append((*path, error.instance))
            unreadable.append((*path, error.instance))
        elif error.validator == "required":
            faults.append((*path, _missing_field(error)))
            if path:  # a section missing from the document is simply not read
                unreadable.append(path)
        elif error.validator == "type" or (
            # A list or an object where the vocabulary holds words: as unreadable as a
            # value of the wrong type (the reader would meet it unhashable).
            error.validator in ("enum", "const") and isinstance(error.instance, (list, dict))
        ):
            faults.append(path)
            unreadable.append(path)
        else:
            faults.append(path)
            faulty.append(path)
    faults += nul
    unreadable += nul
    return SchemaReport(
        problems=[_problem(error) for error in errors]
        + [Problem(format_path(path), NUL_PROBLEM) for path in nul],
        readable=_without(document, {_removable(path) for path in unreadable}),
        faulty=frozenset(format_path(path) for path in faulty),
        faults=frozenset(format_path(path) for path in faults),
    )


def _removable(path: JsonPath) -> JsonPath | None:
    """What to remove so that the reader never meets the value at `path`: the value
    itself when the reader can do without it (a top-level section, a list item, a map
    entry, an optional field), else the object that requires it, and so on up. None:
    the document itself, so nothing is readable."""
    while path:
        if len(path) == 1 or isinstance(path[-1], int):
            return path
        if path[-1] not in _schema_at(path[:-1]).get("required", ()):
            return path
        path = path[:-1]
    return None


def _without(document: Any, removed: set[JsonPath | None]) -> Any:
    """A copy of the document without the `removed` values (outermost first: a value
    inside one already removed goes with it)."""
    if None in removed:
        return None
    readable = copy.deepcopy(document)
    gone: set[JsonPath] = set()
    for path in sorted((p for p in removed if p is not None), key=len):
        if any(path[:n] in gone for n in range(1, len(path))):
            continue
        gone.add(path)
        container = _at(readable, path[:-1])
        if isinstance(path[-1], int):
            container[path[-1]] = Unreadable(_at(document, path))
        else:
            container.pop(path[-1], None)
    return readable


def _at(value: Any, path: Iterable[str | int]) -> Any:
    for part in path:
        value = value[part]
    return value


def _schema_at(path: JsonPath) -> dict[str, Any]:
    """The schema of the value at `path` (an object's own, a list's items', a map's
    entries'), with references followed."""
    from reporting.scenario import SCHEMA

    node = _followed(SCHEMA)
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        else:
            entries = node.get("additionalProperties")
            node = entries if isinstance(entries, dict) else {}
        node = _followed(node)
    return node


def _followed(node: dict[str, Any]) -> dict[str, Any]:
    from reporting.scenario import SCHEMA

    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _extra_fields(error: ValidationError) -> list[str]:
    return sorted(set(error.instance) - set(error.schema.get("properties", {})))


def _missing_field(error: ValidationError) -> str:
    # jsonschema names the missing field only in its message: "'lep' is a required ...".
    return error.message.split("'")[1]


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
        return Problem(format_path([*path, _missing_field(error)]), "is required but missing")
    if keyword == "additionalProperties":
        extras = _extra_fields(error)
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
