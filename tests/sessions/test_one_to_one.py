"""One-to-one support (issue 6): the 3.5-hour minimum (O1) at its edges, the deadlines
(O2–O4) at the one-month boundary, routes and hours by route, the hub's entries for
existing programmes, assignment, referral, refusal (O8), action plans with history (O6),
declarations (O7), and joining instructions sent when a session is booked (O5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from peernet.models import AuditEvent, Role, RuleWarning
from rules import CHECKS, Outcome, RuleBroken
from rules.one_to_one import one_to_one_deadlines
from sessions import tasks
from sessions.models import (
    ActionPlanRevision,
    Attendance,
    JoiningInstructionsSent,
    OneToOneDecline,
    OneToOneReferral,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
)
from sessions.one_to_one.selectors import RouteHours, hours_by_route, participant_support
from sessions.one_to_one.services import (
    action_plan_save,
    one_to_one_assign_provider,
    one_to_one_decline,
    one_to_one_decline_withdraw,
    one_to_one_log,
    one_to_one_refer,
    one_to_one_update,
    provider_declare,
)
from tests.factories import (
    local,
    make_cohort,
    make_eligible,
    make_hub,
    make_member,
    make_one_to_one,
    make_participant,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

DELIVERED = SessionStatus.DELIVERED
PLAN = {
    "goal": "Grow exports to 20% of sales",
    "reality": "Exports are 5% today",
    "options": "A distributor; trade shows",
    "way_forward": "Meet two distributors by March",
    "tactics": "Use the Growth Hub's export adviser",
    "habits": "An hour a week on export leads",
}


class World:
    def __init__(self) -> None:
        self.programme = make_programme()
        self.hub = make_hub("gm")
        self.other_hub = make_hub("lancs")
        self.cohort = make_cohort(self.hub, self.programme, name="GM cohort 1")
        self.first = make_session(self.cohort, "2021-06-01T09:30", status=DELIVERED)
        self.final = make_session(self.cohort, "2021-11-30T09:30")
        self.provider = make_user(Role.ONE_TO_ONE_PROVIDER, hub=self.hub, name="Julie Barker")
        self.admin = make_user(Role.HUB_ADMIN, hub=self.hub)
        self.participant = make_eligible(
            make_participant(
                self.hub,
                self.programme,
                key="alex",
                first_name="Alex",
                last_name="Smith",
                one_to_one_provider=self.provider,
            )
        )
        make_member(self.cohort, self.participant)
        Attendance.objects.create(
            session=self.first, participant=self.participant, present=True, hours=Decimal(3)
        )

    def delivered(self, hours: str, day: str, **values) -> OneToOneSession:
        return make_one_to_one(
            self.participant,
            self.provider,
            starts_at=local(day),
            hours=Decimal(hours),
            status=DELIVERED,
            **values,
        )

    def log(self, starts_at: str, as_of: str, **values) -> OneToOneSession:
        values.setdefault("hours", Decimal("1.5"))
        values.setdefault("status", SessionStatus.SCHEDULED)
        values.setdefault("route", OneToOneRoute.PROGRAMME)
        values.setdefault("provider", self.provider)
        return one_to_one_log(
            participant=self.participant,
            starts_at=local(starts_at),
            by=self.provider,
            as_of=local(as_of),
            **values,
        )

    def refer(self, nature_of_support: str, contact: str) -> OneToOneReferral:
        """The hub's admin refers the participant to Made Smarter on 1 July 2021."""
        return one_to_one_refer(
            participant=self.participant,
            programme_name="Made Smarter",
            nature_of_support=nature_of_support,
            contact=contact,
            referred_on=dt.date(2021, 7, 1),
            by=self.admin,
            today=dt.date(2021, 7, 1),
        )

    def decline(self, declined_on: dt.date, note: str = "") -> None:
        """The hub's admin records, on 5 July 2021, that the participant declined (O8)."""
        one_to_one_decline(
            participant=self.participant,
            declined_on=declined_on,
            note=note,
            by=self.admin,
            today=dt.date(2021, 7, 5),
        )

    def deliver(self, session: OneToOneSession, as_of: str, hours: Decimal, **notes: str) -> None:
        """The provider records `session` as delivered; `notes` are what was covered."""
        notes.setdefault("nature_of_support", "")
        notes.setdefault("actions_agreed", "")
        one_to_one_update(
            session=session,
            status=DELIVERED,
            hours=hours,
            evidence="",
            by=self.provider,
            as_of=local(as_of),
            **notes,
        )


