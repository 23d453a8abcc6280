"""The daily at-risk scan, its digest, the to-do lists and the home page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peernet.celery import app as celery_app
from peernet.models import Role
from reporting import tasks
from reporting.models import DigestSent, Finding, RiskScan
from reporting.selectors import todo_for_user, urgency
from reporting.services import risk_digest_send, risk_scan_run
from sessions.models import Attendance, Complaint, Observation, SessionStatus
from tests.factories import (
    local,
    make_cohort,
    make_cohort_member,
    make_one_to_one,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

DELIVERED = SessionStatus.DELIVERED
DAY_1 = local("2021-11-20T06:00")
DAY_2 = local("2021-11-21T06:00")


@pytest.fixture
def world(personas):
    """Hub A: cohort A (facilitated, 9 of 18 hours planned, attendance missing) with
    participant A (provider's, no one-to-one yet); cohort A2 with a session missing its
    attendance. Hub B: cohort B with 3 hours planned."""
    p = personas
    make_session(p.cohort_a, "2021-10-05T09:30", status=DELIVERED)
    make_session(p.cohort_a, "2021-10-19T09:30", status=DELIVERED)
    make_session(p.cohort_a, "2021-11-30T09:30")
    make_session(p.cohort_a2, "2021-10-12T09:30", status=DELIVERED)
    make_session(p.cohort_b, "2021-12-01T09:30")
    return p


def open_findings(hub) -> set[tuple]:
    return set(
        Finding.objects.filter(hub=hub)
        .open()
        .values_list("pk", "rule", "subject_kind", "subject_id", "outcome", "sentence", "due")
    )


def finding(rule: str, **lookup) -> Finding:
    return Finding.objects.open().get(rule=rule, **lookup)


# --- the scan -------------------------------------------------------------------------


def test_the_scan_stores_warnings_and_fails_with_their_sentences(world):
    scan = risk_scan_run(hub=world.hub_a, as_of=DAY_1)

    k6 = finding("K6", subject_kind="cohort", subject_id=world.cohort_a.pk)
    assert k6.outcome == "warn"
    assert k6.sentence == (
        f"{world.cohort_a.name} has 9.0 of 18 hours delivered or scheduled by 31 March 2022."
    )
    assert k6.due == dt.date(2022, 3, 31)
    assert (k6.cohort, k6.participant, k6.subject_code) == (
        world.cohort_a,
        None,
        world.cohort_a.code,
    )
    k8 = Finding.objects.filter(rule="K8", cohort=world.cohort_a)
    assert {f.outcome for f in k8} == {"fail"} and k8.count() == 2
    # O1 fails only once the window has closed: the forecast warns while there is time.
    o1 = finding("O1", subject_kind="participant", subject_id=world.participant_a.pk)
    assert o1.outcome == "warn"
    assert o1.due == dt.date(2021, 12, 30)  # O3: a month after the final session
    assert "has 0.0 of 3.5 hours of one-to-one support delivered or scheduled" in o1.sentence
    assert o1.cohort == world.cohort_a and o1.participant == world.participant_a
    # One finding per rule and subject, and nothing of hub B.
    keys = Finding.objects.values_list("rule", "subject_kind", "subject_id")
    assert len(keys) == len(set(keys))
    assert not Finding.objects.exclude(hub=world.hub_a).exists()
    assert (scan.hub, scan.run_on, scan.runs) == (world.hub_a, dt.date(2021, 11, 20), 1)
    assert scan.open_findings == scan.new_findings == Finding.objects.count()
    assert scan.resolved_findings == 0


def test_a_second_run_the_same_day_changes_nothing(world):
    first = risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    before = open_findings(world.hub_a)

    second = risk_scan_run(hub=world.hub_a, as_of=DAY_1 + dt.timedelta(hours=8))

    assert open_findings(world.hub_a) == before
    assert second.pk == first.pk and RiskScan.objects.count() == 1
    assert (second.runs, second.new_findings, second.resolved_findings) == (2, 0, 0)
    assert second.open_findings == len(before)
    assert not Finding.objects.filter(resolved__isnull=False).exists()


def test_fixed_data_resolves_the_finding_and_a_new_problem_is_new(world):
    risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    k6 = finding("K6", cohort=world.cohort_a)
    # Schedule the remaining 9 hours (K6), and a session delivered without attendance (K8).
    for day in ("2022-01-11", "2022-01-25", "2022-02-08"):
        make_session(world.cohort_a, f"{day}T09:30")
    make_session(world.cohort_a2, "2021-10-26T09:30", status=DELIVERED)

    scan = risk_scan_run(hub=world.hub_a, as_of=DAY_2)

    k6.refresh_from_db()
    assert k6.resolved == DAY_2
    # K8 and K9 of the new session are new; its joining instructions (K7) can no longer be
    # sent, so that is left to the monthly return rather than a to-do.
    assert (scan.new_findings, scan.resolved_findings) == (2, 1)
    assert finding("K8", cohort=world.cohort_a2, due=dt.date(2021, 10, 26))
    assert not Finding.objects.filter(rule="K7", cohort=world.cohort_a2).exists()


def test_joining_instructions_are_a_to_do_until_the_session_starts(world):
    session = make_session(world.cohort_a2, "2021-11-20T09:30")
    risk_scan_run(hub=world.hub_a, as_of=local("2021-11-19T12:00"))  # 21.5 hours before
    k7 = Finding.objects.get(rule="K7", subject_id=session.pk, resolved__isnull=True)
    assert k7.outcome == "fail"
    risk_scan_run(hub=world.hub_a, as_of=local("2021-11-20T10:00"))  # it has started
    k7.refresh_from_db()
    assert k7.resolved is not None


def test_desirable_e10_is_never_a_to_do(world):
    risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    assert not Finding.objects.filter(rule="E10").exists()


def test_the_scan_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    add_rows(world, cohorts=1, members=1)  # one of every kind of record
    with CaptureQueriesContext(connection) as small:
        risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    Finding.objects.all().delete()
    RiskScan.objects.all().delete()
    add_rows(world, cohorts=3, members=6)

    # select_for_update, 8 reads of participants with their prefetches, 7 of cohorts and
    # sessions, 4 of facilitators, complaints, open findings, the writes and the scan row.
    with django_assert_max_num_queries(len(small)) as large:
        scan = risk_scan_run(hub=world.hub_a, as_of=DAY_2)
    assert len(large) == len(small)
    assert scan.subjects > 60


def add_rows(world, *, cohorts: int, members: int) -> None:
    """More of every kind of record the scan reads, in hub A."""
    p = world
    for n in range(cohorts):
        cohort = make_cohort(p.hub_a, p.programme)
        make_user(Role.FACILITATOR, cohort=cohort)
        sessions = [
            make_session(cohort, f"2021-{month:02}-0{n + 1}T09:30", status=DELIVERED)
            for month in (6, 7)
        ] + [make_session(cohort, f"2021-12-0{n + 1}T09:30")]
        Observation.objects.create(
            session=sessions[0], observer=p.hub_a_admin, notice_given=local("2021-05-01T09:00")
        )
        for _ in range(members):
            person = make_cohort_member(cohort)
            Attendance.objects.create(
                session=sessions[0], participant=person, present=True, hours=3
            )
            make_one_to_one(person, p.provider, starts_at=local(f"2021-08-0{n + 1}T14:00"))
    Complaint.objects.create(
        key=f"c-{cohorts}", hub=p.hub_a, received=dt.date(2021, 9, 1), summary="Late start"
    )


# --- the digest -----------------------------------------------------------------------


def test_the_digest_goes_once_to_each_person_with_something_new(world, mailoutbox):
    scan = risk_scan_run(hub=world.hub_a, as_of=DAY_1)

    risk_digest_send(scan=scan)
    risk_digest_send(scan=risk_scan_run(hub=world.hub_a, as_of=DAY_1))  # run twice

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.hub_a_admin.email, world.facilitator.email]
    )
    assert DigestSent.objects.count() == 2
    facilitator = next(m for m in mailoutbox if m.to == [world.facilitator.email])
    assert facilitator.subject.startswith(f"{world.hub_a.name}: ")
    assert "K8 (fail): Attendance is not recorded" in facilitator.body
    assert "Record attendance." in facilitator.body
    assert world.cohort_a2.name not in facilitator.body  # not their cohort
    assert "K6" not in facilitator.body  # scheduling is the hub's to do
    admin = next(m for m in mailoutbox if m.to == [world.hub_a_admin.email])
    assert "Schedule sessions to reach 18 hours." in admin.body
    assert world.cohort_a2.name in admin.body


def test_the_next_digest_says_what_was_resolved_and_only_to_whom_it_concerns(world, mailoutbox):
    risk_digest_send(scan=risk_scan_run(hub=world.hub_a, as_of=DAY_1))
    mailoutbox.clear()
    for day in ("2022-01-11", "2022-01-25", "2022-02-08"):
        make_session(world.cohort_a, f"{day}T09:30")

    risk_digest_send(scan=risk_scan_run(hub=world.hub_a, as_of=DAY_2))

    (mail,) = mailoutbox  # the facilitator has nothing new: no email
    assert mail.to == [world.hub_a_admin.email]
    assert mail.subject == f"{world.hub_a.name}: 1 resolved on 21 November 2021"
    assert "Resolved (1):\n- K6: " in mail.body
    assert "New risks" not in mail.body


def test_nothing_changed_sends_nothing(world, mailoutbox):
    risk_digest_send(scan=risk_scan_run(hub=world.hub_a, as_of=DAY_1))
    mailoutbox.clear()
    risk_digest_send(scan=risk_scan_run(hub=world.hub_a, as_of=DAY_2))
    assert mailoutbox == []


def test_inactive_administrators_get_no_digest(world, mailoutbox):
    world.hub_a_admin.is_active = False
    world.hub_a_admin.save()
    risk_digest_send(scan=risk_scan_run(hub=world.hub_a, as_of=DAY_1))
    assert [m.to for m in mailoutbox] == [[world.facilitator.email]]


# --- to-do lists ----------------------------------------------------------------------


@pytest.fixture
def scanned(world):
    risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    risk_scan_run(hub=world.hub_b, as_of=DAY_1)
    return world


def test_a_hub_administrator_sees_only_their_hub(scanned):
    a_items = todo_for_user(scanned.hub_a_admin)
    b_items = todo_for_user(scanned.hub_b_admin)
    assert {i.hub for i in a_items} == {scanned.hub_a.name}
    assert {i.hub for i in b_items} == {scanned.hub_b.name}
    assert ("K6", scanned.cohort_b.name) in {(i.rule, i.subject) for i in b_items}
    assert not {i.subject for i in b_items} & {scanned.cohort_a.name, scanned.cohort_a2.name}
    assert todo_for_user(scanned.hub_a_admin, hub=scanned.hub_b) == []
    assert todo_for_user(scanned.funder) == [] and todo_for_user(scanned.evaluator) == []


def test_a_facilitator_sees_what_they_do_for_their_cohorts(scanned):
    items = todo_for_user(scanned.facilitator)
    assert items
    assert all(i.subject.startswith(scanned.cohort_a.name) for i in items)
    assert {i.rule for i in items} <= {"K3", "K4", "K7", "K8", "K9", "K10", "K13"}
    assert "Record attendance" in {i.action for i in items}


def test_a_provider_sees_their_participants_support(scanned):
    (item,) = todo_for_user(scanned.provider)
    assert (item.rule, item.subject) == ("O1", scanned.participant_a.full_name)
    assert item.action == "Schedule one-to-one support to reach 3.5 hours"
    assert item.url is None  # the hub area is not theirs, and they are not staff


def test_the_list_is_ranked_fail_first_then_soonest_due_then_rule(scanned):
    items = todo_for_user(scanned.hub_a_admin)
    keys = [(not i.is_fail, i.due is None, i.due or dt.date.max) for i in items]
    assert keys == sorted(keys)
    assert items[0].is_fail and items[0].rule in {"K7", "K8"}


def test_urgency_orders_by_outcome_due_date_and_rule_number():
    def made(rule, outcome, due=None):
        return Finding(rule=rule, outcome=outcome, due=due, subject_name="x")

    findings = [
        made("E10", "warn"),
        made("E2", "warn"),
        made("K6", "warn", dt.date(2022, 3, 31)),
        made("K8", "fail"),
        made("K7", "fail", dt.date(2021, 11, 1)),
        made("O1", "warn", dt.date(2021, 12, 1)),
    ]
    ranked = [f.rule for f in sorted(findings, key=urgency)]
    assert ranked == ["K7", "K8", "O1", "K6", "E2", "E10"]


def test_the_hours_in_the_action_come_from_the_programme(world):
    world.programme.cohort_hours = Decimal("12")
    world.programme.save()
    risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    (item,) = [
        i
        for i in todo_for_user(world.hub_a_admin)
        if i.rule == "K6" and i.subject == world.cohort_a.name
    ]
    assert item.action == "Schedule sessions to reach 12 hours"
    assert "9.0 of 12 hours" in item.sentence


def test_hub_administrators_get_a_link_to_the_record_in_the_hub_area(scanned):
    (item,) = [
        i
        for i in todo_for_user(scanned.hub_a_admin)
        if i.rule == "K6" and i.subject == scanned.cohort_a.name
    ]
    assert item.url == reverse(
        "hub:cohort", kwargs={"hub": scanned.hub_a.key, "code": scanned.cohort_a.code}
    )


def test_staff_outside_the_hub_area_get_a_link_to_the_admin_page(scanned):
    scanned.facilitator.is_staff = True
    scanned.facilitator.save()
    items = [i for i in todo_for_user(scanned.facilitator) if i.url]
    assert items
    # A session of their cohort has its page in the facilitator's area; the rest, admin.
    sessions = {"K3", "K7", "K8", "K9", "K10"}
    assert all(i.url.startswith("/admin/") for i in items if i.rule not in sessions)
    assert all(i.url.startswith("/facilitation/") for i in items if i.rule in sessions)
    assert any(i.url.startswith("/admin/") for i in items)


# --- the home page --------------------------------------------------------------------


def dashboard_of(hub) -> str:
    return reverse("hub:home", kwargs={"hub": hub.key})


def test_the_hub_dashboard_shows_what_needs_doing(client, scanned):
    client.force_login(scanned.hub_a_admin)
    assert client.get("/")["Location"] == dashboard_of(scanned.hub_a)
    html = client.get(dashboard_of(scanned.hub_a)).content.decode()
    assert "What needs doing" in html
    assert "Schedule sessions to reach 18 hours" in html
    assert f"{scanned.cohort_a.name} has 9.0 of 18 hours delivered or scheduled" in html
    assert "Must do" in html and "Should do" in html


def test_the_hub_dashboard_says_when_nothing_needs_doing(client, world):
    client.force_login(world.hub_b_admin)
    html = client.get(dashboard_of(world.hub_b)).content.decode()
    assert "found nothing for you to do" in html


def test_the_hub_dashboard_queries_do_not_grow_with_the_items(
    client, world, django_assert_max_num_queries
):
    risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    client.force_login(world.hub_a_admin)
    with CaptureQueriesContext(connection) as few:
        client.get(dashboard_of(world.hub_a))
    add_rows(world, cohorts=3, members=5)
    risk_scan_run(hub=world.hub_a, as_of=DAY_2)
    world.hub_a_admin.refresh_from_db()
    assert Finding.objects.open().count() > 3 * len(todo_for_user(world.facilitator))

    # The session, the user, the role assignments, the user's scope and the findings.
    with django_assert_max_num_queries(len(few)):
        response = client.get(dashboard_of(world.hub_a))
    assert response.content.decode().count("govuk-tag") > 20


# --- tasks ----------------------------------------------------------------------------


def test_the_task_scans_and_sends_the_digest(world, mailoutbox):
    result = tasks.risk_scan_hub.apply(args=[world.hub_a.pk])
    scan = RiskScan.objects.get(hub=world.hub_a)
    assert result.get() == scan.pk
    assert len(mailoutbox) == 2
    tasks.risk_scan_hub.apply(args=[world.hub_a.pk])
    assert len(mailoutbox) == 2
    assert RiskScan.objects.get(hub=world.hub_a).runs == 2


def test_scan_all_enqueues_one_scan_per_hub(world, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.risk_scan_hub, "delay_on_commit", queued.append)
    assert tasks.risk_scan_all.apply().get() == 2
    assert sorted(queued) == sorted([world.hub_a.pk, world.hub_b.pk])


def test_beat_runs_the_scan_at_six_in_london():
    (entry,) = [
        e for e in celery_app.conf.beat_schedule.values() if e["task"] == tasks.risk_scan_all.name
    ]
    assert entry["schedule"] == crontab(hour=6, minute=0)
    assert celery_app.conf.timezone == "Europe/London"


def test_too_few_members_after_the_cohort_has_met_is_history_not_a_to_do(world):
    from rules import CHECKS, Outcome
    from tests.factories import make_cohort

    met = make_cohort(world.hub_a, world.programme)
    make_session(met, "2021-11-16T09:30", status=DELIVERED)
    assert CHECKS["K1"](met, as_of=DAY_1).outcome == Outcome.WARN  # fewer than 11, started
    risk_scan_run(hub=world.hub_a, as_of=DAY_1)
    assert not Finding.objects.open().filter(rule="K1", cohort=met).exists()
