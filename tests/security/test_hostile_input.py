"""Hostile input (docs/security.md §16, §19, §20), by property: the main forms, fed random text,
markup and numbers through their real pages, only ever answer with a validation error
(200, the page again) or success (302), never a server error; what they accept satisfies
the rules (non-negative counts, ordered dates, hours > 0); markup put into a free-text
field comes back escaped wherever the field is shown; and the imports are all or nothing.

Each example runs inside a savepoint that is rolled back, so examples do not see each
other's writes. Examples are few (max_examples) and undeadlined, to keep the suite fast.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cohorts.models import Cohort
from participants.models import Business, Participant
from participants.registration_import import COLUMNS, ROW, ImportRefused, example_row, import_rows
from peernet.models import Breach
from reporting.scenario import ScenarioError, import_document
from sessions.models import Attendance, Complaint, FacilitatorNote, GroupSession, SessionStatus
from tests.factories import (
    date_fields,
    local,
    make_cohort_member,
    make_session,
    registration_form,
    session_edit_url,
)

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FEW = settings(
    max_examples=25,
    deadline=None,
    database=None,
    # No shrinking: a failure is reported as found, so a failing run stays quick.
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a person, a bot or an attacker might type: markup, numbers that are not, edge
# values, control and right-to-left characters, very long text.
NASTY = st.sampled_from(
    [
        MARKUP,
        f'"><img src=x onerror=alert(1)>{MARKUP}',
        "",
        " ",
        "0",
        "-1",
        "1e9",
        "NaN",
        "Infinity",
        "3.499",
        "3.5",
        "99999999999999999999",
        "'; DROP TABLE participants_participant; --",
        "\u202etxt.exe",
        "\x00",
        "a" * 6000,
        "{{ 7|add:1 }}",
        "%s%s%n",
        "2021-02-30",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=120))
NUMBER_TEXT = st.one_of(
    NASTY,
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
)
NOW = local("2021-10-12T12:00")


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, taken back when it ends."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)
        cache.clear()  # the public form's rate limit


def _answered(response: Any) -> bool:
    """True when the form was accepted (a redirect), False when it answered with its
    errors (200, or 400 where a page says the POST was bad); anything else (a 500, a 403,
    a 404) fails the test, as does a database error the view swallowed."""
    assert response.status_code in (200, 302, 400), response.status_code
    assert not transaction.get_rollback(), "a database error was caught and ignored"
    return response.status_code == 302


def _escaped(html: str, *texts: str) -> None:
    """No raw markup came back; the markup that was stored is shown escaped."""
    assert MARKUP not in html
    if any(MARKUP in text for text in texts):
        assert ESCAPED in html


# --- public registration (C2, E1–E10) ------------------------------------------------------

REGISTRATION = registration_form()
NUMERIC = {"employees", "turnover", "balance_sheet_total", "trading_since_0"}
NUMERIC |= {"trading_since_1", "trading_since_2"}


@FEW
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(REGISTRATION)), st.one_of(TEXT, NUMBER_TEXT), max_size=6
    )
)
def test_public_registration(client, personas, changes):
    data = {**REGISTRATION, **changes}
    notice = reverse("public:register", kwargs={"hub": "hub-a"})
    details = reverse("public:register-details", kwargs={"hub": "hub-a"})
    check = reverse("public:register-check", kwargs={"hub": "hub-a"})
    with rolled_back():
        assert client.post(notice, {"acknowledged": "on"}).status_code == 302
        before = Participant.objects.count()
        answered = client.post(details, data)
        if answered.status_code == 302 and answered["Location"] == check:
            # Check your answers writes nothing; "Accept and send" does.
            assert Participant.objects.count() == before
            assert client.get(check).status_code == 200
            answered = client.post(check)
        accepted = _answered(answered)
        # The hidden "website" field catches bots: they are thanked and nothing is kept.
        bot = bool(data["website"].strip())
        assert Participant.objects.count() == before + (1 if accepted and not bot else 0)
        if not accepted or bot:
            return
        person = Participant.objects.select_related("business").latest("pk")
        business = person.business
        # What was accepted satisfies the rules.
        assert business.employees is None or business.employees >= 0
        assert business.turnover is None or business.turnover >= 0
        assert business.balance_sheet_total is None or business.balance_sheet_total >= 0
        assert person.privacy_notice_acknowledged <= person.registered
        assert "@" in person.email
        # ...and is shown escaped in the hub's pages.
        client.force_login(personas.hub_a_admin)
        page = client.get(reverse("hub:participant", kwargs={"hub": "hub-a", "code": person.code}))
        _escaped(
            page.content.decode(),
            person.first_name,
            person.last_name,
            person.job_title,
            business.name,
        )
        client.logout()


# --- complaints (Q5) -------------------------------------------------------------------------


@FEW
@given(
    kind=st.one_of(st.sampled_from(["complaint", "compliment"]), TEXT),
    day=NUMBER_TEXT,
    month=NUMBER_TEXT,
    year=NUMBER_TEXT,
    received_from=TEXT,
    summary=TEXT,
)
@time_machine.travel(NOW, tick=False)
def test_complaint(client, personas, kind, day, month, year, received_from, summary):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:complaint-new", kwargs={"hub": "hub-a"})
    data = {
        "kind": kind,
        **date_fields("received", day, month, year),
        "received_from": received_from,
        "summary": summary,
    }
    with rolled_back():
        accepted = _answered(client.post(url, data))
        assert Complaint.objects.exists() == accepted
        if not accepted:
            return
        complaint = Complaint.objects.get()
        assert complaint.received <= NOW.date()
        assert complaint.summary.strip() and complaint.kind in ("complaint", "compliment")
        for page in ("hub:complaint", "hub:complaints"):
            kwargs = {"hub": "hub-a", **({"key": complaint.key} if page == "hub:complaint" else {})}
            html = client.get(reverse(page, kwargs=kwargs)).content.decode()
            _escaped(html, complaint.received_from, complaint.summary)


# --- cohorts and the schedule (K1, K3–K6) ---------------------------------------------------


@FEW
@given(name=TEXT, facilitator=st.one_of(TEXT, st.integers().map(str)), day=NUMBER_TEXT)
@time_machine.travel(NOW, tick=False)
def test_cohort_create(client, personas, name, facilitator, day):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohorts", kwargs={"hub": "hub-a"})
    data = {
        "name": name,
        "facilitator": facilitator,
        **date_fields("planned_start", day, "3", "2022"),
    }
    with rolled_back():
        before = Cohort.objects.count()
        accepted = _answered(client.post(url, data))
        assert Cohort.objects.count() == before + (1 if accepted else 0)
        if accepted:
            cohort = Cohort.objects.latest("pk")
            assert cohort.hub_id == personas.hub_a.pk  # never another hub (docs/security.md §4)
            assert cohort.name.strip()
            _escaped(client.get(url).content.decode(), cohort.name)


@FEW
@given(
    day=NUMBER_TEXT,
    start=st.one_of(TEXT, st.sampled_from(["09:30", "23:59", "24:00", "9:5"])),
    hours=NUMBER_TEXT,
    location=TEXT,
)
@time_machine.travel(NOW, tick=False)
def test_session_edit(client, personas, day, start, hours, location):
    client.force_login(personas.hub_a_admin)
    data = {
        **date_fields("day", day, "12", "2021"),
        "start_time": start,
        "hours": hours,
        "location": location,
    }
    with rolled_back():
        session = make_session(personas.cohort_a, "2021-12-14T09:30")
        url = session_edit_url(session)
        accepted = _answered(client.post(url, data))
        session.refresh_from_db()
        if accepted:
            assert Decimal("0") < session.hours <= Decimal("12")
            _escaped(client.get(url).content.decode(), session.location)
        else:
            assert session.starts_at == local("2021-12-14T09:30")
            assert session.hours == Decimal("3")


# --- the facilitator's records: attendance (K8) and notes (K9) -----------------------------


@pytest.fixture
def delivered(personas):
    session = make_session(personas.cohort_a, "2021-10-05T09:30", status=SessionStatus.DELIVERED)
    bea = make_cohort_member(personas.cohort_a, first_name=MARKUP)
    return session, [personas.participant_a, bea]


PRESENCE = st.one_of(st.sampled_from(["present", "absent", "apologies"]), TEXT)


@FEW
@given(rows=st.lists(st.tuples(PRESENCE, NUMBER_TEXT), min_size=2, max_size=2))
def test_attendance(client, personas, delivered, rows):
    session, people = delivered
    client.force_login(personas.facilitator)
    url = reverse("facilitation:attendance", kwargs={"hub": "hub-a", "code": session.code})
    data: dict[str, Any] = {"participant": [str(p.code) for p in people]}
    for person, (presence, hours) in zip(people, rows, strict=True):
        data[f"presence-{person.code}"] = presence
        data[f"hours-{person.code}"] = hours
    with rolled_back():
        response = client.post(url, data)
        accepted = _answered(response)
        rows_saved = list(Attendance.objects.filter(session=session))
        assert len(rows_saved) == (2 if accepted else 0)  # all or nothing
        for row in rows_saved:
            if row.present:
                assert Decimal("0") < row.hours <= session.hours
            else:
                assert row.hours == 0
        html = (client.get(url) if accepted else response).content.decode()
        _escaped(html, MARKUP)  # the participant's name is markup


def test_a_name_in_a_form_legend_is_escaped(client, personas, delivered):
    """crispy-forms-gds prints legends, labels and hints unescaped: a participant's name
    in the attendance register's legend was markup on the page until escaped."""
    session, _ = delivered
    client.force_login(personas.facilitator)
    url = reverse("facilitation:attendance", kwargs={"hub": "hub-a", "code": session.code})
    html = client.get(url).content.decode()
    assert MARKUP not in html
    assert ESCAPED in html