@pytest.fixture
def w() -> World:
    return World()


def o1(w: World, as_of: str):
    return CHECKS["O1"](w.participant, as_of=local(as_of))


# --- O1: the 3.5-hour minimum ---------------------------------------------------------


def test_o1_349_hours_fails_when_the_window_closes(w):
    w.delivered("2", "2021-06-10T14:00")
    w.delivered("1.49", "2021-07-01T14:00")
    still_open = o1(w, "2022-03-31T23:59:59")
    assert (still_open.outcome, still_open.sentence) == (
        Outcome.NOT_APPLICABLE,
        "Alex Smith has 3.49 of 3.5 hours of one-to-one support delivered so far, due by "
        "31 March 2022.",
    )
    closed = o1(w, "2022-04-01T00:00:00")
    assert (closed.outcome, closed.sentence) == (
        Outcome.FAIL,
        "Alex Smith has 3.49 of 3.5 hours of one-to-one support delivered; the delivery "
        "window closed on 31 March 2022.",
    )


def test_o1_35_hours_passes(w):
    w.delivered("2", "2021-06-10T14:00")
    w.delivered("1.5", "2021-07-01T14:00")
    result = o1(w, "2022-04-01T00:00:00")
    assert (result.outcome, result.sentence) == (
        Outcome.PASS,
        "Alex Smith has 3.5 of 3.5 hours of one-to-one support delivered.",
    )


def test_scheduled_and_cancelled_hours_do_not_count_toward_o1(w):
    w.delivered("2", "2021-06-10T14:00")
    make_one_to_one(
        w.participant, w.provider, starts_at=local("2021-07-01T14:00"), hours=Decimal("1.5")
    )
    make_one_to_one(
        w.participant,
        w.provider,
        starts_at=local("2021-07-08T14:00"),
        hours=Decimal("1.5"),
        status=SessionStatus.CANCELLED,
    )
    assert o1(w, "2022-04-01T00:00").outcome == Outcome.FAIL
    support = participant_support(w.participant, as_of=local("2021-07-02T12:00"))
    assert (support.delivered, support.scheduled, support.short, support.met) == (
        Decimal("2.00"),
        Decimal("1.50"),
        Decimal(0),
        False,
    )


def test_the_workspace_says_349_not_35(w):
    w.delivered("2", "2021-06-10T14:00")
    w.delivered("1.49", "2021-07-01T14:00")
    support = participant_support(w.participant, as_of=local("2021-07-02T12:00"))
    assert (support.delivered_words, support.needed_words, support.short_words) == (
        "3.49",
        "3.5",
        "0.01",
    )
    assert not support.met
    w.delivered("0.01", "2021-07-02T09:00")
    assert participant_support(w.participant, as_of=local("2021-07-03T12:00")).met


def test_both_routes_count_and_hub_entries_are_marked(w):
    w.delivered("2", "2021-06-10T14:00")
    entry = one_to_one_log(
        participant=w.participant,
        starts_at=local("2021-07-01T10:00"),
        hours=Decimal("1.5"),
        status=DELIVERED,
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
        nature_of_support="Digital adoption workshop, one to one",
        evidence="Made Smarter's confirmation of 1.5 hours",
        entered_by_hub=True,
        by=w.admin,
        as_of=local("2021-07-02T12:00"),
    )
    assert (entry.entered_by_hub, entry.provider, entry.recorded_by) == (True, None, w.admin)
    assert AuditEvent.objects.filter(
        actor=w.admin,
        action="create",
        summary="One-to-one session logged by the hub for an existing programme",
    ).exists()
    # O5: the existing programme arranged it; no joining instructions were ours to send.
    o5 = CHECKS["O5"](entry, as_of=local("2021-07-02T12:00"))
    assert (o5.outcome, o5.sentence) == (
        Outcome.NOT_APPLICABLE,
        "The hub recorded this support from Made Smarter afterwards.",
    )
    assert hours_by_route(w.participant) == RouteHours(
        programme=Decimal("2.00"), existing_by_provider=Decimal(0), existing_by_hub=Decimal("1.50")
    )
    assert hours_by_route(w.participant).total == Decimal("3.50")
    assert o1(w, "2022-04-01T00:00").outcome == Outcome.PASS


