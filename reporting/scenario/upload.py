"""Uploading a scenario document from a page (docs/scenario-format.md): the national coordinator
for any hub, a hub's administrators for their own hub only. All or nothing, every problem
by its JSON path, audited.

A hub's document may name only its own hub, may repeat the programme and clusters exactly
as they are (the reader reuses them) but not change them, may not define hubs or delivery
partners (the programme's structure is the coordinator's), nor a cluster's leads or
action learning sets, may not give anyone a national role, and may not update records
already there (that is the coordinator's `--update`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from peernet import audit
from peernet.models import Cluster, Hub, Role
from reporting.scenario.importer import ImportSummary, document_problems, import_document
from reporting.scenario.problems import Problem, ScenarioError, join_path

NATIONAL_ROLES = {Role.COORDINATOR, Role.FUNDER, Role.EVALUATOR}


def _hub_fields(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every field named "hub" anywhere in the document."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = join_path(path, key) if path else key
            if key == "hub":
                yield here, item
            yield from _hub_fields(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _hub_fields(item, join_path(path, index) if path else f"[{index}]")


def hub_document_problems(document: Any, hub: Hub) -> list[Problem]:
    """What a hub's administrator may not import into their own hub's records."""
    if not isinstance(document, dict):
        return []  # the schema says what is wrong with it
    problems = []
    # The structure is the coordinator's, and so are a cluster's leads and learning sets.
    for section in ("hubs", "delivery_partners", "cluster_leads", "learning_sets"):
        if document.get(section):
            problems.append(
                Problem(section, f"a hub's document cannot define {section.replace('_', ' ')}")
            )
    for path, value in _hub_fields(document, ""):
        if path.startswith(("hubs", "delivery_partners")):
            continue
        if value is not None and value != hub.key:
            problems.append(Problem(path, f'only {hub.name}\'s records ("{hub.key}") here'))
    for index, cluster in enumerate(document.get("clusters") or []):
        if not isinstance(cluster, dict):
            continue
        same = Cluster.objects.filter(key=cluster.get("key"), name=cluster.get("name"))
        if not same.exists():
            problems.append(
                Problem(
                    join_path("clusters", index),
                    "a hub's document can only repeat a cluster exactly as it is",
                )
            )
    for index, user in enumerate(document.get("users") or []):
        for n, role in enumerate(user.get("roles") or [] if isinstance(user, dict) else []):
            if isinstance(role, dict) and role.get("role") in NATIONAL_ROLES:
                problems.append(
                    Problem(
                        join_path("users", index, "roles", n, "role"),
                        "a national role is given by the national coordinator",
                    )
                )
    return problems


def scenario_upload(
    *, document: Any, by: Any, hub: Hub | None = None, update: bool = False
) -> ImportSummary:
    """Import the document (all or nothing); for a hub, within its own records only.
    Raises ScenarioError with every problem, having written nothing."""
    if hub is not None:
        problems = hub_document_problems(document, hub)
        if update:
            problems.append(Problem("", "a hub's upload cannot update existing records"))
        if problems:
            # And whatever else is wrong with it, so that one upload lists everything.
            raise ScenarioError([*problems, *document_problems(document)[1]])
    summary = import_document(document, update=update)
    audit.record(
        by,
        "create",
        hub=hub,
        object_type="scenario",
        summary=f"Scenario uploaded: {'; '.join(summary.lines())}"[:300],
    )
    return summary
