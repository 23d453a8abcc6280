"""Building the national-scale programme: the programme year, its national staff,
clusters and hubs, then each hub's records (`demo.scale.hub`); and clearing a database
for a new build.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction

from demo.scale.hub import HubBuilder
from demo.scale.shape import (
    CLUSTERS,
    HUB_COUNT,
    UNUSABLE_PASSWORD,
    YEAR_END,
    YEAR_START,
    Built,
    insert,
    split_by_weight,
)
from participants.models import Participant, SurveyInstrument
from peernet.models import Cluster, Hub, Programme, Role, RoleAssignment, User
from sessions.models import Topic


class NotEmpty(Exception):
    """The database already holds programme data."""


def is_empty() -> bool:
    return not (
        Programme.objects.exists()
        or Hub.objects.exists()
        or Participant.objects.exists()
        or User.objects.exists()
    )


# Reference data seeded by migrations, kept by `clear()`.
KEEP = {Topic, SurveyInstrument}
APP_LABELS = ("peernet", "participants", "cohorts", "delivery", "reporting")


def clear() -> None:
    """Delete every programme record and every user (not the topics and survey
    instruments the migrations seed)."""
    targets = [
        model
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        if model not in KEEP
    ]
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in targets)
        with connection.cursor() as cursor:
            # Inside a transaction that has just written rows, their deferred foreign-key
            # checks must run before PostgreSQL allows a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    # Elsewhere (SQLite): delete until nothing is left, children before parents.
    remaining = list(targets)
    for _ in range(len(remaining) + 1):
        stuck = []
        for model in remaining:
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except Exception:  # noqa: BLE001 - a protected parent: retry after its children
                stuck.append(model)
        remaining = stuck
        if not remaining:
            return
    raise RuntimeError(f"Could not clear {', '.join(m.__name__ for m in remaining)}")


# --- the generator -----------------------------------------------------------------------


def build(participants: int, *, flush: bool = False, log: Callable[[str], None] | None = None):
    """Build the programme with `participants` registrations; returns `Built`."""
    if participants < HUB_COUNT:
        raise ValueError(f"Ask for at least {HUB_COUNT} participants (one per hub).")
    started = time.perf_counter()
    built = Built(participants=participants)
    with transaction.atomic():
        if not is_empty():
            if not flush:
                raise NotEmpty(
                    "The database already holds programme data or users: "
                    "use --flush to delete them first."
                )
            clear()
        programme = Programme.objects.create(
            name="Peer Networks 2021/22 (scale)",
            delivery_start=YEAR_START,
            delivery_end=YEAR_END,
            national_target=participants,
        )
        built.add("Programmes", 1)
        _national_staff(built)
        hubs = _hubs(built, participants)
        shares = split_by_weight(participants, [weight for _, weight in hubs])
        instruments = {
            instrument.kind: instrument
            for instrument in SurveyInstrument.objects.filter(active=True)
        }
        core_topics = list(Topic.objects.filter(parent__isnull=True).order_by("position", "key"))
        for (hub, _), count in zip(hubs, shares, strict=True):
            HubBuilder(hub, programme, count, participants, instruments, core_topics, built).run()
            if log:
                log(f"{hub.key}: {count} participants")
        if connection.vendor == "postgresql":
            # Planner statistics for what was just loaded, as autovacuum would make them
            # later: the reports' queries are planned for the real sizes at once.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    built.seconds = time.perf_counter() - started
    return built


def _national_staff(built: Built) -> None:
    staff = [
        ("coordinator@scale.example.org", "National Coordinator", Role.COORDINATOR),
        ("beis@scale.example.org", "BEIS Analyst", Role.FUNDER),
        ("evaluator@scale.example.org", "The Evaluator", Role.EVALUATOR),
    ]
    users = insert(
        built,
        User,
        [
            User(email=email, name=name, key=f"scale-{role}", password=UNUSABLE_PASSWORD)
            for email, name, role in staff
        ],
    )
    insert(
        built,
        RoleAssignment,
        [
            RoleAssignment(user=user, role=role)
            for user, (_, _, role) in zip(users, staff, strict=True)
        ],
    )


def _hubs(built: Built, participants: int) -> list[tuple[Hub, float]]:
    clusters = insert(built, Cluster, [Cluster(key=key, name=name) for key, name, _ in CLUSTERS])
    hubs: list[tuple[Hub, float]] = []
    number = 0
    for cluster, (key, name, count) in zip(clusters, CLUSTERS, strict=True):
        for i in range(1, count + 1):
            number += 1
            # Hubs differ in size: weights from 0.6 to 1.6, fixed by the hub's number.
            weight = 0.6 + ((number * 37) % 11) / 10
            hubs.append(
                (
                    Hub(
                        key=f"{key}-{i}",
                        name=f"{name} Growth Hub {i}",
                        lep=f"{name} LEP {i}",
                        cluster=cluster,
                        target=0,
                        local_authorities=[f"{name} {i} Area {a}" for a in range(1, 4)],
                        privacy_notice_url=f"https://{key}-{i}.example.org/privacy",
                    ),
                    weight,
                )
            )
    shares = split_by_weight(participants, [weight for _, weight in hubs])
    for (hub, _), share in zip(hubs, shares, strict=True):
        hub.target = max(1, round(share * 0.9))
    insert(built, Hub, [hub for hub, _ in hubs])
    return hubs
