"""The to-do list reflects a change in the same request cycle (reporting.freshness): a
write's audit event notes its record, and once the write commits, the participants and
cohorts it touched are judged again, so the next page load shows the change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.freshness import Judging, scopes_of
from reporting.models import Finding
from reporting.services import Scope, findings_judge, risk_scan_run
from sessions.attendance.services import participant_record_dropout
from sessions.models import (
    Attendance,
    Complaint,
    FacilitatorNote,
    OneToOneSession,
    SessionStatus,
)
from tests.factories import Personas, local, make_cohort, make_cohort_member, make_session
from tests.sessions.test_one_to_one_views import _log_form

pytestmark = pytest.mark.django_db

DELIVERED = SessionStatus.DELIVERED
NOW = local("2021-11-20T06:00")


@pytest.fixture
def p(personas: Personas) -> Personas:
    """Cohort A met on 5 and 19 October 2021 (participant A attended the first) and meets
    last on 30 November; participant A (the provider's) has no one-to-one yet, so their
    O1 forecast warns. The daily scan has run."""
    first = make_session(personas.cohort_a, "2021-10-05T09:30", status=DELIVERED)
    make_session(personas.cohort_a, "2021-10-19T09:30", status=DELIVERED)
    make_session(personas.cohort_a, "2021-11-30T09:30")
    Attendance.objects.create(
        session=first, participant=personas.participant_a, present=True, hours=Decimal(3)
    )
    risk_scan_run(hub=personas.hub_a, as_of=NOW)
    return personas


def _todo(client, p: Personas) -> str:
    client.force_login(p.hub_a_admin)
    response = client.get(reverse("hub:todo", kwargs={"hub": "hub-a"}))
    assert response.status_code == 200
    return response.content.decode()


def _drop_out(p: Personas) -> None:
    participant_record_dropout(
        participant=p.participant_a,
        on=dt.date(2021, 11, 20),
        cause="other",
        reason="Moved away",
        by=p.hub_a_admin,
        today=dt.date(2021, 11, 20),
    )


def _o1(p: Personas) -> Finding | None:
    return (
        Finding.objects.open()
        .filter(rule="O1", subject_kind="participant", subject_id=p.participant_a.pk)
        .first()
    )


@time_machine.travel(NOW + dt.timedelta(hours=3), tick=False)
def test_logging_one_to_one_hours_changes_the_to_do_on_the_next_page(
    client, p, django_capture_on_commit_callbacks
):
    name = p.participant_a.full_name
    assert f"{name} has 0.0 of 3.5 hours of one-to-one support" in _todo(client, p)
    client.force_login(p.provider)
    # The provider's log form, as the one-to-one pages' tests fill it in.
    form = _log_form(day_0="1", day_1="12", duration_minutes="30")
    url = reverse("one_to_one:log", kwargs={"hub": "hub-a", "code": p.participant_a.code})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)

    assert response.status_code == 302
    page = _todo(client, p)
    assert f"{name} has 0.0 of 3.5 hours" not in page
    assert f"{name} has 1.5 of 3.5 hours of one-to-one support" in page
    # The finding kept its row: only what it says changed.
    o1 = _o1(p)
    assert o1 is not None and o1.first_found == NOW and "1.5 of 3.5" in o1.sentence


@time_machine.travel(NOW + dt.timedelta(hours=3), tick=False)
def test_a_drop_out_takes_the_participant_off_the_to_do(
    client, p, django_capture_on_commit_callbacks
):
    name = p.participant_a.full_name
    before = _todo(client, p)
    assert f"{name} has 0.0 of 3.5 hours" in before and f"{name} has no action plan" in before

    with django_capture_on_commit_callbacks(execute=True):
        _drop_out(p)

    assert _o1(p) is None
    # Neither hours (O1) nor an action plan (O6) is asked of them any more.
    page = _todo(client, p)
    assert f"{name} has 0.0 of 3.5 hours" not in page
    assert f"{name} has no action plan" not in page


def test_without_a_commit_nothing_is_judged(client, p, django_capture_on_commit_callbacks):
    """The judging waits for the commit: a write rolled back leaves the findings alone."""
    before = set(Finding.objects.open().values_list("pk", "sentence"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _drop_out(p)
    # One judging for the transaction's writes, waiting for the commit.
    assert len([c for c in callbacks if isinstance(c, Judging)]) == 1
    assert set(Finding.objects.open().values_list("pk", "sentence")) == before


def test_each_record_is_placed_on_its_participant_or_cohort(p):
    session = p.cohort_a.sessions.order_by("starts_at").first()
    note = FacilitatorNote.objects.create(session=session)
    complaint = Complaint.objects.create(
        hub=p.hub_b, key="b-1", received=NOW.date(), summary="The room was cold"
    )
    records = {
        # As the audit trail names them: the model's label and the key.
        (p.hub_a.pk, p.participant_a._meta.label_lower, str(p.participant_a.pk)),
        (p.hub_a.pk, note._meta.label_lower, str(note.pk)),
        (p.hub_b.pk, complaint._meta.label_lower, str(complaint.pk)),
    }

    scopes, whole = scopes_of(records)

    assert whole == set()
    assert scopes[p.hub_a.pk] == Scope(
        frozenset({p.participant_a.pk}), frozenset({p.cohort_a.pk}), complaints=False
    )
    assert scopes[p.hub_b.pk] == Scope(frozenset(), frozenset(), complaints=True)


def test_a_record_that_is_gone_has_its_hub_judged_whole(p):
    scopes, whole = scopes_of(
        {
            (p.hub_a.pk, "reporting.nosuchmodel", "1"),
            (p.hub_a.pk, OneToOneSession._meta.label_lower, "999999"),
            (None, "peernet.hub", "999999"),
        }
    )
    assert (scopes, whole) == ({}, {p.hub_a.pk})


def test_widening_reaches_a_participants_cohort_and_a_cohorts_members(p):
    members = set(p.cohort_a.memberships.values_list("participant_id", flat=True))
    assert p.participant_a.pk in members

    from_person = Scope(frozenset({p.participant_a.pk})).widened()
    from_cohort = Scope(cohorts=frozenset({p.cohort_a.pk})).widened()

    assert p.cohort_a.pk in from_person.cohorts
    assert from_cohort.participants == frozenset(members)


def test_judging_a_participant_reads_the_same_queries_however_big_the_hub(
    p, django_assert_max_num_queries
):
    """The judging after a write costs what its participant and cohort cost, not the hub."""
    scope = Scope(frozenset({p.participant_a.pk})).widened()
    with CaptureQueriesContext(connection) as small:
        findings_judge(hub=p.hub_a, as_of=NOW, scope=scope)
    for _ in range(3):
        cohort = make_cohort(p.hub_a, p.programme)
        make_session(cohort, "2021-10-07T09:30", status=DELIVERED)
        for _ in range(4):
            make_cohort_member(cohort)

    with django_assert_max_num_queries(len(small)):
        stored = findings_judge(hub=p.hub_a, as_of=NOW, scope=scope)
    # Participant A, their one cohort (with its sessions) and its facilitator: no more.
    assert stored.subjects == len(scope.participants) + 1 + 3 + 1
