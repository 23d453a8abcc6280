"""Exporting scenario documents: a hub's part holds nothing of another hub, and the
number of queries does not grow with the number of rows."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.scenario import ScenarioError, export_document, import_document
from tests.reporting.conftest import empty_database, export_after_import

pytestmark = pytest.mark.django_db

# programme, clusters, hubs, delivery partners, users + their roles, businesses,
# participants + eligibility exceptions, cohorts + members + facilitators, sessions +
# topics + attendance + action cards, one-to-ones, observations, complaints, surveys; and
# after the programme (none in the fixture, so no prefetch runs): support schemes,
# referrals, continuing groups, alumni events, cluster leads, learning sets.
EXPORT_QUERIES = 26
# A hub's part looks the hub up (+1), but takes its cluster from it and its businesses
# from its participants (-2), and has no cluster leads or learning sets (-2).
HUB_EXPORT_QUERIES = EXPORT_QUERIES - 3

# Everything in the fixture that belongs to West Yorkshire alone, or to no hub.
NOT_GREATER_MANCHESTER = {
    "wy",
    "yorkshire",
    "West Yorkshire Growth Hub",
    "Leeds City Region LEP",
    "Leeds",
    "wy-facilitation",
    "Pennine Facilitation",
    "wy-admin",
    "admin@wy.example",
    "fac-2",
    "coach-2",
    "coach@wy.example",
    "coordinator-1",
    "funder-1",
    "evaluator-1",
    "coordinator",
    "funder",
    "evaluator",
    "b7",
    "b8",
    "Aire Engineering Ltd",
    "p7",
    "p8",
    "grace@aire.example",
    "Hamza",
    "wy-1",
    "wy-1-s1",
    "wy-1-s2",
    "p7-o1",
    "wy-c1",
    "Joining instructions arrived late.",
    "sales-and-marketing",
}


def strings_in(value: Any) -> set[str]:
    """Every string in a document, keys of objects included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for k, v in value.items() for s in {k} | strings_in(v)}
    if isinstance(value, list):
        return {s for entry in value for s in strings_in(entry)}
    return set()


def test_a_hub_export_contains_nothing_of_another_hub(small):
    import_document(small)
    full = export_document()
    assert strings_in(full) >= NOT_GREATER_MANCHESTER  # so the check below can fail

    gm = export_document(hub_key="gm")

    assert strings_in(gm) & NOT_GREATER_MANCHESTER == set()
    assert [p["key"] for p in gm["participants"]] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert [c["key"] for c in gm["cohorts"]] == ["gm-1", "gm-2"]
    assert [u["key"] for u in gm["users"]] == ["coach-1", "fac-1", "gm-admin"]


def test_a_hub_export_imports_into_an_empty_database_as_itself(small):
    import_document(small)
    wy = export_document(hub_key="wy")

    # The coordinator observed a wy session, so comes along, without national roles.
    coordinator = next(u for u in wy["users"] if u["key"] == "coordinator-1")
    assert coordinator["roles"] == []

    empty_database()
    assert export_after_import(wy) == wy


def test_an_unknown_hub_cannot_be_exported(small):
    import_document(small)

    with pytest.raises(ScenarioError) as raised:
        export_document(hub_key="nowhere")

    assert [str(p) for p in raised.value.problems] == ['hub: no hub with key "nowhere"']


def test_nothing_to_export_without_a_programme():
    with pytest.raises(ScenarioError, match="there is no programme to export"):
        export_document()


def grow(document: dict[str, Any], size: int) -> dict[str, Any]:
    """The fixture with another cohort of `size` participants, each with a business,
    attendance at four sessions with action cards, a one-to-one and feedback."""
    document = copy.deepcopy(document)
    keys = [f"extra-{n}" for n in range(size)]
    for key in keys:
        document["businesses"].append(
            {"key": key, "name": f"{key} Ltd", "local_authority": "Salford"}
        )
        document["participants"].append(
            {
                "key": key,
                "hub": "gm",
                "business": key,
                "first_name": "Extra",
                "last_name": key,
                "email": f"{key}@example.org",
                "senior_decision_maker": True,
                "registered": "2021-05-03",
                "privacy_notice_acknowledged": "2021-05-03",
                "aspiration_to_improve": True,
                "previous_year_participant": False,
                "eligibility": {"decided": "2021-05-10", "eligible": True},
                "equality": {"gender": "other"},
            }
        )
        document["one_to_ones"].append(
            {
                "participant": key,
                "provider": "coach-1",
                "starts_at": "2021-09-01T10:00",
                "hours": 1.5,
                "route": "programme",
            }
        )
        document["surveys"].append(
            {
                "participant": key,
                "kind": "session_feedback",
                "session": "big-s0",
                "completed": "2021-09-02",
                "answers": {"overall_satisfaction": 4},
            }
        )
    sessions = [
        {
            "key": f"big-s{n}",
            "starts_at": f"2021-09-{n + 1:02d}T09:30",
            "hours": 3,
            "status": "delivered",
            "topics": ["finance", "hr"],
            "attendance": {key: {"present": True, "hours": 3} for key in keys},
            "facilitator_notes": {"hot_topics": "Hiring"},
            "action_cards": {key: {"actions": "Act."} for key in keys},
        }
        for n in range(4)
    ]
    document["cohorts"].append(
        {
            "key": "big",
            "hub": "gm",
            "name": "Big cohort",
            "facilitator": "fac-1",
            "members": [{"participant": key, "joined": "2021-08-01"} for key in keys],
            "sessions": sessions,
        }
    )
    document["observations"].append(
        {"session": "big-s1", "observer": "gm-admin", "notice_given": "2021-09-01T09:00"}
    )
    return document


@pytest.mark.parametrize("hub_key", [None, "gm"])
def test_export_queries_do_not_grow_with_rows(small, hub_key, django_assert_max_num_queries):
    expected = EXPORT_QUERIES if hub_key is None else HUB_EXPORT_QUERIES
    import_document(small)
    with django_assert_max_num_queries(expected):
        few = export_document(hub_key=hub_key)
    import_document(_only_growth(small, 30))

    with CaptureQueriesContext(connection) as queries:
        many = export_document(hub_key=hub_key)

    assert len(many["participants"]) == len(few["participants"]) + 30
    assert len(queries) == expected


def _only_growth(small: dict[str, Any], size: int) -> dict[str, Any]:
    """What `grow` adds, as a document of its own (the fixture is already imported)."""
    grown = grow(small, size)
    return {
        "format": grown["format"],
        "programme": grown["programme"],
        "businesses": grown["businesses"][len(small["businesses"]) :],
        "participants": grown["participants"][len(small["participants"]) :],
        "cohorts": grown["cohorts"][len(small["cohorts"]) :],
        "one_to_ones": grown["one_to_ones"][len(small["one_to_ones"]) :],
        "observations": grown["observations"][len(small["observations"]) :],
        "surveys": grown["surveys"][len(small["surveys"]) :],
    }
