"""Importing scenario documents (docs/scenario-format.md): all or nothing, every problem at
its path (docs/security.md §20), and import → export → import → export unchanged."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from cohorts.models import CohortMembership
from participants.models import EqualityData, Participant, SurveyResponse
from peernet.models import Programme, RoleAssignment, User
from reporting.scenario import Problem, ScenarioError, export_document, import_document
from reporting.scenario.problems import format_path
from sessions.models import Attendance, Complaint, GroupSession, OneToOneSession
from tests.reporting.conftest import empty_database, export_after_import, item, table_counts

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def problems_of(document: dict[str, Any], *, update: bool = False) -> list[str]:
    """Every problem the import reports, as `path: message`, checking nothing was written."""
    before = table_counts()
    with pytest.raises(ScenarioError) as raised:
        import_document(document, update=update)
    assert table_counts() == before, "a refused import must write nothing"
    return [str(problem) for problem in raised.value.problems]


# -- round trips ----------------------------------------------------------------------


def test_import_then_export_equals_export_of_a_second_import(small):
    first = export_after_import(small)
    second = export_after_import(first)

    assert second == first
    assert [p["key"] for p in first["participants"]] == [f"p{n}" for n in range(1, 9)]
    assert len(first["cohorts"]) == 3


def test_an_exported_document_imports_and_exports_unchanged(small):
    import_document(small)
    exported = export_document()

    assert export_document() == exported  # deterministic
    empty_database()
    import_document(copy.deepcopy(exported))
    assert export_document() == exported


def test_import_stores_what_the_document_says(small):
    summary = import_document(small)

    assert summary.created["participants"] == 8
    assert summary.created["attendance"] == 9
    assert summary.counts["one_to_ones"] == 4
    # Emails lower-case, no usable password.
    evaluator = User.objects.get(key="evaluator-1")
    assert evaluator.email == "evaluator@example.org"
    assert not evaluator.has_usable_password()
    # The cohort facilitator is a role assignment naming the cohort and its hub.
    assert RoleAssignment.objects.get(cohort__key="gm-2").user.key == "fac-1"
    # A late arrival attends fewer hours; an absent participant has 0.
    assert Attendance.objects.get(session__key="gm-1-s1", participant__key="p2").hours == Decimal(
        "2.5"
    )
    absent = Attendance.objects.get(session__key="gm-1-s1", participant__key="p5")
    assert (absent.present, absent.hours) == (False, Decimal("0"))
    # Equality: null is the model's empty string.
    equality = EqualityData.objects.get(participant__key="p2")
    assert (equality.gender, equality.age_band) == ("male", "")
    # A move keeps the history: two spells, one of them current.
    spells = CohortMembership.objects.filter(participant__key="p3").order_by("joined")
    assert [(s.cohort.key, s.left) for s in spells] == [
        ("gm-1", dt.date(2021, 6, 5)),
        ("gm-2", None),
    ]
    pending = Participant.objects.get(key="p6")
    assert (pending.eligibility_status, pending.eligibility_decided) == ("pending", None)
    dropped = Participant.objects.get(key="p5")
    assert (dropped.dropped_out_on, dropped.dropout_reason) == (
        dt.date(2021, 6, 20),
        "Business pressures.",
    )
    feedback = SurveyResponse.objects.get(participant__key="p3", kind="session_feedback")
    assert feedback.instrument.kind == "session_feedback" and feedback.instrument.active
    assert feedback.answers == {"overall_satisfaction": 4}  # null: not answered
    # Keys made for records given without one, in the document's order.
    assert set(OneToOneSession.objects.values_list("key", flat=True)) == {
        "p1-1to1-a",
        "p1-o1",
        "p2-o1",
        "p7-o1",
    }
    assert Complaint.objects.get(hub__key="wy").key == "wy-c1"


def test_export_writes_every_field_the_same_way(small):
    import_document(small)
    document = export_document()

    session = item(item(document["cohorts"], "gm-1")["sessions"], "gm-1-s1")
    assert session["attendance"]["p5"] == {"present": False, "hours": 0}
    assert session["attendance"]["p2"] == {"present": True, "hours": 2.5}
    assert session["topics"] == ["digital", "finance"]
    assert session["facilitator_notes"]["process_issues"] is None
    p2 = item(document["participants"], "p2")
    assert p2["equality"] == {
        "gender": "male",
        "ethnic_group": "asian",
        "age_band": None,
        "disability": None,
    }
    assert p2["charter_signed"] == "2021-05-13T16:45"
    assert item(document["participants"], "p1")["charter_signed"] == "2021-05-12"
    assert item(document["participants"], "p1")["charter_version"] == "1"
    assert item(document["participants"], "p6")["eligibility"] is None
    assert item(document["businesses"], "b2")["turnover"] == 640000.5
    assert item(document["businesses"], "b1")["turnover"] == 1850000
    assert isinstance(item(document["businesses"], "b1")["turnover"], int)
    assert document["programme"]["rules"]["one_to_one_hours"] == 3.5
    assert item(document["users"], "funder-1")["roles"] == [{"role": "funder", "hub": None}]
    one_to_one = item(document["one_to_ones"], "p2-o1")
    assert (one_to_one["provider"], one_to_one["route"]) == (None, "existing")


# -- times ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored", "exported"),
    [
        # Summer: local time is UTC+1.
        ("2021-06-01T09:30", dt.datetime(2021, 6, 1, 8, 30, tzinfo=UTC), "2021-06-01T09:30"),
        ("2021-06-01T09:30+01:00", dt.datetime(2021, 6, 1, 8, 30, tzinfo=UTC), "2021-06-01T09:30"),
        ("2021-06-01T09:30Z", dt.datetime(2021, 6, 1, 9, 30, tzinfo=UTC), "2021-06-01T10:30"),
        # Winter: local time is UTC.
        ("2021-12-07T14:00", dt.datetime(2021, 12, 7, 14, 0, tzinfo=UTC), "2021-12-07T14:00"),
        (
            "2021-12-07T14:00:15",
            dt.datetime(2021, 12, 7, 14, 0, 15, tzinfo=UTC),
            "2021-12-07T14:00:15",
        ),
        ("2021-12-07T14:00-05:00", dt.datetime(2021, 12, 7, 19, 0, tzinfo=UTC), "2021-12-07T19:00"),
    ],
)
def test_date_times_are_london_local_unless_they_carry_an_offset(small, given, stored, exported):
    item(small["cohorts"], "gm-2")["sessions"][0]["starts_at"] = given
    import_document(small)

    assert GroupSession.objects.get(key="gm-2-s1").starts_at == stored
    cohort = item(export_document()["cohorts"], "gm-2")
    assert cohort["sessions"][0]["starts_at"] == exported


def test_a_local_time_skipped_by_the_clocks_going_forward_is_refused(small):
    item(small["cohorts"], "gm-2")["sessions"][0]["starts_at"] = "2022-03-27T01:30"

    assert problems_of(small) == [
        'cohorts[1].sessions[0].starts_at: "2022-03-27T01:30" does not exist in Europe/London '
        "(the clocks went forward); give the time with its offset"
    ]


# -- faults: all reported, nothing written ---------------------------------------------


def test_every_schema_fault_is_reported_at_its_path(small):
    small["participants"][0]["colour"] = "blue"
    small["participants"][1]["equality"]["gender"] = "f"
    small["participants"][2]["registered"] = "05/05/2021"
    del small["hubs"][1]["lep"]
    small["cohorts"][0]["sessions"][0]["hours"] = 0
    small["surveys"][0]["kind"] = "midpoint"
    small["format"] = "peernet-scenario/2"

    assert problems_of(small) == [
        'format: "peernet-scenario/2" is not "peernet-scenario/1"',
        "hubs[1].lep: is required but missing",
        "participants[0].colour: unknown field, not part of peernet-scenario/1",
        'participants[1].equality.gender: "f" is not one of: female, male, non-binary, '
        "other, prefer-not-to-say, null",
        'participants[2].registered: "05/05/2021" is not valid: expected a date, YYYY-MM-DD.',
        "cohorts[0].sessions[0].hours: 0 must be more than 0",
        'surveys[0].kind: "midpoint" is not one of: baseline, session_feedback, exit, dropout, '
        "follow_up",
    ]


def test_an_unknown_field_is_an_error_not_dropped(small):
    small["cohorts"][0]["sessions"][1]["attendance"]["p1"]["late"] = True

    assert problems_of(small) == [
        "cohorts[0].sessions[1].attendance.p1.late: unknown field, not part of peernet-scenario/1"
    ]


def test_faults_of_form_and_of_value_are_reported_in_one_run(small):
    """Issue 17: whoever fixes a document sees every fault at once, not the schema's
    first and the values' only after those are fixed."""
    small["participants"][0]["nickname"] = "Al"  # unknown field
    small["cohorts"][0]["sessions"][0]["hours"] = -1  # negative hours
    small["cohorts"][0]["sessions"][1]["starts_at"] = "2021-13-40T09:30"  # no such day

    assert problems_of(small) == [
        "participants[0].nickname: unknown field, not part of peernet-scenario/1",
        "cohorts[0].sessions[0].hours: -1 must be more than 0",
        'cohorts[0].sessions[1].starts_at: "2021-13-40T09:30" is not a date and time in the '
        "calendar",
    ]


