"""`manage.py import_scenario FILE [--update]`: all or nothing (docs/scenario-format.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.scenario import ScenarioError, import_document, parsing


class Command(BaseCommand):
    help = (
        "Import a scenario document (docs/scenario-format.md) in one transaction. Every problem "
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
    (docs/security.md §20)."""
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
    """The document (reporting.scenario.parsing), or a CommandError saying why not."""
    try:
        return parsing.parse_document(data, name)
    except ScenarioError as exc:
        raise CommandError(str(exc), returncode=1) from exc