NOTE_FIELDS = ["issues_brought", "actions_agreed", "process_issues", "hot_topics"]


@FEW
@given(texts=st.lists(TEXT, min_size=4, max_size=4), tags=st.lists(TEXT, max_size=2))
def test_facilitator_notes(client, personas, delivered, texts, tags):
    session, _ = delivered
    client.force_login(personas.facilitator)
    url = reverse("facilitation:notes", kwargs={"hub": "hub-a", "code": session.code})
    data = {**dict(zip(NOTE_FIELDS, texts, strict=True)), "topics": tags}
    with rolled_back():
        accepted = _answered(client.post(url, data))
        note = FacilitatorNote.objects.filter(session=session).first()
        assert (note is not None) == accepted
        if accepted:
            stored = [getattr(note, name) for name in NOTE_FIELDS]
            assert stored == [text.strip() for text in texts]
            _escaped(client.get(url).content.decode(), *stored)


# --- the breach register --------------------------------------------------------------------


@FEW
@given(
    when=st.one_of(TEXT, st.sampled_from(["2021-10-05 10:00", "2031-01-01 00:00"])),
    description=TEXT,
    data_affected=TEXT,
    hubs=st.lists(TEXT, max_size=2),
)
@time_machine.travel(NOW, tick=False)
def test_breach(client, personas, when, description, data_affected, hubs):
    client.force_login(personas.coordinator)
    data = {
        "discovered_at": when,
        "description": description,
        "data_affected": data_affected,
        "hubs": hubs,
    }
    with rolled_back():
        accepted = _answered(client.post(reverse("privacy:breach-new"), data))
        assert Breach.objects.exists() == accepted
        if accepted:
            breach = Breach.objects.get()
            assert breach.discovered_at <= NOW and breach.description.strip()
            page = client.get(reverse("privacy:breach", kwargs={"reference": breach.reference}))
            _escaped(page.content.decode(), breach.description, breach.data_affected)