def test_the_hub_records_existing_programme_hours_only(w):
    with pytest.raises(ValidationError, match="existing local programmes only"):
        w.log("2021-07-01T10:00", "2021-07-02T12:00", status=DELIVERED, entered_by_hub=True)
    assert OneToOneSession.objects.count() == 0


# --- O2–O4: the deadlines -------------------------------------------------------------


def test_deadlines_in_words(w):
    deadlines = one_to_one_deadlines(w.participant)
    assert deadlines.latest == dt.date(2021, 12, 30)
    assert deadlines.sentences() == [
        (
            "O2",
            "Not before the end of the participant's first group session on 1 June 2021, at 12:30.",
        ),
        (
            "O3",
            "Within 1 month of the cohort's final group session on 30 November 2021: by "
            "30 December 2021.",
        ),
        ("O4", "By the end of the delivery window on 31 March 2022."),
    ]


def test_o3_the_last_second_of_the_month_after_is_within(w):
    w.log("2021-12-30T23:59:59", "2021-12-01T12:00")
    assert RuleWarning.objects.count() == 0


def test_o3_midnight_after_the_month_warns(w):
    w.log("2021-12-31T00:00:00", "2021-12-01T12:00")
    assert list(RuleWarning.objects.values_list("rule", "sentence")) == [
        (
            "O3",
            "The one-to-one session on 31 December 2021 is more than 1 month after the "
            "cohort's final group session on 30 November 2021 (the latest date is "
            "30 December 2021).",
        )
    ]


def test_o2_until_the_first_group_session_ends_is_refused(w):
    # O2 counts from the *end* of the first group session (09:30 for 3 hours: 12:30).
    for starts_at in ("2021-06-01T09:30", "2021-06-01T12:29"):
        with pytest.raises(RuleBroken) as refused:
            w.log(starts_at, "2021-05-20T12:00")
        assert [r.rule for r in refused.value.results] == ["O2"]
    w.log("2021-06-01T12:30", "2021-05-20T12:00")
    assert OneToOneSession.objects.count() == 1


def test_recording_delivery_judges_the_session_again(w):
    session = w.log("2021-07-01T10:00", "2021-06-20T12:00")
    w.deliver(
        session,
        "2021-07-01T12:00",
        Decimal("1.25"),
        nature_of_support="Cash-flow forecasting",
        actions_agreed="Draft a 13-week forecast",
    )
    session.refresh_from_db()
    assert (session.status, session.hours, session.actions_agreed) == (
        DELIVERED,
        Decimal("1.25"),
        "Draft a 13-week forecast",
    )
    later = w.log("2021-07-10T10:00", "2021-06-20T12:00")
    with pytest.raises(ValidationError, match="cannot have been delivered yet"):
        w.deliver(later, "2021-07-09T12:00", Decimal(1))
    later.refresh_from_db()
    assert later.status == SessionStatus.SCHEDULED


# --- O5: booking sends the joining instructions -----------------------------------------


