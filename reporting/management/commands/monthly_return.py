"""`manage.py monthly_return --month YYYY-MM (--hub KEY | --cluster KEY | --national)
[--submitted]` (docs/returns.md "Outputs"): the return as JSON on standard output."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peernet.calendar import month_start
from peernet.models import Cluster, Hub, Programme
from reporting import kpi
from reporting.returns import latest_versions, version_result


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
            document = self._hub(hub, month, submitted=options["submitted"])
        elif options["cluster"]:
            cluster = Cluster.objects.filter(key=options["cluster"]).first()
            if cluster is None:
                raise CommandError(
                    f'--cluster: there is no cluster with the key "{options["cluster"]}".'
                )
            members = list(hubs.filter(cluster=cluster))
            document = self._many(
                kpi.cluster_scope(cluster, members), members, month, options["submitted"]
            )
        else:
            members = list(hubs)
            document = self._many(kpi.national_scope(members), members, month, options["submitted"])
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))

    def _hub(self, hub: Hub, month: Any, *, submitted: bool) -> dict[str, Any]:
        if not submitted:
            return kpi.return_json(kpi.hub_scope(hub), month, kpi.compute_hub(hub, month))
        version = latest_versions([hub], month).get(hub.pk)
        if version is None:
            raise CommandError(f"{hub.name} has no submitted return for {month:%B %Y}.")
        document = kpi.return_json(kpi.hub_scope(hub), month, version_result(version))
        document["version"] = {
            "version": version.version,
            "submitted_at": version.submitted_at.isoformat(),
            "sha256": version.sha256,
            "reason": version.reason,
            "narrative": version.narrative,
        }
        return document

    def _many(
        self, scope: dict[str, Any], hubs: list[Hub], month: Any, submitted: bool
    ) -> dict[str, Any]:
        if not submitted:
            results = list(kpi.compute_hubs(hubs, month).values())
            return kpi.return_json(scope, month, kpi.combine(results))
        versions = latest_versions(hubs, month)
        scope = {
            **scope,
            "submitted": [hub.key for hub in hubs if hub.pk in versions],
            "not_submitted": [hub.key for hub in hubs if hub.pk not in versions],
        }
        results = [version_result(versions[hub.pk]) for hub in hubs if hub.pk in versions]
        return kpi.return_json(scope, month, kpi.combine(results))
