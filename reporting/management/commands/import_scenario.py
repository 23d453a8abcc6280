"""`manage.py import_scenario FILE [--update]`: all or nothing (SCENARIO-FORMAT.md)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.scenario import ScenarioError, import_document


class Command(BaseCommand):
    help = (
        "Import a scenario document (SCENARIO-FORMAT.md) in one transaction. Every problem "
        "is reported with its JSON path, and nothing is written unless there are none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON document, or - to read standard input.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Update records whose keys already exist instead of refusing them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        document = parse_document(read_limited(name, settings.SCENARIO_MAX_BYTES), name)
        try:
            summary = import_document(document, update=options["update"])
        except ScenarioError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            count = len(exc.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found; nothing was imported.",
                returncode=1,
            ) from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {name}."))


def read_limited(name: str, limit: int) -> bytes:
    """The file's bytes, refusing anything larger than `limit` before reading it all
    (SECURITY.md 20)."""
    too_big = CommandError(
        f"{name} is larger than the {limit:,}-byte limit (SCENARIO_MAX_BYTES); "
        "split it by hub or raise the limit.",
        returncode=1,
    )
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise too_big
        return data
    path = Path(name)
    try:
        if path.stat().st_size > limit:
            raise too_big
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}", returncode=1) from exc
    if len(data) > limit:  # the file grew while we looked at it
        raise too_big
    return data


def parse_document(data: bytes, name: str) -> Any:
    """JSON with numbers as Decimal (hours and money stay exact), refusing the things
    plain `json` lets through: repeated fields (one would be silently dropped), NaN and
    Infinity."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{name} is not UTF-8 text (byte {exc.start + 1}).", returncode=1
        ) from exc
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_repeats,
        )
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            returncode=1,
        ) from exc
    except ValueError as exc:
        raise CommandError(f"{name} is not valid JSON: {exc}.", returncode=1) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f'the field "{key}" appears twice in one object')
        result[key] = value
    return result