def test_a_part_too_malformed_to_read_is_skipped_and_the_rest_still_read(small):
    small["participants"][0]["business"] = "b99"  # a reference fault
    small["participants"][1]["senior_decision_maker"] = "yes"  # p2 cannot be read
    del small["cohorts"][0]["name"]  # nor can gm-1, whose sessions others name
    small["complaints"][0]["received"] = "2021-02-30"

    # Nothing is said about p2's or gm-1's records elsewhere (attendance, surveys, the
    # observation of gm-1's session): their keys are still known.
    assert problems_of(small) == [
        'participants[1].senior_decision_maker: expected true or false, not "yes"',
        "cohorts[0].name: is required but missing",
        'complaints[0].received: "2021-02-30" is not a date in the calendar',
        'participants[0].business: no business with key "b99"',
    ]


def test_a_value_the_schema_refuses_is_not_reasoned_from(small):
    # The attendance would be "more than the session's hours", and the kind "no active
    # survey instrument": the schema's words are enough.
    small["cohorts"][0]["sessions"][0]["hours"] = 0
    small["surveys"][0]["kind"] = "midpoint"

    assert problems_of(small) == [
        "cohorts[0].sessions[0].hours: 0 must be more than 0",
        'surveys[0].kind: "midpoint" is not one of: baseline, session_feedback, exit, dropout, '
        "follow_up",
    ]


