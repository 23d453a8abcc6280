"""Survey invitations (S1–S4): made by the events that call for them, once each, sent by
Celery after commit, reminded once; and the instruments they are answered on.

Tasks run in process here, but only after the transaction commits, as a worker would:
the `run_tasks` fixture replaces `delay_on_commit` with an `on_commit` that applies
the task, so a test proves nothing is sent before the commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from cohorts.services import cohort_allocate
from participants import surveys, tasks
from participants.models import (
    SurveyInstrument,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from reporting.freshness import Judging
from sessions.attendance.services import (
    AttendanceRow,
    participant_record_dropout,
    session_record_attendance,
)
from sessions.models import SessionStatus
from tests.factories import (
    make_cohort_member,
    make_eligible,
    make_participant,
    make_session,
)
from tests.mailbox import deliver_queued

pytestmark = pytest.mark.django_db
UTC = dt.UTC

TASKS = (
    tasks.survey_invite_baseline,
    tasks.survey_invite_session_delivered,
    tasks.survey_invite_dropout,
    tasks.survey_invitation_send,
    tasks.survey_invitation_remind,
)


@pytest.fixture
def run_tasks(monkeypatch):
    """Each task enqueued after commit runs in process then; returns what was queued."""
    from django.db import transaction

    queued: list[tuple[str, tuple]] = []

    def after_commit(task):
        def delay_on_commit(*args):
            queued.append((task.name.rsplit(".", 1)[-1], args))
            transaction.on_commit(lambda: task.apply(args=args).get())

        return delay_on_commit

    for task in TASKS:
        monkeypatch.setattr(task, "delay_on_commit", after_commit(task))
    return queued


def _register(session, present, absent=(), hours=None):
    rows = [AttendanceRow(p.code, "present", hours or session.hours) for p in present]
    rows += [AttendanceRow(p.code, "absent", Decimal(0)) for p in absent]
    return rows


def deliver(session, by, present, absent=()):
    session_record_attendance(
        session=session,
        rows=_register(session, present, absent),
        by=by,
        as_of=session.starts_at + dt.timedelta(hours=4),
    )


# --- instruments ----------------------------------------------------------------------------


def test_version_2_is_active_and_keeps_version_1():
    # S1–S4; the six-month follow-up (S5) came later, at version 1 (below).
    for kind in set(SurveyKind.values) - {SurveyKind.FOLLOW_UP}:
        v1 = SurveyInstrument.objects.get(kind=kind, version=1)
        v2 = surveys.instrument_current(kind)
        assert (v1.active, v2.version) == (False, 2)
        assert surveys.questions_problems(v2.questions) == []
        # Every version 1 key is still asked, with its type: old answers read the same.
        types = {q["key"]: q["type"] for q in v2.questions}
        assert {q["key"]: q["type"] for q in v1.questions}.items() <= types.items()
    feedback = surveys.instrument_current(SurveyKind.SESSION_FEEDBACK)
    assert feedback.questions[0]["key"] == "overall_satisfaction"
    assert (feedback.questions[0]["min"], feedback.questions[0]["max"]) == (1, 5)


def test_the_baseline_covers_the_playbook_topics_and_equality_with_prefer_not_to_say():
    baseline = surveys.instrument_current(SurveyKind.BASELINE)
    keys = set(baseline.question_keys)
    topics = {
        "covid_adaptation", "resilience", "leadership_management", "recruitment_retention",
        "technology_adoption", "networks", "growth_ambition", "business_plan",
        "use_of_data", "change_management", "innovation", "business_confidence",
        "employees_now", "turnover_now",
    }  # fmt: skip
    assert topics <= keys
    types = {q["key"]: q["type"] for q in baseline.questions}
    assert (types["employees_now"], types["turnover_now"]) == ("number", "money")
    equality = [q for q in baseline.questions if q.get("equality")]
    assert [q["key"] for q in equality] == ["gender", "ethnic_group", "age_band", "disability"]
    for question in equality:
        assert "prefer-not-to-say" in question["choices"]
        assert question["required"] is False
    # The exit survey asks the baseline's matched questions again.
    exit_keys = set(surveys.instrument_current(SurveyKind.EXIT).question_keys)
    matched = {q["key"] for q in baseline.questions if q.get("matched")}
    assert matched == topics and matched <= exit_keys
    dropout = set(surveys.instrument_current(SurveyKind.DROPOUT).question_keys)
    assert {"reason", "what_would_have_helped"} <= dropout


def test_publishing_makes_a_new_version_and_answers_keep_theirs(personas):
    v2 = surveys.instrument_current(SurveyKind.SESSION_FEEDBACK)
    session = make_session(personas.cohort_a, status=SessionStatus.DELIVERED)
    answered = SurveyResponse.objects.create(
        participant=personas.participant_a,
        instrument=v2,
        kind=SurveyKind.SESSION_FEEDBACK,
        session=session,
        completed=dt.date(2021, 6, 2),
        answers={"overall_satisfaction": 4},
    )
    questions = [*v2.questions, {"key": "pace", "text": "Was the pace right?", "type": "yes_no"}]
    v3 = surveys.survey_instrument_publish(
        kind=SurveyKind.SESSION_FEEDBACK, title="After the session", questions=questions
    )
    v2.refresh_from_db()
    answered.refresh_from_db()
    assert (v3.version, v3.active, v2.active) == (3, True, False)
    assert len(v2.questions) == len(questions) - 1  # unchanged
    assert answered.instrument == v2
    with pytest.raises(ValidationError):
        surveys.survey_instrument_publish(
            kind=SurveyKind.SESSION_FEEDBACK,
            title="Broken",
            questions=[{"key": "x", "text": "X?", "type": "colour"}],
        )
    assert surveys.instrument_current(SurveyKind.SESSION_FEEDBACK) == v3


# --- the events ------------------------------------------------------------------------------


def test_allocation_invites_to_the_baseline_after_commit(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    person = make_eligible(make_participant(personas.hub_a, personas.programme))
    person.charter_signed_at = dt.datetime(2021, 5, 10, tzinfo=UTC)
    person.charter_version = "2021-1"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        cohort_allocate(
            cohort=personas.cohort_a,
            participant=person,
            joined=dt.date(2021, 5, 20),
            by=personas.hub_a_admin,
        )
        assert mail.outbox == []  # nothing before the commit
    invitation = SurveyInvitation.objects.get(participant=person)
    assert (invitation.kind, invitation.instrument.version) == ("baseline", 2)
    assert invitation.sent_at is not None
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "baseline" in message.subject
    assert "/p/survey/" in message.body


def test_delivery_invites_those_present_once_even_when_recorded_twice(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    absent = make_cohort_member(personas.cohort_a)
    session = make_session(personas.cohort_a, "2021-06-01T09:30")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(session, personas.facilitator, [personas.participant_a], [absent])
    # Corrected, and the task run again (a retry): still one invitation, one email.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(session, personas.facilitator, [personas.participant_a], [absent])
    tasks.survey_invite_session_delivered.apply(args=[session.pk]).get()
    tasks.survey_invitation_send.apply(
        args=[SurveyInvitation.objects.get().pk]
    ).get()  # a duplicate send
    invitation = SurveyInvitation.objects.get()
    assert (invitation.participant, invitation.session, invitation.kind) == (
        personas.participant_a,
        session,
        "session_feedback",
    )
    assert len(mail.outbox) == 1
    assert "session" in mail.outbox[0].subject


def test_a_correction_marking_someone_present_later_invites_them(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    """S2: the register taken, then corrected a day later (she was there after all): she
    gets her feedback survey too, and nobody gets a second one."""
    late = make_cohort_member(personas.cohort_a)
    session = make_session(personas.cohort_a, "2021-06-01T09:30")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(session, personas.facilitator, [personas.participant_a], [late])
    assert list(SurveyInvitation.objects.values_list("participant", flat=True)) == [
        personas.participant_a.pk
    ]
    with django_capture_on_commit_callbacks(execute=True):
        deliver(session, personas.facilitator, [personas.participant_a, late])
    assert sorted(SurveyInvitation.objects.values_list("participant", flat=True)) == sorted(
        [personas.participant_a.pk, late.pk]
    )
    assert len(mail.outbox) == 2
    # A correction that makes no one newly present queues nothing.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        deliver(session, personas.facilitator, [personas.participant_a], [late])
    # (The to-do list is judged again after any write: reporting.freshness.)
    assert [callback for callback in queued if not isinstance(callback, Judging)] == []
    assert SurveyInvitation.objects.count() == 2


def test_the_database_holds_one_invitation_per_survey(personas):
    instrument = surveys.instrument_current(SurveyKind.BASELINE)
    now = dt.datetime(2021, 6, 1, tzinfo=UTC)
    values = {
        "participant": personas.participant_a,
        "instrument": instrument,
        "kind": "baseline",
        "expires_at": now,
    }
    SurveyInvitation.objects.create(**values)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyInvitation.objects.create(**values)
    # survey_invite finds it rather than failing.
    assert (
        surveys.survey_invite(participant=personas.participant_a, kind="baseline", now=now)
        == SurveyInvitation.objects.get()
    )


def test_no_invitation_when_already_answered(personas):
    SurveyResponse.objects.create(
        participant=personas.participant_a,
        instrument=surveys.instrument_current("baseline"),
        kind="baseline",
        completed=dt.date(2021, 5, 21),
    )
    assert surveys.survey_invite_baseline(participant_id=personas.participant_a.pk) == []
    assert not SurveyInvitation.objects.exists()


def test_exit_when_the_hours_are_first_reached_not_for_drop_outs(personas, run_tasks):
    """18 hours: five sessions of 3 hours and one of 3 — the sixth completes the cohort.
    Whoever dropped out or moved on gets no exit survey (S4 instead)."""
    cohort, by = personas.cohort_a, personas.facilitator
    stayer = personas.participant_a
    dropped = make_cohort_member(cohort)
    days = ["2021-06-01", "2021-06-15", "2021-06-29", "2021-07-13", "2021-07-27", "2021-08-10"]
    sessions = [make_session(cohort, f"{day}T09:30") for day in days]
    for session in sessions[:5]:
        deliver(session, by, [stayer, dropped])
        tasks.survey_invite_session_delivered.apply(args=[session.pk]).get()
    assert surveys.cohort_completed_on(cohort) is None  # 15 of 18 hours
    assert not SurveyInvitation.objects.filter(kind="exit").exists()
    participant_record_dropout(
        participant=dropped,
        on=dt.date(2021, 8, 1),
        cause="other",
        reason="Time",
        by=by,
        today=dt.date(2021, 8, 2),
    )
    deliver(sessions[5], by, [stayer])
    tasks.survey_invite_session_delivered.apply(args=[sessions[5].pk]).get()
    assert surveys.cohort_completed_on(cohort) == dt.date(2021, 8, 10)
    assert list(
        SurveyInvitation.objects.filter(kind="exit").values_list("participant", flat=True)
    ) == [stayer.pk]


def test_a_recorded_drop_out_gets_the_drop_out_survey(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participant_record_dropout(
            participant=personas.participant_a,
            on=dt.date(2021, 7, 1),
            cause="other",
            reason="Moved abroad",
            by=personas.facilitator,
            today=dt.date(2021, 7, 2),
        )
    invitation = SurveyInvitation.objects.get(participant=personas.participant_a)
    assert invitation.kind == "dropout" and invitation.sent_at is not None
    assert [m.to for m in mail.outbox if "Leaving" in m.subject] == [[personas.participant_a.email]]


def test_tasks_for_rows_that_no_longer_exist_do_nothing(db):
    assert tasks.survey_invite_baseline.apply(args=[999999]).get() == 0
    assert tasks.survey_invite_session_delivered.apply(args=[999999]).get() == 0
    assert tasks.survey_invite_dropout.apply(args=[999999]).get() == 0
    assert tasks.survey_invitation_send.apply(args=[999999]).get() is False


# --- the one reminder ---------------------------------------------------------------------


def _baseline_sent(participant, at: dt.datetime) -> int:
    """Invite the participant to the baseline survey and send it, at `at`: the invitation."""
    with time_machine.travel(at, tick=False):
        [invitation_id] = surveys.survey_invite_baseline(participant_id=participant.pk)
        tasks.survey_invitation_send.apply(args=[invitation_id]).get()
        deliver_queued()  # the worker delivers it then
    return invitation_id


def test_one_reminder_after_four_days_and_not_after_answering(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    sent = dt.datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
    _baseline_sent(personas.participant_a, sent)
    other = make_cohort_member(personas.cohort_a)
    answered_id = _baseline_sent(other, sent)
    SurveyInvitation.objects.filter(pk=answered_id).update(completed_at=sent)
    assert len(mail.outbox) == 2

    due = sent + surveys.REMINDER_AFTER

    def beat(at: dt.datetime) -> int:
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return tasks.survey_send_due.apply().get()

    assert beat(due - dt.timedelta(seconds=1)) == 0
    assert beat(due) == 1
    assert beat(due + dt.timedelta(hours=1)) == 0  # one reminder only
    assert len(mail.outbox) == 3
    assert mail.outbox[2].subject.startswith("Reminder: ")
    assert mail.outbox[2].to == [personas.participant_a.email]


def test_the_beat_job_sends_what_was_not_sent(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    now = dt.datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        surveys.survey_invite_baseline(participant_id=personas.participant_a.pk)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.survey_send_due.apply().get() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.survey_send_due.apply().get() == 0
    assert len(mail.outbox) == 1


def test_after_a_drop_out_only_the_drop_out_survey_is_sent_or_reminded(
    personas, run_tasks, django_capture_on_commit_callbacks
):
    sent = dt.datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
    baseline_id = _baseline_sent(personas.participant_a, sent)
    person = personas.participant_a
    person.dropped_out_on, person.dropout_reason = dt.date(2021, 6, 2), "Time"
    person.save()
    with time_machine.travel(sent + dt.timedelta(days=1), tick=False):
        assert len(surveys.survey_invite_dropout(participant_id=person.pk)) == 1
    later = time_machine.travel(sent + dt.timedelta(days=10), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        assert tasks.survey_send_due.apply().get() == 1  # the drop-out survey's send
    assert [m.subject.split(" – ")[0] for m in mail.outbox] == [
        surveys.SUBJECTS["baseline"],
        surveys.SUBJECTS["dropout"],
    ]
    assert SurveyInvitation.objects.get(pk=baseline_id).reminded_at is None
