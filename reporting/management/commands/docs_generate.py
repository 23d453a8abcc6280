"""`manage.py docs_generate [--check]`: write the documentation generated from the code,
docs/rules.md and docs/returns.md (reporting/docs.py), or with --check only say which
are out of date (exit status 1), writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.docs import generated


class Command(BaseCommand):
    help = (
        "Write docs/rules.md and docs/returns.md from the rule registry and the return's "
        "definitions; with --check, write nothing and fail if either is out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit with status 1 if a generated file differs from the code.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        stale = []
        for name, text in generated().items():
            path = root / name
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                self.stdout.write(f"{name} is up to date.")
                continue
            stale.append(name)
            if not options["check"]:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"{name} written.")
        if stale and options["check"]:
            raise CommandError(
                f"Out of date: {', '.join(stale)}. Run `python manage.py docs_generate`.",
                returncode=1,
            )
