"""`manage.py monthly_return --month YYYY-MM (--hub KEY | --cluster KEY | --national)
[--submitted]` (docs/returns.md "Outputs"): the return as JSON on standard output."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peernet.calendar import month_start
from peernet.models import Cluster, Hub, Programme
from reporting import kpi
from reporting.returns import ReturnProblem, return_document


class Command(BaseCommand):
    help = (
        "Print a hub's, a cluster's or the national monthly KPI return as JSON, computed "
        "afresh or, with --submitted, from the latest submitted versions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--hub", metavar="KEY", help="One hub, by its scenario key.")
        where.add_argument("--cluster", metavar="KEY", help="A cluster's hubs, summed.")
        where.add_argument("--national", action="store_true", help="Every hub, summed.")
        parser.add_argument(
            "--submitted",
            action="store_true",
            help="The latest submitted version of each hub's return, not a fresh computation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = month_start(options["month"])
        except ValueError as exc:
            raise CommandError(f"--month: {exc}") from exc
        if not Programme.objects.exists():
            raise CommandError("No programme has been set up yet: import a scenario first.")
        hubs = Hub.objects.select_related("cluster").order_by("key")
        if options["hub"]:
            hub = hubs.filter(key=options["hub"]).first()
            if hub is None:
                raise CommandError(f'--hub: there is no hub with the key "{options["hub"]}".')
            scope, members = kpi.hub_scope(hub), [hub]
        elif options["cluster"]:
            cluster = Cluster.objects.filter(key=options["cluster"]).first()
            if cluster is None:
                raise CommandError(
                    f'--cluster: there is no cluster with the key "{options["cluster"]}".'
                )
            members = list(hubs.filter(cluster=cluster))
            scope = kpi.cluster_scope(cluster, members)
        else:
            members = list(hubs)
            scope = kpi.national_scope(members)
        try:
            document = return_document(scope, members, month, submitted=options["submitted"])
        except ReturnProblem as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
