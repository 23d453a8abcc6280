"""The demo programme (`demo.document`) and `manage.py seed_demo`.

The document is checked by hand-counted facts rather than against a stored copy: what
the demo must show (cohorts in each state, drop-outs, a move, both one-to-one routes,
every survey and role) and the rules the database and the Playbook hold it to, for
several anchors so the story does not depend on the day the demo is run.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, models, transaction

from demo.document import build_demo_document
from demo.management.commands import seed_demo
from demo.records import programme_window
from participants.models import SurveyInstrument
from peernet.addresses import site_url
from peernet.models import Role, User
from reporting.scenario import SCHEMA, export_document, import_document

Json = dict[str, Any]

ANCHOR = dt.date(2026, 11, 21)
# Weekdays and months of every kind, Christmas, month ends and a leap-free February.
ANCHORS = [
    ANCHOR,
    dt.date(2026, 12, 28),
    dt.date(2027, 1, 2),
    dt.date(2027, 2, 28),
    dt.date(2026, 3, 31),
    dt.date(2026, 6, 15),
    dt.date(2026, 8, 1),
    dt.date(2027, 5, 9),
    dt.date(2027, 10, 14),
]


@functools.cache
def demo(anchor: dt.date = ANCHOR) -> Json:
    """Built once per anchor; tests must not change it (deep-copy first)."""
    return build_demo_document(anchor)


# --- reading the document -----------------------------------------------------------


def local(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def sessions(document: Json) -> Iterator[tuple[Json, Json]]:
    for cohort in document["cohorts"]:
        for session in cohort["sessions"]:
            yield cohort, session


def hours(cohort: Json, status: str) -> Decimal:
    return sum(
        (Decimal(str(s["hours"])) for s in cohort["sessions"] if s["status"] == status),
        Decimal(0),
    )


def participants(document: Json) -> dict[str, Json]:
    return {p["key"]: p for p in document["participants"]}


def spells(document: Json) -> Iterator[tuple[Json, Json]]:
    for cohort in document["cohorts"]:
        for member in cohort["members"]:
            yield cohort, member


def covers(member: Json, when: dt.date) -> bool:
    left = member["left"] and day(member["left"])
    return day(member["joined"]) <= when and (not left or when < left)


def first_attended(document: Json) -> dict[str, dt.date]:
    first: dict[str, dt.date] = {}
    for _, session in sessions(document):
        for key, mark in session.get("attendance", {}).items():
            when = day(session["starts_at"])
            if mark["present"] and (key not in first or when < first[key]):
                first[key] = when
    return first


# --- the document ---------------------------------------------------------------------


def test_the_document_validates_against_the_published_schema() -> None:
    jsonschema.validate(demo(), SCHEMA)


def test_the_same_anchor_gives_the_same_document() -> None:
    assert build_demo_document(ANCHOR) == build_demo_document(ANCHOR)


def test_a_later_anchor_moves_the_dates_and_keeps_the_story() -> None:
    # Whole weeks, so sessions keep their weekday; summer anchors, so no session of either
    # document is moved out of the Christmas break.
    four_weeks = dt.timedelta(days=28)
    earlier, later = demo(dt.date(2026, 7, 8)), demo(dt.date(2026, 7, 8) + four_weeks)

    starts = [local(s["starts_at"]) for _, s in sessions(earlier)]
    assert [local(s["starts_at"]) for _, s in sessions(later)] == [t + four_weeks for t in starts]
    assert [p["last_name"] for p in later["participants"]] == [
        p["last_name"] for p in earlier["participants"]
    ]
    assert earlier["programme"]["delivery_start"] == "2025-12-01"
    assert later["programme"]["delivery_start"] == "2026-01-01"


def test_the_window_runs_twelve_months_from_seven_months_before_the_anchor() -> None:
    assert programme_window(ANCHOR) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert programme_window(dt.date(2027, 2, 1)) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert demo()["programme"] == {
        "name": "Peer Networks 2026/27",
        "delivery_start": "2026-04-01",
        "delivery_end": "2027-03-31",
        "national_target": 6000,
    }


def test_the_programme_has_hubs_clusters_people_and_cohorts() -> None:
    document = demo()
    hubs = document["hubs"]

    assert len(hubs) >= 3
    assert len({hub["cluster"] for hub in hubs}) == len(document["clusters"]) == 2
    for hub in hubs:
        assert hub["lep"] and hub["target"] > 0 and hub["local_authorities"]
        assert hub["privacy_notice_url"].startswith("https://")
    assert {p["hub"] for p in document["delivery_partners"]} >= {"gm", "lancs", "gbs"}
    assert len(document["cohorts"]) >= 6
    assert len(document["participants"]) >= 60
    roles = Counter(role["role"] for user in document["users"] for role in user["roles"])
    assert set(roles) == set(Role.values)
    assert roles[Role.HUB_ADMIN] == len(hubs)  # one hub administrator per hub
    assert all(user["email"].endswith("@example.org") for user in document["users"])


def test_registrations_pass_fail_and_wait_for_eligibility() -> None:
    people = demo()["participants"]
    refused = [p for p in people if p["eligibility"] and p["eligibility"]["eligible"] is False]
    pending = [p for p in people if p["eligibility"] is None]

    assert len(refused) >= 5 and all(p["eligibility"]["notes"] for p in refused)
    notes = " ".join(p["eligibility"]["notes"] for p in refused)
    for rule in ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9"):
        assert f"({rule})" in notes or f"{rule})" in notes, rule
    assert "£72,000" in notes  # turnover under £100,000
    assert pending and all(p["charter_signed"] is None for p in pending)
    exceptions = [
        e for p in people if p["eligibility"] for e in p["eligibility"].get("exceptions", [])
    ]
    assert {e["rule"] for e in exceptions} == {"E6", "E8"}
    e6 = next(e for e in exceptions if e["rule"] == "E6")
    assert "Greater Manchester LEP" in e6["agreed_by"] and "Lancashire LEP" in e6["agreed_by"]


def test_the_equality_data_is_a_realistic_mix() -> None:
    answers = [p["equality"] for p in demo()["participants"]]
    for question in ("gender", "ethnic_group", "age_band", "disability"):
        values = Counter(a[question] for a in answers)
        assert None in values and len(values) >= 3, question


def test_cohorts_are_in_every_state_on_the_anchor() -> None:
    by_key = {cohort["key"]: cohort for cohort in demo()["cohorts"]}

    completed = by_key["gm-1"]
    assert hours(completed, "delivered") == 18 and not hours(completed, "scheduled")
    forming = by_key["gm-3"]
    assert forming["members"] and not hours(forming, "delivered")
    assert min(day(s["starts_at"]) for s in forming["sessions"]) > ANCHOR
    running = by_key["gm-2"]
    assert 0 < hours(running, "delivered") < 18
    assert hours(running, "delivered") + hours(running, "scheduled") == 18
    at_risk = by_key["lancs-2"]
    assert hours(at_risk, "delivered") > 0
    assert hours(at_risk, "delivered") + hours(at_risk, "scheduled") < 18


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_every_anchor_shows_each_state(anchor: dt.date) -> None:
    document = demo(anchor)
    start, end = programme_window(anchor)
    states = Counter()
    for cohort in document["cohorts"]:
        delivered, scheduled = hours(cohort, "delivered"), hours(cohort, "scheduled")
        if delivered >= 18:
            states["completed"] += 1
        elif delivered + scheduled < 18:
            states["at risk"] += 1
        elif delivered == 0 and cohort["members"]:
            states["forming"] += 1
        else:
            states["running"] += 1
    assert set(states) == {"completed", "running", "forming", "at risk"}, states
    for _, session in sessions(document):
        when = day(session["starts_at"])
        assert start <= when <= end, session["key"]  # K5
        if when < anchor:
            assert session["status"] in {"delivered", "cancelled"}, session["key"]
        else:
            assert session["status"] == "scheduled", session["key"]


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_the_document_keeps_the_model_constraints(anchor: dt.date) -> None:
    document = demo(anchor)
    people = participants(document)
    for person in people.values():
        assert day(person["privacy_notice_acknowledged"]) <= day(person["registered"])  # C2
        if person["eligibility"]:
            assert day(person["eligibility"]["decided"]) >= day(person["registered"])
        assert day(person["registered"]) < anchor
    eligible = Counter(
        p["business"] for p in people.values() if (p["eligibility"] or {}).get("eligible")
    )
    assert max(eligible.values()) == 1  # E9

    current = Counter()
    for _, member in spells(document):
        person = people[member["participant"]]
        assert person["eligibility"]["eligible"] is True
        assert day(person["charter_signed"]) < day(member["joined"])  # C1
        current[member["participant"]] += member["left"] is None
    assert max(current.values()) == 1  # one current cohort at a time

    for cohort, session in sessions(document):
        when = day(session["starts_at"])
        members = {m["participant"] for m in cohort["members"] if covers(m, when)}
        assert len(members) <= 11  # K1
        if session["status"] == "delivered":
            assert set(session["attendance"]) == members, session["key"]  # K8, members only
            assert set(session["action_cards"]) <= members


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_the_playbook_timings_hold_with_one_late_exception(anchor: dt.date) -> None:
    document = demo(anchor)
    late = []
    for _, session in sessions(document):
        sent = session["joining_instructions_sent"]
        if session["status"] == "delivered":
            assert sent, session["key"]
            if local(session["starts_at"]) - local(sent) < dt.timedelta(hours=48):  # K7
                late.append(session["key"])
    assert late == ["lancs-1-s5"]

    first = first_attended(document)
    for one_to_one in document["one_to_ones"]:
        starts = local(one_to_one["starts_at"])
        assert starts.date() > first[one_to_one["participant"]]  # O2
        if one_to_one["joining_instructions_sent"]:
            assert starts - local(one_to_one["joining_instructions_sent"]) >= dt.timedelta(
                hours=48
            )  # O5
    starts_at = {s["key"]: local(s["starts_at"]) for _, s in sessions(document)}
    for observation in document["observations"]:
        notice = starts_at[observation["session"]] - local(observation["notice_given"])
        assert notice >= dt.timedelta(hours=24)  # Q2


def test_drop_outs_a_move_and_a_late_arrival() -> None:
    document = demo()
    people = participants(document)
    dropped = {k: p["dropped_out"] for k, p in people.items() if p["dropped_out"]}
    assert len(dropped) >= 2 and all(d["date"] and d["reason"] for d in dropped.values())
    for _, member in spells(document):
        if member["participant"] in dropped:
            assert member["left"] == dropped[member["participant"]]["date"]

    spells_of: dict[str, list[tuple[Json, Json]]] = {}
    for cohort, member in spells(document):
        spells_of.setdefault(member["participant"], []).append((cohort, member))
    moves = [s for s in spells_of.values() if len(s) == 2]
    assert len(moves) == 1
    (old, left), (new, joined) = sorted(moves[0], key=lambda s: s[1]["joined"])
    assert left["left"] == joined["joined"] and old["key"] != new["key"]
    for cohort in (old, new):  # K11: neither cohort had met when the move was made
        assert all(
            day(s["starts_at"]) > day(left["left"])
            for s in cohort["sessions"]
            if s["status"] == "delivered"
        )

    marks = [
        (session, mark)
        for _, session in sessions(document)
        for mark in session.get("attendance", {}).values()
    ]
    assert any(m["present"] and 0 < m["hours"] < s["hours"] for s, m in marks)  # late
    assert any(not m["present"] and m["hours"] == 0 for _, m in marks)
    assert any(s["status"] == "cancelled" for _, s in sessions(document))


def test_one_to_ones_come_through_both_routes() -> None:
    document = demo()
    routes = Counter(o["route"] for o in document["one_to_ones"])
    assert routes["programme"] and routes["existing"]
    for one_to_one in document["one_to_ones"]:
        if one_to_one["route"] == "existing":
            assert one_to_one["existing_programme"] and one_to_one["provider"] is None
        else:
            assert one_to_one["provider"] and not one_to_one["existing_programme"]
    names = {o["existing_programme"] for o in document["one_to_ones"]} - {None}
    assert {"Made Smarter", "Help to Grow: Management"} <= names

    delivered: Counter[str] = Counter()
    for one_to_one in document["one_to_ones"]:
        if one_to_one["status"] == "delivered":
            delivered[one_to_one["participant"]] += Decimal(str(one_to_one["hours"]))
    assert sum(1 for total in delivered.values() if total >= Decimal("3.5")) >= 10  # O1
    assert any(p["one_to_one_declined"] for p in document["participants"])  # O8


def test_quality_records_and_every_kind_of_survey() -> None:
    document = demo()
    assert len(document["observations"]) >= 2 and len(document["complaints"]) >= 2
    assert any(c["resolved"] is None for c in document["complaints"])
    kinds = Counter(s["kind"] for s in document["surveys"])
    assert set(kinds) == {"baseline", "session_feedback", "exit", "dropout"}

    people = participants(document)
    present = {
        (key, session["key"])
        for _, session in sessions(document)
        for key, mark in session.get("attendance", {}).items()
        if mark["present"]
    }
    for survey in document["surveys"]:
        person = people[survey["participant"]]
        assert day(survey["completed"]) < ANCHOR
        if survey["kind"] == "session_feedback":
            assert (survey["participant"], survey["session"]) in present
        else:
            assert survey["session"] is None
        if survey["kind"] == "exit":
            assert person["dropped_out"] is None
        if survey["kind"] == "dropout":
            assert person["dropped_out"] is not None


@pytest.mark.django_db
def test_survey_answers_fit_the_instruments() -> None:
    questions = {
        instrument.kind: {q["key"]: q for q in instrument.questions}
        for instrument in SurveyInstrument.objects.filter(active=True)
    }
    for survey in demo()["surveys"]:
        asked = questions[survey["kind"]]
        if survey["kind"] == "session_feedback":
            assert 1 <= survey["answers"]["overall_satisfaction"] <= 5
        for key, answer in survey["answers"].items():
            question = asked[key]  # an unknown key is an error
            match question["type"]:
                case "scale":
                    assert isinstance(answer, int)
                    assert question["min"] <= answer <= question["max"], (key, answer)
                case "yes_no":
                    assert isinstance(answer, bool)
                case "choice":
                    assert answer in question["choices"]
                case "text":
                    assert isinstance(answer, str)


# --- the command ----------------------------------------------------------------------


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    # The real hasher makes each password check take a noticeable fraction of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(anchor: dt.date = ANCHOR) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--anchor", anchor.isoformat(), stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_the_demo_password_passes_the_password_rules() -> None:
    user = User(email="coordinator@example.org", name="Helen Whitfield")
    validate_password(seed_demo.DEMO_PASSWORD, user)  # raises if refused
    assert len(seed_demo.DEMO_PASSWORD) >= 12


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_seed_demo_prints_a_login_for_every_role() -> None:
    output = seed()

    for role in Role:
        assert role.label in output
    for user in demo()["users"]:
        assert user["email"] in output
    assert seed_demo.DEMO_PASSWORD in output
    assert "Greater Manchester 1, Greater Manchester 3" in output  # a facilitator's cohorts
    assert f"Open {site_url()}" in output
    for user in User.objects.filter(key__in=[u["key"] for u in demo()["users"]]):
        assert user.check_password(seed_demo.DEMO_PASSWORD)
    coordinator = User.objects.get(email="coordinator@example.org")
    assert coordinator.is_staff and coordinator.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(pk=coordinator.pk).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_the_demo_on_another_port_prints_and_links_to_that_port(settings) -> None:
    """scripts/demo sets SITE_URL to the port it serves on: the printed address and the
    links in emails name that port, not 8000."""
    from participants.models import SurveyInvitation
    from participants.surveys import survey_link

    settings.SITE_URL = "http://127.0.0.1:8123"
    output = seed()

    assert "Open http://127.0.0.1:8123" in output and ":8000" not in output
    invitation = SurveyInvitation(
        nonce=uuid.uuid4(), kind=SurveyInvitation._meta.get_field("kind").choices[0][0]
    )
    assert survey_link(invitation).startswith("http://127.0.0.1:8123/p/")


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_seed_demo_twice_changes_nothing() -> None:
    seed()
    counts, exported = row_counts(), export_document()

    seed()

    assert row_counts() == counts
    assert export_document() == exported


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_everything_in_the_demo_document_is_imported() -> None:
    """Import then export gives the demo document back, up to how the exporter writes
    nothing (null, "" or an empty list are all "nothing") and the order of lists."""
    seed()
    exported = export_document()
    exported["programme"].pop("rules")  # the demo keeps the default rule parameters

    assert canonical(exported) == canonical(demo())


def canonical(value: Any) -> Any:
    if isinstance(value, dict):
        pairs = ((k, canonical(v)) for k, v in value.items())
        return {k: v for k, v in pairs if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        # Records in any order; and topics are a set (the exporter sorts them).
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.mark.django_db
def test_seed_demo_reports_import_problems_and_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = copy.deepcopy(demo())
    broken["cohorts"][0]["facilitator"] = "nobody"
    monkeypatch.setattr(seed_demo, "build_demo_document", lambda anchor: broken)
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("seed_demo", "--anchor", ANCHOR.isoformat(), stderr=err)

    assert raised.value.returncode == 1
    assert "cohorts[0].facilitator" in err.getvalue()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_seed_then_export_imports_into_an_empty_database_and_exports_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The acceptance test: seed_demo, export, import that into an empty database, export
    again, and get the same document.

    "Empty" means: without anything the seed added. Rather than flush (which would also
    remove the topics and survey instruments the migrations seed, and any reference data
    added later) the test remembers which rows existed before the seed and deletes every
    other row, model by model, retrying models whose rows are still protected by others
    until nothing is left. It needs no list of models, so it keeps working as models are
    added; everything happens inside the test's transaction.
    """
    before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in _models()}
    # Without the demo's submitted returns (tests/demo/test_demo_returns.py): they are not
    # part of the scenario document, and a submitted version and the audit events of its
    # submission can never be deleted, so no database holding them is "empty" again.
    monkeypatch.setattr(seed_demo, "submit_demo_returns", lambda anchor: 0)
    seed()
    exported = export_document()

    _delete_rows_added_since(before)
    assert {m: m._base_manager.count() for m in before} == {m: len(p) for m, p in before.items()}
    import_document(exported)

    assert export_document() == exported


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _delete_rows_added_since(before: dict[type[models.Model], set[Any]]) -> None:
    remaining = list(before)
    while remaining:
        blocked = []
        for model in remaining:
            added = model._base_manager.exclude(pk__in=before[model])
            try:
                with transaction.atomic():
                    added.delete()
            except (models.ProtectedError, models.RestrictedError, IntegrityError):
                blocked.append(model)
        if len(blocked) == len(remaining):
            raise AssertionError(f"Rows that cannot be deleted: {blocked}")
        remaining = blocked


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
def test_the_demo_shows_each_role_a_to_do_list_and_flags_the_at_risk_cohort() -> None:
    from reporting.models import Finding, RiskScan
    from reporting.selectors import todo_for_user

    seed()

    assert RiskScan.objects.filter(run_on=ANCHOR).count() == len(demo()["hubs"])
    facilitator = User.objects.filter(role_assignments__role=Role.FACILITATOR)
    provider = User.objects.filter(role_assignments__role=Role.ONE_TO_ONE_PROVIDER)
    for user in (
        User.objects.get(email="gm.admin@example.org"),
        User.objects.get(email="lancs.admin@example.org"),
        next(u for u in facilitator.distinct() if todo_for_user(u)),
        next(u for u in provider.distinct() if todo_for_user(u)),
    ):
        assert todo_for_user(user), user
    (k6,) = Finding.objects.open().filter(rule="K6", cohort__name="Lancashire 2")
    assert k6.sentence == (
        "Lancashire 2 has 15.0 of 18 hours delivered or scheduled by 31 March 2027."
    )
    lancs = todo_for_user(User.objects.get(email="lancs.admin@example.org"))
    assert any(
        i.subject == "Lancashire 2" and i.action == "Schedule sessions to reach 18 hours"
        for i in lancs
    )