# --- imports: all or nothing (docs/security.md §20) -----------------------------------------------


# Every column of the registration import's file.
IMPORT_COLUMNS = list(COLUMNS)


@FEW
@given(
    changes=st.lists(
        st.dictionaries(st.sampled_from(IMPORT_COLUMNS), st.one_of(TEXT, NUMBER_TEXT), max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_registration_import_is_all_or_nothing(personas, changes):
    rows = []
    for n, change in enumerate(changes):
        row = example_row(personas.hub_a)
        row.update({"company_number": f"{n + 1:08d}", "email": f"p{n}@example.org", ROW: n + 2})
        row.update(change)
        rows.append(row)
    with rolled_back():
        before = (Participant.objects.count(), Business.objects.count())
        try:
            imported = import_rows(hub=personas.hub_a, rows=rows, by=personas.hub_a_admin)
        except ImportRefused as refused:
            assert refused.problems
            assert (Participant.objects.count(), Business.objects.count()) == before
        else:
            assert imported == len(rows)
            assert Participant.objects.count() == before[0] + len(rows)


SMALL = Path(__file__).resolve().parents[1] / "reporting" / "scenario_small.json"


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, (*path, i))]
    return [path]


def _counts() -> dict[str, int]:
    return {
        "participants": Participant.objects.count(),
        "cohorts": Cohort.objects.count(),
        "sessions": GroupSession.objects.count(),
        "attendance": Attendance.objects.count(),
        "complaints": Complaint.objects.count(),
    }


@settings(max_examples=15, deadline=None, database=None)
@given(data=st.data())
@pytest.mark.django_db
def test_scenario_import_is_all_or_nothing(data):
    document = json.loads(SMALL.read_text(encoding="utf-8"))
    leaves = _leaves(document)
    path = data.draw(st.sampled_from(leaves))
    value = data.draw(
        st.one_of(TEXT, st.integers(), st.none(), st.booleans(), st.just([]), st.just({}))
    )
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with rolled_back():
        before = _counts()
        try:
            import_document(changed)
        except ScenarioError as refused:
            assert refused.problems
            assert all(str(problem) for problem in refused.problems)
            assert _counts() == before
        else:
            assert _counts()["participants"] == before["participants"] + len(
                changed["participants"]
            )


@pytest.mark.django_db
@pytest.mark.parametrize("value", [[], {}], ids=["a list", "an object"])
def test_a_list_or_an_object_anywhere_is_a_problem_not_a_crash(value):
    """Every leaf of the document in turn (hypothesis found `surveys[0].kind = []`
    reaching a uniqueness check as an unhashable value: a TypeError, not a problem)."""
    document = json.loads(SMALL.read_text(encoding="utf-8"))
    crashed = []
    for path in _leaves(document):
        changed = copy.deepcopy(document)
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with rolled_back():
            try:
                import_document(changed)
            except ScenarioError as refused:
                assert refused.problems
            except Exception as error:  # noqa: BLE001 (what the test looks for)
                crashed.append(f"{path}: {error!r}")
    assert not crashed, "\n".join(crashed)


def test_hypothesis_examples_are_independent(personas):
    """The savepoint helper really takes an example's writes back."""
    with rolled_back():
        Complaint.objects.create(
            hub=personas.hub_a, key="x", received=dt.date(2021, 1, 1), summary="x"
        )
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_nul_character_is_a_problem_not_a_crash():
    """Hypothesis found a programme's name of "\\x00" reaching PostgreSQL, which refuses
    it (a 500): it is a problem named by its place, and nothing is written."""
    document = json.loads(SMALL.read_text(encoding="utf-8"))
    document["programme"]["name"] = "Year\x00one"
    with rolled_back():
        before = _counts()
        with pytest.raises(ScenarioError) as refused:
            import_document(document)
        assert _counts() == before
    assert [str(p) for p in refused.value.problems if "NUL" in str(p)] == [
        "programme.name: contains a NUL character (\\u0000), which cannot be stored: remove it"
    ]
