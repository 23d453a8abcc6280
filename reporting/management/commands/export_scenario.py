"""`manage.py export_scenario [--hub KEY] > FILE` (docs/scenario-format.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.scenario import ScenarioError, export_document


class Command(BaseCommand):
    help = "Write the programme, or one hub's part of it, as a scenario document (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hub", metavar="KEY", help="Export only this hub's part.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = export_document(hub_key=options["hub"])
        except ScenarioError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