@time_machine.travel(local("2021-06-20T12:00"), tick=False)
def test_booking_a_session_sends_joining_instructions_after_commit(
    w, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(
        tasks.joining_instructions_send_for_one_to_one,
        "apply_async",  # as the outbox publishes it after the commit (peernet.outbox)
        lambda args, kwargs: queued.append(*args),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        session = w.log(
            "2021-06-24T14:00",
            "2021-06-20T12:00",
            mode="video",
            platform="Teams",
            send_joining_instructions=True,
        )
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [session.pk]

    assert tasks.joining_instructions_send_for_one_to_one(session.pk) == 1
    assert tasks.joining_instructions_send_for_one_to_one(session.pk) == 0  # idempotent
    (message,) = mail.outbox
    assert message.to == [w.participant.email]
    assert message.cc == [w.provider.email]
    assert [a[2] for a in message.attachments] == ["text/calendar"]
    assert JoiningInstructionsSent.objects.filter(one_to_one=session).count() == 1
    session.refresh_from_db()
    assert CHECKS["O5"](session, as_of=local("2021-06-25T12:00")).outcome == Outcome.PASS


def test_a_delivered_session_sends_nothing(w, monkeypatch, django_capture_on_commit_callbacks):
    queued: list[int] = []
    monkeypatch.setattr(
        tasks.joining_instructions_send_for_one_to_one,
        "apply_async",  # as the outbox publishes it after the commit (peernet.outbox)
        lambda args, kwargs: queued.append(*args),
    )
    with django_capture_on_commit_callbacks(execute=True):
        w.log(
            "2021-06-24T14:00",
            "2021-06-25T12:00",
            status=DELIVERED,
            send_joining_instructions=True,
        )
    assert queued == []


# --- assignment, referral, refusal --------------------------------------------------------


def test_only_a_provider_of_the_hub_is_assigned(w):
    elsewhere = make_user(Role.ONE_TO_ONE_PROVIDER, hub=w.other_hub)
    with pytest.raises(ValidationError, match="is not a one-to-one provider in GM Growth Hub"):
        one_to_one_assign_provider(participant=w.participant, provider=elsewhere, by=w.admin)
    with pytest.raises(ValidationError):
        one_to_one_assign_provider(participant=w.participant, provider=w.admin, by=w.admin)
    w.participant.refresh_from_db()
    assert w.participant.one_to_one_provider == w.provider
    other = make_user(Role.ONE_TO_ONE_PROVIDER, hub=w.hub)
    one_to_one_assign_provider(participant=w.participant, provider=other, by=w.admin)
    w.participant.refresh_from_db()
    assert w.participant.one_to_one_provider == other


def test_a_referral_records_programme_nature_and_contact(w):
    referral = w.refer("Digital roadmap, 3 hours", "Priya Shah, priya@example.org")
    assert (referral.programme_name, referral.contact, referral.recorded_by) == (
        "Made Smarter",
        "Priya Shah, priya@example.org",
        w.admin,
    )
    with pytest.raises(ValidationError, match="the contact"):
        w.refer("Digital", contact="  ")
    assert OneToOneReferral.objects.count() == 1


def test_o8_a_refusal_is_dated_excuses_o1_and_stops_logging(w):
    booked = w.log("2021-07-10T10:00", "2021-06-20T12:00")
    with pytest.raises(ValidationError, match="today or in the past"):
        w.decline(dt.date(2021, 7, 6))
    w.decline(dt.date(2021, 7, 5), "Has a mentor already")
    w.participant.refresh_from_db()
    assert w.participant.one_to_one_declined
    assert OneToOneDecline.objects.get().declined_on == dt.date(2021, 7, 5)
    assert AuditEvent.objects.filter(
        actor=w.admin, summary="One-to-one support declined (O8)"
    ).exists()
    booked.refresh_from_db()
    assert booked.status == SessionStatus.CANCELLED
    assert o1(w, "2022-04-01T00:00").outcome == Outcome.PASS
    assert CHECKS["O8"](w.participant, as_of=local("2021-07-06T12:00")).sentence == (
        "Alex Smith declined one-to-one support on 5 July 2021; the refusal is recorded."
    )
    with pytest.raises(ValidationError, match="declined one-to-one support"):
        w.log("2021-07-20T10:00", "2021-07-06T12:00")
    with pytest.raises(ValidationError, match="declined one-to-one support"):
        one_to_one_assign_provider(participant=w.participant, provider=w.provider, by=w.admin)

    one_to_one_decline_withdraw(participant=w.participant, by=w.admin)
    w.participant.refresh_from_db()
    assert not w.participant.one_to_one_declined
    assert not OneToOneDecline.objects.exists()
    assert o1(w, "2022-04-01T00:00").outcome == Outcome.FAIL


# --- O6: the action plan and its history --------------------------------------------------


def test_o6_the_plan_is_revised_with_history(w):
    assert CHECKS["O6"](w.participant, as_of=local("2021-06-02T12:00")).outcome == Outcome.WARN
    action_plan_save(
        participant=w.participant,
        agreed_on=dt.date(2021, 6, 8),
        by=w.provider,
        today=dt.date(2021, 6, 8),
        **PLAN,
    )
    plan = action_plan_save(
        participant=w.participant,
        agreed_on=dt.date(2021, 9, 1),
        by=w.provider,
        today=dt.date(2021, 9, 1),
        **{**PLAN, "goal": "Grow exports to 25% of sales"},
    )
    assert plan.goal == "Grow exports to 25% of sales"
    history = list(
        ActionPlanRevision.objects.filter(plan=plan).values_list("number", "goal", "agreed_on")
    )
    assert history == [
        (1, "Grow exports to 20% of sales", dt.date(2021, 6, 8)),
        (2, "Grow exports to 25% of sales", dt.date(2021, 9, 1)),
    ]
    w.participant.refresh_from_db()
    result = CHECKS["O6"](w.participant, as_of=local("2021-09-02T12:00"))
    assert (result.outcome, result.sentence) == (
        Outcome.PASS,
        "Alex Smith's action plan was agreed on 1 September 2021.",
    )


def test_a_plan_without_a_goal_is_refused(w):
    with pytest.raises(ValidationError, match="Enter the goal"):
        action_plan_save(
            participant=w.participant,
            agreed_on=dt.date(2021, 6, 8),
            by=w.provider,
            today=dt.date(2021, 6, 8),
            **{**PLAN, "goal": "  "},
        )
    assert not ActionPlanRevision.objects.exists()


# --- O7: declarations ---------------------------------------------------------------------


def test_o7_the_provider_declares_and_notes_private_work(w):
    session = w.delivered("1.5", "2021-06-10T14:00")
    result = CHECKS["O7"](session, as_of=local("2021-06-11T12:00"))
    assert (result.outcome, result.sentence) == (
        Outcome.WARN,
        "The provider has not declared whether they have a conflict of interest in "
        "supporting Alex Smith; providers declare conflicts of interest.",
    )
    with pytest.raises(ValidationError, match="Describe the conflict"):
        provider_declare(
            participant=w.participant,
            provider=w.provider,
            has_conflict=True,
            conflict_details="",
            declared_on=dt.date(2021, 6, 5),
            private_work_from=None,
            private_work_details="",
            today=dt.date(2021, 6, 5),
        )
    provider_declare(
        participant=w.participant,
        provider=w.provider,
        has_conflict=False,
        conflict_details="",
        declared_on=dt.date(2021, 6, 5),
        private_work_from=dt.date(2022, 4, 15),
        private_work_details="Coaching contract after the programme",
        today=dt.date(2022, 4, 20),
    )
    session.refresh_from_db()
    result = CHECKS["O7"](session, as_of=local("2022-04-20T12:00"))
    assert (result.outcome, result.sentence) == (
        Outcome.PASS,
        "The provider declared no conflict of interest in supporting Alex Smith on "
        "5 June 2021, and notified private work with them from 15 April 2022.",
    )


def test_o7_does_not_apply_to_an_existing_programme_without_a_provider(w):
    session = make_one_to_one(
        w.participant,
        None,
        starts_at=local("2021-06-10T14:00"),
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
    )
    assert CHECKS["O7"](session, as_of=local("2021-06-11T12:00")).outcome == (
        Outcome.NOT_APPLICABLE
    )