class _Undo(Exception):
    pass


def import_outcome(document: Any) -> list[Problem]:
    """The problems an import reports, or [] when it imported (then undone)."""
    try:
        with transaction.atomic():
            import_document(document)
            raise _Undo
    except ScenarioError as error:
        return error.problems
    except _Undo:
        return []


def malformed(document: Any) -> list[tuple[str, Any, bool]]:
    """(path, a copy of the document, whether the schema must refuse it) with one value
    of the wrong type, or one field left out, at each place the document has a value
    (the first of each list's items stands for the others)."""
    wrong = {dict: "not an object", list: "not a list", str: 12, bool: "yes", type(None): ["x"]}
    variants = []
    seen = set()

    def visit(value: Any, parts: tuple[str | int, ...]) -> None:
        place = tuple("*" if isinstance(part, int) else part for part in parts)
        if place in seen:
            return
        seen.add(place)
        path = format_path(parts)
        changed = copy.deepcopy(document)
        replace(changed, parts, wrong.get(type(value), "many"))
        variants.append((path, changed, True))
        if parts and isinstance(parts[-1], str):
            without = copy.deepcopy(document)
            del at(without, parts[:-1])[parts[-1]]
            variants.append((f"{path} (left out)", without, False))
        if isinstance(value, dict):
            for name, child in value.items():
                visit(child, (*parts, name))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                visit(child, (*parts, index))

    visit(document, ())
    return variants


