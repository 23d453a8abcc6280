"""One-to-one (O1–O8), quality (Q1–Q5), survey (S1–S5) and return (M1) checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from participants.models import Participant, SurveyInstrument, SurveyKind, SurveyResponse
from peernet.models import Role
from reporting.models import MonthlyReturn, ReturnVersion
from rules import CHECKS, Outcome, Result, run_checks
from rules.monthly_return import return_due_at
from sessions.models import (
    ActionPlan,
    Attendance,
    Complaint,
    Observation,
    OneToOneRoute,
    SessionStatus,
)
from tests.factories import (
    local,
    make_cohort,
    make_hub,
    make_member,
    make_one_to_one,
    make_participant,
    make_programme,
    make_session,
    make_user,
)

AS_OF = local("2021-07-01T12:00")
AFTER_WINDOW = local("2022-04-01T09:00")
DELIVERED = SessionStatus.DELIVERED


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.fixture
def hub(db):
    return make_hub("gm", name="Greater Manchester Growth Hub")


@pytest.fixture
def cohort(hub, programme):
    return make_cohort(hub, programme, name="Greater Manchester 3")


@pytest.fixture
def provider(hub):
    return make_user(Role.ONE_TO_ONE_PROVIDER, hub=hub)


@pytest.fixture
def participant(cohort):
    participant = make_participant(
        cohort.hub, cohort.programme, first_name="Alex", last_name="Smith"
    )
    make_member(cohort, participant)
    return participant


def judge(rule, subject, as_of=AS_OF):
    return CHECKS[rule](subject, as_of=as_of)


def attend(session, participant, present=True):
    hours = session.hours if present else Decimal(0)
    Attendance.objects.create(
        session=session, participant=participant, present=present, hours=hours
    )


def respond(participant, kind, session=None):
    instrument = SurveyInstrument.objects.get(kind=kind, active=True)
    return SurveyResponse.objects.create(
        participant=participant,
        instrument=instrument,
        kind=kind,
        session=session,
        completed=dt.date(2021, 6, 2),
    )


def delivered_one_to_ones(participant, provider, *hours, **values):
    for day, h in enumerate(hours, start=10):
        make_one_to_one(
            participant,
            provider,
            starts_at=local(f"2021-06-{day}T14:00"),
            hours=Decimal(h),
            status=DELIVERED,
            **values,
        )


# --- O1: at least 3.5 hours of one-to-one support -----------------------------------------


@pytest.mark.parametrize(
    ("hours", "as_of", "outcome"),
    [
        (["1.99", "1.5"], AS_OF, Outcome.NOT_APPLICABLE),  # 3.49: short, still time
        (["1.99", "1.5"], AFTER_WINDOW, Outcome.FAIL),
        (["2", "1.5"], AFTER_WINDOW, Outcome.PASS),  # exactly 3.5
    ],
)
def test_o1_hours_in_decimal(participant, provider, hours, as_of, outcome):
    delivered_one_to_ones(participant, provider, *hours)
    assert judge("O1", participant, as_of).outcome == outcome


def test_o1_sentences(participant, provider):
    delivered_one_to_ones(participant, provider, "1.99", "1.5")
    make_one_to_one(participant, provider, starts_at=local("2021-07-20T14:00"))  # scheduled
    assert judge("O1", participant) == Result(
        "O1",
        Outcome.NOT_APPLICABLE,
        "Alex Smith has 3.49 of 3.5 hours of one-to-one support delivered so far, due by "
        "31 March 2022.",
        dt.date(2022, 3, 31),
    )
    assert judge("O1", participant, AFTER_WINDOW).sentence == (
        "Alex Smith has 3.49 of 3.5 hours of one-to-one support delivered; the delivery window "
        "closed on 31 March 2022."
    )


def test_o1_both_routes_count_and_existing_support_is_described(participant, provider):
    delivered_one_to_ones(participant, provider, "2")
    make_one_to_one(
        participant,
        None,
        starts_at=local("2021-06-20T14:00"),
        hours=Decimal("1.5"),
        status=DELIVERED,
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
    )
    assert judge("O1", participant) == Result(
        "O1",
        Outcome.WARN,
        "Alex Smith has 3.5 of 3.5 hours of one-to-one support delivered; record the nature "
        "of the support given through Made Smarter.",
    )
    existing = participant.one_to_ones.get(route=OneToOneRoute.EXISTING)
    existing.nature_of_support = "Digital adoption advice"
    existing.save()
    assert judge("O1", participant).outcome == Outcome.PASS


def test_o1_a_recorded_refusal_excuses_it(participant):
    participant.one_to_one_declined = True
    assert judge("O1", participant, AFTER_WINDOW).outcome == Outcome.PASS
    assert "(O8)" in judge("O1", participant, AFTER_WINDOW).sentence


def test_o1_hours_come_from_the_programme(hub, provider):
    cohort = make_cohort(hub, make_programme(one_to_one_hours=Decimal("4")))
    participant = make_participant(hub, cohort.programme)
    make_member(cohort, participant)
    delivered_one_to_ones(participant, provider, "2", "1.5")
    assert judge("O1", participant, AFTER_WINDOW).outcome == Outcome.FAIL


# --- O2: one-to-one support only after the first group session ----------------------------


def test_o2_one_to_one_before_the_first_group_session_fails(cohort, participant, provider):
    absent_at = make_session(cohort, "2021-06-01T09:30", status=DELIVERED)
    first_attended = make_session(cohort, "2021-06-15T09:30", status=DELIVERED)
    attend(absent_at, participant, present=False)
    attend(first_attended, participant)
    early = make_one_to_one(participant, provider, starts_at=local("2021-06-10T14:00"))
    later = make_one_to_one(participant, provider, starts_at=local("2021-06-16T14:00"))
    assert judge("O2", early) == Result(
        "O2",
        Outcome.FAIL,
        "The one-to-one session at 14:00 on 10 June 2021 is before the end of the "
        "participant's first group session; one-to-one support begins only after it.",
    )
    assert judge("O2", later) == Result(
        "O2",
        Outcome.PASS,
        "The one-to-one session at 14:00 on 16 June 2021 is after the participant's first "
        "group session on 15 June 2021.",
    )


@pytest.mark.parametrize(
    ("starts_at", "outcome"),
    [
        ("2021-06-15T12:29", Outcome.FAIL),  # the first session (09:30, 3 hours) still runs
        ("2021-06-15T12:30", Outcome.PASS),  # the minute it ends
    ],
)
def test_o2_counts_from_the_end_of_the_first_group_session(
    cohort, participant, provider, starts_at, outcome
):
    attend(make_session(cohort, "2021-06-15T09:30", status=DELIVERED), participant)
    one_to_one = make_one_to_one(participant, provider, starts_at=local(starts_at))
    assert judge("O2", one_to_one).outcome == outcome


def test_o2_no_group_session_attended_yet_fails(participant, provider):
    assert judge("O2", make_one_to_one(participant, provider)).outcome == Outcome.FAIL


def test_o2_booking_ahead_after_a_first_session_still_to_come(cohort, participant, provider):
    make_session(cohort, "2021-06-01T09:30")  # scheduled, not yet delivered
    booked = make_one_to_one(participant, provider, starts_at=local("2021-06-10T14:00"))
    assert judge("O2", booked).outcome == Outcome.PASS
    too_soon = make_one_to_one(participant, provider, starts_at=local("2021-05-28T14:00"))
    assert judge("O2", too_soon).outcome == Outcome.FAIL
    # Delivered support needs a group session the participant actually attended.
    booked.status = SessionStatus.DELIVERED
    assert judge("O2", booked).outcome == Outcome.FAIL


# --- O3: within a month of the cohort's final session --------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "outcome"),
    [("2021-10-01T14:00", Outcome.PASS), ("2021-10-02T09:00", Outcome.WARN)],
)
def test_o3_within_a_month_of_the_final_session(cohort, participant, provider, starts_at, outcome):
    make_session(cohort, "2021-08-01T09:30")
    make_session(cohort, "2021-09-01T09:30")
    make_session(cohort, "2021-09-15T09:30", status=SessionStatus.CANCELLED)
    one_to_one = make_one_to_one(participant, provider, starts_at=local(starts_at))
    assert judge("O3", one_to_one).outcome == outcome


def test_o3_sentence_names_the_latest_date(cohort, participant, provider):
    make_session(cohort, "2021-09-01T09:30")
    one_to_one = make_one_to_one(participant, provider, starts_at=local("2021-10-02T09:00"))
    assert judge("O3", one_to_one).sentence == (
        "The one-to-one session on 2 October 2021 is more than 1 month after the cohort's "
        "final group session on 1 September 2021 (the latest date is 1 October 2021)."
    )


# --- O4: completed by the end of the window ----------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "outcome"),
    [("2022-03-31T16:00", Outcome.PASS), ("2022-04-01T09:00", Outcome.FAIL)],
)
def test_o4_inside_the_delivery_window(participant, provider, starts_at, outcome):
    one_to_one = make_one_to_one(participant, provider, starts_at=local(starts_at))
    assert judge("O4", one_to_one).outcome == outcome


# --- O5: joining instructions 48 hours before (advisory) ----------------------------------


@pytest.mark.parametrize(
    ("sent_at", "outcome"),
    [("2021-06-08T14:00", Outcome.PASS), ("2021-06-08T14:01", Outcome.WARN)],
)
def test_o5_joining_instructions(participant, provider, sent_at, outcome):
    one_to_one = make_one_to_one(participant, provider, joining_instructions_sent_at=local(sent_at))
    assert judge("O5", one_to_one).outcome == outcome


def test_o5_not_sent_after_the_deadline_warns(participant, provider):
    one_to_one = make_one_to_one(participant, provider)
    result = judge("O5", one_to_one, local("2021-06-09T09:00"))
    assert result == Result(
        "O5",
        Outcome.WARN,
        "Joining instructions for the one-to-one session have not been sent; they were due "
        "by 14:00 on 8 June 2021, 48 hours before it starts.",
        dt.date(2021, 6, 8),
    )


# --- O6: an action plan after the first group session -------------------------------------


def test_o6_action_plan(cohort, participant):
    assert judge("O6", participant).outcome == Outcome.NOT_APPLICABLE
    attend(make_session(cohort, status=DELIVERED), participant)
    assert judge("O6", participant).outcome == Outcome.WARN
    ActionPlan.objects.create(
        participant=participant, goal="Double exports", agreed_on=dt.date(2021, 6, 8)
    )
    participant.refresh_from_db()
    assert judge("O6", participant) == Result(
        "O6", Outcome.PASS, "Alex Smith's action plan was agreed on 8 June 2021."
    )


def test_o6_asks_no_plan_of_someone_who_dropped_out(cohort, participant):
    attend(make_session(cohort, "2021-06-01T09:30", status=DELIVERED), participant)
    participant.dropped_out_on = dt.date(2021, 6, 10)
    participant.save(update_fields=["dropped_out_on"])
    # The day before they left, the plan was still due; from the day they left, it is not.
    assert judge("O6", participant, as_of=local("2021-06-09T12:00")).outcome == Outcome.WARN
    assert judge("O6", participant, as_of=local("2021-06-10T12:00")) == Result(
        "O6", Outcome.NOT_APPLICABLE, "Alex Smith dropped out on 10 June 2021."
    )


@pytest.mark.parametrize(
    ("agreed_on", "outcome"),
    [(dt.date(2021, 5, 31), Outcome.WARN), (dt.date(2021, 6, 1), Outcome.PASS)],
    ids=["the-day-before", "the-same-day"],
)
def test_o6_a_plan_dated_before_the_first_session_warns(cohort, participant, agreed_on, outcome):
    attend(make_session(cohort, "2021-06-01T09:30", status=DELIVERED), participant)
    ActionPlan.objects.create(participant=participant, goal="Grow", agreed_on=agreed_on)
    participant.refresh_from_db()
    result = judge("O6", participant)
    assert result.outcome == outcome
    if outcome == Outcome.WARN:
        assert result.sentence == (
            "Alex Smith's action plan is dated 31 May 2021, before their first group session "
            "on 1 June 2021; the plan follows that session."
        )


# --- O7, O8 --------------------------------------------------------------------------------


def test_o7_warns_until_the_provider_declares(participant, provider):
    # Declarations themselves: tests/sessions/test_one_to_one.py.
    result = judge("O7", make_one_to_one(participant, provider))
    assert result.outcome == Outcome.WARN
    assert "has not declared" in result.sentence


def test_o8_refusal_recorded(participant):
    assert judge("O8", participant).outcome == Outcome.NOT_APPLICABLE
    participant.one_to_one_declined = True
    assert judge("O8", participant) == Result(
        "O8", Outcome.PASS, "Alex Smith declined one-to-one support; the refusal is recorded."
    )


# --- Q1–Q5: quality ---------------------------------------------------------------------


def observe(session, observer, **values):
    defaults = {"notice_given": local("2021-05-30T09:30")}
    defaults.update(values)
    return Observation.objects.create(session=session, observer=observer, **defaults)


def test_q1_each_facilitator_has_a_session_observed(personas):
    facilitator = personas.facilitator
    assert judge("Q1", facilitator).outcome == Outcome.WARN
    session = make_session(personas.cohort_a, status=DELIVERED)
    observe(session, personas.hub_a_admin)  # planned, not completed
    assert judge("Q1", facilitator).outcome == Outcome.WARN
    observe(session, personas.coordinator, completed=dt.date(2021, 6, 1))
    assert judge("Q1", facilitator).outcome == Outcome.PASS
    assert judge("Q1", personas.hub_a_admin).outcome == Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("notice_given", "shared", "outcome"),
    [
        ("2021-05-31T09:30", True, Outcome.PASS),  # exactly 24 hours
        ("2021-05-31T09:31", True, Outcome.FAIL),
        ("2021-05-30T09:30", False, Outcome.FAIL),
    ],
)
def test_q2_notice_and_privacy_statement(cohort, hub, notice_given, shared, outcome):
    session = make_session(cohort, "2021-06-01T09:30")
    observation = observe(
        session,
        make_user(Role.HUB_ADMIN, hub=hub),
        notice_given=local(notice_given),
        privacy_statement_shared=local("2021-05-31T12:00") if shared else None,
    )
    assert judge("Q2", observation).outcome == outcome


def test_q2_sentence(cohort, hub):
    session = make_session(cohort, "2021-06-01T09:30")
    observation = observe(
        session, make_user(Role.HUB_ADMIN, hub=hub), notice_given=local("2021-05-31T21:30")
    )
    assert judge("Q2", observation).sentence == (
        "For the observation of the session of Greater Manchester 3 on 1 June 2021, the "
        "facilitator was given notice 12 hours before it, and 24 hours' notice is needed; no "
        "privacy statement was shared with the cohort."
    )


def test_q3_is_a_feature(cohort):
    assert judge("Q3", make_session(cohort)).outcome == Outcome.NOT_APPLICABLE
    assert CHECKS["Q3"].kind == "—"


def test_q4_recording_deleted_once_reviewed(cohort, hub):
    observation = observe(make_session(cohort), make_user(Role.HUB_ADMIN, hub=hub))
    assert judge("Q4", observation).outcome == Outcome.NOT_APPLICABLE
    observation.feedback = "Strong challenge from the group."
    assert judge("Q4", observation).outcome == Outcome.WARN
    observation.recording_deleted = local("2021-06-03T10:00")
    assert judge("Q4", observation).outcome == Outcome.PASS


def test_q5_complaint_action_taken(hub):
    complaint = Complaint.objects.create(
        key="c1", hub=hub, received=dt.date(2021, 6, 4), summary="Venue too cold"
    )
    assert judge("Q5", complaint) == Result(
        "Q5", Outcome.WARN, "The complaint received on 4 June 2021 has no action taken recorded."
    )
    complaint.action_taken = "Moved to another room."
    assert judge("Q5", complaint).outcome == Outcome.PASS


# --- S1–S5: surveys -----------------------------------------------------------------------


def test_s1_baseline_survey(hub, programme, participant):
    assert judge("S1", make_participant(hub, programme)).outcome == Outcome.NOT_APPLICABLE
    assert judge("S1", participant).outcome == Outcome.WARN
    respond(participant, SurveyKind.BASELINE)
    assert judge("S1", participant).outcome == Outcome.PASS


def test_s1_asks_no_baseline_of_someone_who_dropped_out(participant):
    participant.dropped_out_on = dt.date(2021, 6, 10)
    participant.save(update_fields=["dropped_out_on"])
    # The day before they left, the baseline was still asked; from the day they left, the
    # drop-out survey (S4) is asked instead; a baseline answered before they left still counts.
    assert judge("S1", participant, as_of=local("2021-06-09T12:00")).outcome == Outcome.WARN
    assert judge("S1", participant, as_of=local("2021-06-10T12:00")) == Result(
        "S1",
        Outcome.NOT_APPLICABLE,
        "Alex Smith dropped out on 10 June 2021; the drop-out survey is asked instead.",
    )
    respond(participant, SurveyKind.BASELINE)
    assert judge("S1", participant, as_of=local("2021-06-10T12:00")).outcome == Outcome.PASS


def test_s2_feedback_after_each_session(cohort, participant):
    other = make_participant(cohort.hub, cohort.programme)
    make_member(cohort, other)
    session = make_session(cohort, status=DELIVERED)
    assert judge("S2", session).outcome == Outcome.NOT_APPLICABLE
    attend(session, participant)
    attend(session, other)
    respond(participant, SurveyKind.SESSION_FEEDBACK, session=session)
    assert judge("S2", session) == Result(
        "S2",
        Outcome.WARN,
        "1 of 2 participants present at the session of Greater Manchester 3 on 1 June 2021 "
        "have not answered the feedback survey.",
    )
    respond(other, SurveyKind.SESSION_FEEDBACK, session=session)
    assert judge("S2", session).outcome == Outcome.PASS


def test_s3_exit_survey_once_the_cohort_has_its_hours(cohort, participant):
    for day in range(1, 7):
        hours = Decimal("2.5") if day == 6 else Decimal("3")
        make_session(cohort, f"2021-0{day + 3}-01T09:30", hours=hours, status=DELIVERED)
    assert judge("S3", participant, AFTER_WINDOW).outcome == Outcome.NOT_APPLICABLE  # 17.5
    make_session(cohort, "2021-10-01T09:30", hours=Decimal("0.5"), status=DELIVERED)
    assert judge("S3", participant, AFTER_WINDOW).outcome == Outcome.WARN
    respond(participant, SurveyKind.EXIT)
    assert judge("S3", participant, AFTER_WINDOW).outcome == Outcome.PASS


def test_s4_dropout_survey(participant):
    assert judge("S4", participant).outcome == Outcome.NOT_APPLICABLE
    participant.dropped_out_on = dt.date(2021, 6, 20)
    participant.dropout_reason = "Business sold"
    participant.save()
    assert judge("S4", participant) == Result(
        "S4",
        Outcome.WARN,
        "Alex Smith dropped out on 20 June 2021 and has not answered the drop-out survey.",
    )
    respond(participant, SurveyKind.DROPOUT)
    assert judge("S4", participant).outcome == Outcome.PASS
    assert judge("S3", participant).outcome == Outcome.NOT_APPLICABLE


def test_s5_is_a_feature(participant):
    assert judge("S5", participant).outcome == Outcome.NOT_APPLICABLE


# --- M1: the monthly return by the 7th ------------------------------------------------------


@pytest.fixture
def may_return(hub, programme):
    return MonthlyReturn.objects.create(hub=hub, month=dt.date(2021, 5, 1))


def submit(monthly_return, submitted_at, by):
    ReturnVersion.objects.create(
        monthly_return=monthly_return,
        version=1,
        figures={},
        breakdowns={},
        sha256="0" * 64,
        submitted_at=local(submitted_at),
        submitted_by=by,
    )


def test_m1_due_at_the_end_of_the_seventh_in_london(programme):
    assert return_due_at(dt.date(2021, 5, 1), programme) == local("2021-06-07T23:59:59")
    assert return_due_at(dt.date(2021, 12, 1), programme) == local("2022-01-07T23:59:59")
    later = make_programme(
        name="Peer Networks 2022/23",
        delivery_start=dt.date(2022, 4, 1),
        delivery_end=dt.date(2023, 3, 31),
        return_due_day=10,
    )
    assert return_due_at(dt.date(2022, 5, 1), later) == local("2022-06-10T23:59:59")


@pytest.mark.parametrize(
    ("submitted_at", "outcome"),
    [("2021-06-07T23:59", Outcome.PASS), ("2021-06-08T00:00", Outcome.FAIL)],
)
def test_m1_submitted_by_the_seventh(hub, may_return, submitted_at, outcome):
    submit(may_return, submitted_at, make_user(Role.HUB_ADMIN, hub=hub))
    assert judge("M1", may_return, local("2021-07-01T12:00")).outcome == outcome


def test_m1_sentences(hub, may_return):
    assert judge("M1", may_return, local("2021-06-07T23:59")) == Result(
        "M1",
        Outcome.NOT_APPLICABLE,
        "Greater Manchester Growth Hub's return for May 2021 is due by 23:59 on 7 June 2021.",
        dt.date(2021, 6, 7),
    )
    assert judge("M1", may_return, local("2021-06-08T00:00")) == Result(
        "M1",
        Outcome.FAIL,
        "Greater Manchester Growth Hub's return for May 2021 is missing; it was due by 23:59 "
        "on 7 June 2021.",
        dt.date(2021, 6, 7),
    )
    submit(may_return, "2021-06-08T00:00", make_user(Role.HUB_ADMIN, hub=hub))
    assert judge("M1", may_return, local("2021-07-01T00:00")).sentence == (
        "Greater Manchester Growth Hub's return for May 2021 was submitted late, at 00:00 on "
        "8 June 2021; it was due by 23:59 on 7 June 2021."
    )


def test_m1_uses_the_programme_year_of_the_month(hub, programme, may_return):
    make_programme(
        name="Peer Networks 2022/23",
        delivery_start=dt.date(2022, 4, 1),
        delivery_end=dt.date(2023, 3, 31),
        return_due_day=10,
    )
    submit(may_return, "2021-06-09T10:00", make_user(Role.HUB_ADMIN, hub=hub))
    assert judge("M1", may_return).outcome == Outcome.FAIL  # 2021/22's 7th, not the 10th


def test_run_checks_for_a_one_to_one(participant, provider):
    results = run_checks(make_one_to_one(participant, provider), as_of=AS_OF, judges="one_to_one")
    assert [r.rule for r in results] == ["O2", "O3", "O4", "O5", "O7"]


def test_participant_checks_read_prefetched_rows(
    cohort, participant, provider, django_assert_num_queries
):
    session = make_session(cohort, status=DELIVERED)
    attend(session, participant)
    delivered_one_to_ones(participant, provider, "2")
    respond(participant, SurveyKind.BASELINE)
    participants = Participant.objects.select_related(
        "programme", "hub", "business", "action_plan"
    ).prefetch_related(
        "business__participants",
        "eligibility_exceptions",
        "memberships__cohort__sessions",
        "attendance__session",
        "one_to_ones",
        "survey_responses",
        "absence_follow_ups",
        "business_matches",
    )
    # participants, business participants, exceptions, memberships, their cohorts, the
    # cohorts' sessions, attendance, attended sessions, one-to-ones, survey responses,
    # absence follow-ups (K13), possible business matches (E9)
    with django_assert_num_queries(12):
        for each in participants:
            results = run_checks(each, as_of=AS_OF, judges="participant")
    assert {r.rule: r.outcome for r in results}["O6"] == Outcome.WARN
