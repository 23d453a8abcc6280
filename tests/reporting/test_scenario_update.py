"""Importing with --update when records trade values the database holds unique together:
two sessions of a cohort swapping start times, two cohorts swapping names. Records are
updated in place (others point at them), so the writer must move them out of each
other's way within the one transaction."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from cohorts.models import Cohort
from demo.document import build_demo_document
from participants.models import Participant
from peernet.models import Cluster, DeliveryPartner, User
from reporting.scenario import export_document, import_document
from reporting.scenario.plan import KEYED_MODELS
from reporting.scenario.writer import UNIQUE_RULES
from sessions.models import Attendance, GroupSession, Observation, OneToOneSession
from tests.reporting.conftest import empty_database, item

pytestmark = pytest.mark.django_db

Json = dict[str, Any]


def pks(model: type[models.Model]) -> dict[str, int]:
    """Key → primary key: the same after an update means updated in place."""
    return dict(model.objects.values_list("key", "pk"))


def swap(first: Json, second: Json, name: str) -> None:
    first[name], second[name] = second[name], first[name]


def in_export_order(cohort: Json) -> None:
    """The export lists a cohort's sessions by start."""
    cohort["sessions"].sort(key=lambda session: (session["starts_at"], session["key"]))


def test_demo_documents_a_week_apart_update_in_place() -> None:
    # The demo moves on with its anchor: most sessions and one-to-ones start a week
    # later, onto times that others of the same cohort or participant held before.
    first = build_demo_document(dt.date(2026, 11, 21))
    second = build_demo_document(dt.date(2026, 11, 28))
    import_document(first, update=True)
    sessions, one_to_ones = pks(GroupSession), pks(OneToOneSession)
    starts = dict(GroupSession.objects.values_list("key", "starts_at"))

    import_document(copy.deepcopy(second), update=True)

    assert pks(GroupSession) == sessions
    assert pks(OneToOneSession) == one_to_ones
    moved = dict(GroupSession.objects.values_list("key", "starts_at"))
    assert any(moved[key] != start for key, start in starts.items())
    updated = export_document()
    empty_database()
    import_document(second)
    assert export_document() == updated


def test_sessions_of_a_cohort_trade_start_times(small: Json) -> None:
    import_document(copy.deepcopy(small))
    before = pks(GroupSession)
    observed = Observation.objects.get(session__key="gm-1-s2").session_id
    attendance = Attendance.objects.filter(session__key="gm-1-s1").count()
    document = export_document()
    gm1 = item(document["cohorts"], "gm-1")
    s1, s2, _s3, s4 = gm1["sessions"]
    swap(s1, s2, "starts_at")
    # A new session takes the start the last one leaves.
    gm1["sessions"].append({**s4, "key": "gm-1-s5"})
    s4["starts_at"] = "2021-07-27T09:30"
    in_export_order(gm1)

    import_document(copy.deepcopy(document), update=True)

    assert export_document() == document
    assert pks(GroupSession) == {**before, "gm-1-s5": pks(GroupSession)["gm-1-s5"]}
    assert Observation.objects.get(session__key="gm-1-s2").session_id == observed
    assert Attendance.objects.filter(session__key="gm-1-s1").count() == attendance


def test_one_to_ones_of_a_participant_trade_start_times(small: Json) -> None:
    import_document(copy.deepcopy(small))
    before = pks(OneToOneSession)
    document = export_document()
    first, second = (o for o in document["one_to_ones"] if o["participant"] == "p1")
    swap(first, second, "starts_at")

    import_document(copy.deepcopy(document), update=True)

    assert export_document() == document
    assert pks(OneToOneSession) == before


def _swap_cluster_names(document: Json) -> None:
    swap(*document["clusters"], "name")


def _swap_partner_names(document: Json) -> None:
    swap(
        item(document["delivery_partners"], "gm-coaching"),
        item(document["delivery_partners"], "gm-growth"),
        "name",
    )


def _swap_user_emails(document: Json) -> None:
    swap(item(document["users"], "gm-admin"), item(document["users"], "wy-admin"), "email")


def _swap_cohort_names(document: Json) -> None:
    swap(item(document["cohorts"], "gm-1"), item(document["cohorts"], "gm-2"), "name")


def _swap_eligible_businesses(document: Json) -> None:
    # E9 holds one eligible participant per business: both p1 and p2 are eligible.
    swap(item(document["participants"], "p1"), item(document["participants"], "p2"), "business")


@pytest.mark.parametrize(
    ("change", "model"),
    [
        (_swap_cluster_names, Cluster),
        (_swap_partner_names, DeliveryPartner),
        (_swap_user_emails, User),
        (_swap_cohort_names, Cohort),
        (_swap_eligible_businesses, Participant),
    ],
)
def test_records_trade_values_held_unique_together(
    small: Json, change: Callable[[Json], None], model: type[models.Model]
) -> None:
    small["delivery_partners"].append(
        {"key": "gm-growth", "hub": "gm", "name": "GM Growth Partners", "service": "both"}
    )
    import_document(copy.deepcopy(small))
    before = pks(model)
    document = export_document()
    change(document)

    import_document(copy.deepcopy(document), update=True)

    assert export_document() == document
    assert pks(model) == before


def test_every_unique_rule_of_a_keyed_kind_can_be_parked() -> None:
    """A unique rule added to a keyed model needs a way out of the way in the writer."""
    for kind, model in KEYED_MODELS.items():
        wanted: list[tuple[set[str], models.Q]] = [
            (
                {model._meta.get_field(name).attname for name in constraint.fields},
                constraint.condition or models.Q(),
            )
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
        ]
        wanted += [
            ({field.attname}, models.Q())
            for field in model._meta.concrete_fields
            if field.unique and field.name not in ("id", "key", "code")
        ]
        rules = UNIQUE_RULES.get(kind, ())
        for fields, condition in wanted:
            assert any(
                fields <= set(rule.fields) and rule.condition in (condition, models.Q())
                for rule in rules
            ), f"{kind}: nothing parks {sorted(fields)}"