def at(value: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        value = value[part]
    return value


def replace(document: Any, parts: tuple[str | int, ...], value: Any) -> None:
    if parts:
        at(document, parts[:-1])[parts[-1]] = value


def test_no_malformed_document_stops_the_reader(small):
    """Each value of the wrong type, each field left out: the import reports problems
    (the schema's among them, at that path) and never fails on its own."""
    variants = malformed(small)
    assert len(variants) > 200
    for path, document, refused in variants:
        if not path:  # the document itself, not an object
            document = ["not a document"]
        problems = import_outcome(document)
        if refused:
            assert problems, path
            assert any(
                problem.path == path or path.startswith(f"{problem.path}.") for problem in problems
            ), (path, problems)


def test_reference_and_rule_faults_are_all_reported_at_once(small):
    participants, gm1 = small["participants"], small["cohorts"][0]
    participants[0]["business"] = "b99"
    participants[1]["privacy_notice_acknowledged"] = "2021-05-05"  # after registering (C2)
    participants[2]["eligibility"]["decided"] = "2021-05-01"  # before registering
    participants[3]["business"] = "b2"
    participants[3]["eligibility"]["eligible"] = True  # E9: b2 already has p2
    gm1["members"][2]["left"] = None  # p3 is also current in gm-2
    gm1["sessions"][1]["attendance"]["p7"] = {"present": True, "hours": 1}  # not a member
    gm1["sessions"][0]["attendance"]["p2"]["hours"] = 3.5  # longer than the session
    gm1["sessions"][3]["attendance"] = {"p1": {"present": True, "hours": 3}}  # scheduled
    small["one_to_ones"][3]["provider"] = None  # the programme route needs a provider
    small["users"][6]["roles"][0]["hub"] = None  # a facilitator role names its hub
    small["surveys"][1]["answers"]["overall_satisfaction"] = 6
    small["surveys"][2]["answers"]["mood"] = 3
    small["surveys"][3]["participant"] = "p1"  # p1 was never in wy-1
    small["observations"][1]["observer"] = "nobody"

    assert problems_of(small) == [
        "users[6].roles[0].hub: the facilitator role needs the hub it is held in",
        "participants[1].privacy_notice_acknowledged: C2: the privacy notice is acknowledged "
        "on or before registration (2021-05-04)",
        "participants[2].eligibility.decided: the decision cannot come before registration "
        "(2021-05-05)",
        "cohorts[0].sessions[0].attendance.p2.hours: 3.5 is more than the session's 3 hours",
        'cohorts[0].sessions[1].attendance.p7: "p7" is not a member of cohort "gm-1"',
        "cohorts[0].sessions[3].attendance: K8: attendance is recorded only for a delivered "
        "session, not a scheduled one",
        "one_to_ones[3].provider: a one-to-one through the programme names its provider",
        'surveys[3].participant: "p1" is not a member of cohort "wy-1"',
        'cohorts[1].members[0].left: "p3" is still a member at cohorts[0].members[2]: a '
        "participant is in one cohort at a time, so end that membership first",
        "participants[3].eligibility.eligible: E9: only one person from a business takes part "
        'in a programme year, and business "b2" already has eligible participant "p2" at '
        "participants[1]",
        'participants[0].business: no business with key "b99"',
        'observations[1].observer: no user with key "nobody"',
        "surveys[1].answers.overall_satisfaction: 6 is outside the scale 1 to 5",
        'surveys[2].answers.mood: the session_feedback survey has no question "mood"',
    ]


def test_duplicate_keys_in_one_document_are_reported(small):
    small["businesses"][1]["key"] = "b1"
    small["cohorts"][2]["sessions"][1]["key"] = "gm-1-s1"

    problems = problems_of(small)

    assert 'businesses[1].key: the business key "b1" is also used at businesses[0]' in problems
    assert (
        'cohorts[2].sessions[1].key: the session key "gm-1-s1" is also used at '
        "cohorts[0].sessions[0]" in problems
    )


def test_a_fault_only_the_database_finds_rolls_everything_back(small):
    import_document(small)
    other = {
        "format": "peernet-scenario/1",
        "programme": small["programme"],
        "participants": [],
        # Same hub and name as gm-1 under a new key: only the database's unique
        # constraint knows about gm-1, which this document does not mention.
        "complaints": [{"key": "gm-c9", "hub": "gm", "received": "2021-08-01", "summary": "x"}],
        "cohorts": [{"key": "gm-9", "hub": "gm", "name": "Greater Manchester 1"}],
    }
    before = table_counts()

    with pytest.raises(ScenarioError) as raised:
        import_document(other)

    [problem] = raised.value.problems
    assert problem.path == "cohorts"
    assert problem.message.startswith("the database refused the import, so nothing was written")
    assert table_counts() == before
    assert not Complaint.objects.filter(key="gm-c9").exists()


# -- importing again ------------------------------------------------------------------


def test_importing_the_same_document_twice_is_refused_by_path(small):
    import_document(copy.deepcopy(small))

    problems = problems_of(small)

    assert 'hubs[0].key: a hub with key "gm" already exists; use --update to update it' in problems
    assert (
        'participants[7].key: a participant with key "p8" already exists; use --update to '
        "update it" in problems
    )
    assert (
        'cohorts[0].sessions[0].key: a session with key "gm-1-s1" already exists; use --update '
        "to update it" in problems
    )
    assert (
        'one_to_ones[1].key: a one-to-one with key "p1-o1" already exists; use --update to '
        "update it" in problems
    )
    # Shared structure repeated exactly (the programme, clusters) is not a problem.
    assert not [p for p in problems if p.startswith(("programme", "clusters"))]


def test_update_updates_records_by_key_and_replaces_child_collections(small):
    import_document(copy.deepcopy(small))
    document = export_document()
    p1 = item(document["participants"], "p1")
    p1["last_name"] = "Smith-Jones"
    p1["equality"] = None
    gm1 = item(document["cohorts"], "gm-1")
    gm1["sessions"] = [s for s in gm1["sessions"] if s["key"] != "gm-1-s4"]
    gm1["sessions"][0]["attendance"]["p2"] = {"present": True, "hours": 3}
    gm1["sessions"][0]["topics"] = ["covid-19"]
    del gm1["sessions"][0]["action_cards"]["p2"]
    item(document["hubs"], "wy")["target"] = 99
    document["programme"]["rules"]["cohort_size"] = 12
    document["surveys"][0]["answers"]["resilience"] = 5

    summary = import_document(copy.deepcopy(document), update=True)

    assert summary.updated["participants"] == 8
    assert summary.created.get("participants", 0) == 0
    assert export_document() == document
    assert not GroupSession.objects.filter(key="gm-1-s4").exists()
    assert Programme.objects.get().cohort_size == 12


def test_a_programme_with_the_same_name_and_other_values_needs_update(small):
    import_document(copy.deepcopy(small))
    hub_document = export_document(hub_key="wy")
    hub_document["programme"]["national_target"] = 6500

    assert problems_of(hub_document, update=False)[0] == (
        'programme.name: a programme named "Peer Networks 2021/22" already exists with a '
        "different national_target; use --update to update it"
    )
    import_document(hub_document, update=True)
    assert Programme.objects.get().national_target == 6500


def test_hub_documents_import_into_one_programme(small):
    import_document(copy.deepcopy(small))
    gm, wy = export_document(hub_key="gm"), export_document(hub_key="wy")
    full = export_document()
    empty_database()

    import_document(copy.deepcopy(gm))
    # A user named by both hubs' records (the coordinator observes in wy) is reused.
    import_document(copy.deepcopy(wy))

    assert Programme.objects.count() == 1
    exported = export_document()
    assert exported["participants"] == full["participants"]
    assert exported["cohorts"] == full["cohorts"]


def test_a_problem_reads_as_path_and_sentence():
    assert str(Problem("participants[12].business", 'no business with key "b99"')) == (
        'participants[12].business: no business with key "b99"'
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["cohorts"][0]["sessions"][0].update(hours=1.333),
            "cohorts[0].sessions[0].hours: 1.333 has more than 2 decimal places",
        ),
        (
            lambda d: d["participants"][0].update(registered="2021-02-30"),
            'participants[0].registered: "2021-02-30" is not a date in the calendar',
        ),
        (
            lambda d: d["businesses"][0].update(turnover=10**13),
            "businesses[0].turnover: 10000000000000 is more than 999999999999.99",
        ),
        (
            lambda d: d["complaints"][0].update(resolved="2021-07-01"),
            "complaints[0].resolved: a complaint cannot be resolved before it is received",
        ),
        (
            lambda d: d["surveys"][0].update(session="gm-1-s1"),
            "surveys[0].session: only a session_feedback survey names a session",
        ),
        (
            lambda d: d["one_to_ones"][2].update(existing_programme=None),
            "one_to_ones[2].existing_programme: O1: name the existing local programme",
        ),
        (
            lambda d: d["cohorts"][1]["sessions"].append(
                {"key": "gm-2-s2", "starts_at": "2021-12-07T14:00", "hours": 2}
            ),
            "cohorts[1].sessions[1].starts_at: the same start as cohorts[1].sessions[0].starts_at, "
            "in the same cohort",
        ),
    ],
)
def test_a_value_the_database_would_refuse_is_reported_at_its_path(small, change, expected):
    change(small)

    assert problems_of(small) == [expected]


