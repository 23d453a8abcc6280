"""`manage.py seed_scale --participants N [--flush]`: synthetic data at national scale.

`--returns` also submits every hub's return for every month (figures computed from the
records). Deterministic (the same N gives the same records) and built with bulk inserts; see
`demo/scale` for the shape. Refuses a database that already holds programme data
or users unless `--flush` is given, which deletes them first (the topics and survey
instruments the migrations seed are kept). Not for a production database.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from demo.scale.returns import submit_returns
from demo.scale.world import NotEmpty, build


class Command(BaseCommand):
    help = "Fill an empty database with a deterministic programme year of N participants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--participants", type=int, required=True, help="Registrations to make (N)."
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete every programme record and every user first.",
        )
        parser.add_argument("--progress", action="store_true", help="Print each hub as it is made.")
        parser.add_argument(
            "--returns",
            action="store_true",
            help="Also submit every hub's return for every month (computed from the records).",
        )

    def handle(
        self,
        *args: Any,
        participants: int,
        flush: bool,
        progress: bool,
        returns: bool,
        **options: Any,
    ):
        log = self.stdout.write if progress else None
        try:
            built = build(participants, flush=flush, log=log)
        except (NotEmpty, ValueError) as error:
            raise CommandError(str(error)) from error
        if returns:
            started = time.perf_counter()
            with transaction.atomic():
                built.add("Return versions", submit_returns())
            built.seconds += time.perf_counter() - started
        self.stdout.write(f"Made a programme of {participants:,} participants:")
        for line in built.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(f"Total rows: {sum(built.counts.values()):,}")
        self.stdout.write(f"Took {built.seconds:.1f} s.")