def test_an_update_that_drops_an_observed_session_writes_nothing(small):
    import_document(copy.deepcopy(small))
    gm1 = small["cohorts"][0]
    gm1["sessions"] = [s for s in gm1["sessions"] if s["key"] != "gm-1-s2"]
    small["observations"] = [o for o in small["observations"] if o["session"] != "gm-1-s2"]
    small["participants"][0]["first_name"] = "Changed"
    before = table_counts()

    with pytest.raises(ScenarioError) as raised:
        import_document(small, update=True)

    [problem] = raised.value.problems
    assert problem.path == "sessions"
    assert "leaves out records that others depend on (Observation of" in problem.message
    assert table_counts() == before
    assert Participant.objects.get(key="p1").first_name == "Alex"


def test_an_account_without_a_key_is_exported_with_one_and_keyed_on_import(small):
    import_document(small)
    admin = User.objects.create_user(email="it@gm.example", name="IT Admin")
    RoleAssignment.objects.create(user=admin, role="hub_admin", hub_id=admin_hub_id())

    document = export_document()
    [entry] = [u for u in document["users"] if u["email"] == "it@gm.example"]

    assert entry["key"] == "it-at-gm-example"
    import_document(document, update=True)
    assert User.objects.get(email="it@gm.example").key == "it-at-gm-example"
    assert export_document() == document


def admin_hub_id() -> int:
    from peernet.models import Hub

    return Hub.objects.get(key="gm").pk
