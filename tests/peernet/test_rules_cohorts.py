"""Cohort and group-session checks K1–K13 (rules/cohorts.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cohorts.models import Cohort
from rules import CHECKS, Outcome, Result, run_checks
from sessions.models import (
    AbsenceFollowUp,
    ActionCard,
    Attendance,
    FacilitatorNote,
    GroupSession,
    SessionStatus,
)
from tests.factories import (
    local,
    make_business,
    make_cohort,
    make_hub,
    make_member,
    make_participant,
    make_programme,
    make_session,
)

AS_OF = local("2021-07-01T12:00")
AUGUST = local("2021-08-01T12:00")
AFTER_WINDOW = local("2022-04-01T09:00")


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.fixture
def hub(db):
    return make_hub("gm")


@pytest.fixture
def cohort(hub, programme):
    return make_cohort(hub, programme, name="Greater Manchester 3")


def judge(rule, subject, as_of=AS_OF):
    return CHECKS[rule](subject, as_of=as_of)


def add_members(cohort, count, **membership):
    participants = []
    for _ in range(count):
        participant = make_participant(cohort.hub, cohort.programme)
        make_member(cohort, participant, **membership)
        participants.append(participant)
    return participants


def add_sessions(cohort, hours, *, first="2021-06-01T09:30", days=14, **values):
    """One session per entry of `hours`, `days` apart, from `first`."""
    start = dt.datetime.fromisoformat(first)
    return [
        make_session(
            cohort,
            (start + dt.timedelta(days=days * n)).isoformat(timespec="minutes"),
            hours=Decimal(h),
            **values,
        )
        for n, h in enumerate(hours)
    ]


def attend(session, participant, present=True, apologies=False):
    hours = session.hours if present else Decimal(0)
    return Attendance.objects.create(
        session=session, participant=participant, present=present, hours=hours, apologies=apologies
    )


# --- K1: at most 11, the target is 11 ---------------------------------------------------


@pytest.mark.parametrize(("members", "outcome"), [(11, Outcome.PASS), (12, Outcome.FAIL)])
def test_k1_the_twelfth_participant(cohort, members, outcome):
    add_members(cohort, members)
    assert judge("K1", cohort).outcome == outcome


def test_k1_sentences(cohort):
    add_members(cohort, 12)
    assert judge("K1", cohort) == Result(
        "K1", Outcome.FAIL, "Greater Manchester 3 has 12 participants; a cohort has at most 11."
    )


def test_k1_fewer_than_the_target_warns_once_sessions_start(cohort):
    add_members(cohort, 10)
    make_session(cohort, "2021-07-05T09:30")
    before = judge("K1", cohort)
    assert before == Result(
        "K1",
        Outcome.PASS,
        "Greater Manchester 3 has 10 participants; the target is 11 by the first session on "
        "5 July 2021.",
        dt.date(2021, 7, 5),
    )
    assert judge("K1", cohort, local("2021-07-05T09:30")).outcome == Outcome.WARN


def test_k1_members_who_left_do_not_count(cohort):
    add_members(cohort, 11)
    add_members(cohort, 1, left=dt.date(2021, 6, 30))
    assert judge("K1", cohort).outcome == Outcome.PASS


def test_k1_size_comes_from_the_programme(hub):
    cohort = make_cohort(hub, make_programme(cohort_size=12))
    add_members(cohort, 12)
    assert judge("K1", cohort).outcome == Outcome.PASS


# --- K2: 18 hours delivered by the end of the window -------------------------------------


def test_k2_eighteen_hours_delivered_pass(cohort):
    add_sessions(cohort, ["3"] * 6, status=SessionStatus.DELIVERED)
    assert judge("K2", cohort, AFTER_WINDOW) == Result(
        "K2", Outcome.PASS, "Greater Manchester 3 has 18.0 of 18 hours delivered."
    )


def test_k2_seventeen_and_a_half_hours_is_short(cohort):
    add_sessions(cohort, ["3", "3", "3", "3", "3", "2.5"], status=SessionStatus.DELIVERED)
    assert judge("K2", cohort, local("2022-03-31T23:00")) == Result(
        "K2",
        Outcome.NOT_APPLICABLE,
        "Greater Manchester 3 has 17.5 of 18 hours delivered so far, due by 31 March 2022.",
        dt.date(2022, 3, 31),
    )
    assert judge("K2", cohort, AFTER_WINDOW) == Result(
        "K2",
        Outcome.FAIL,
        "Greater Manchester 3 has 17.5 of 18 hours delivered; the delivery window closed on "
        "31 March 2022.",
    )


def test_k2_scheduled_and_cancelled_sessions_are_not_delivered(cohort):
    add_sessions(cohort, ["3"] * 5, status=SessionStatus.DELIVERED)
    make_session(cohort, "2021-12-01T09:30", status=SessionStatus.CANCELLED)
    make_session(cohort, "2021-12-15T09:30")
    assert judge("K2", cohort, AFTER_WINDOW).outcome == Outcome.FAIL


def test_k2_hours_come_from_the_programme(hub):
    cohort = make_cohort(hub, make_programme(cohort_hours=Decimal("20")))
    add_sessions(cohort, ["3"] * 6, status=SessionStatus.DELIVERED)
    assert judge("K2", cohort, AFTER_WINDOW).outcome == Outcome.FAIL
    assert "18.0 of 20 hours" in judge("K2", cohort, AFTER_WINDOW).sentence


# --- K3: two to three hours ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "outcome"),
    [("2", Outcome.PASS), ("3", Outcome.PASS), ("1.5", Outcome.WARN), ("3.25", Outcome.WARN)],
)
def test_k3_session_length(cohort, hours, outcome):
    assert judge("K3", make_session(cohort, hours=Decimal(hours))).outcome == outcome


def test_k3_sentence(cohort):
    session = make_session(cohort, hours=Decimal("1.5"))
    assert judge("K3", session).sentence == (
        "The session lasts 1.5 hours; sessions are recommended to last 2 to 3 hours."
    )


# --- K4: fortnightly, gaps over three weeks warn ------------------------------------------


@pytest.mark.parametrize(("days", "outcome"), [(14, Outcome.PASS), (21, Outcome.PASS)])
def test_k4_gaps_up_to_three_weeks_pass(cohort, days, outcome):
    add_sessions(cohort, ["3"] * 3, days=days)
    assert judge("K4", cohort).outcome == outcome


def test_k4_a_gap_over_three_weeks_warns(cohort):
    add_sessions(cohort, ["3"] * 2, first="2021-06-01T09:30")
    make_session(cohort, "2021-07-07T09:30")  # 22 days after 15 June
    assert judge("K4", cohort) == Result(
        "K4",
        Outcome.WARN,
        "The longest gap between sessions of Greater Manchester 3 is 22 days (15 June 2021 to "
        "7 July 2021); sessions are recommended fortnightly, with gaps of no more than 21 days.",
    )


def test_k4_a_cancelled_session_does_not_close_a_gap(cohort):
    make_session(cohort, "2021-06-01T09:30")
    make_session(cohort, "2021-06-15T09:30", status=SessionStatus.CANCELLED)
    make_session(cohort, "2021-06-29T09:30")
    assert judge("K4", cohort).outcome == Outcome.WARN


def test_k4_one_session_is_not_applicable(cohort):
    make_session(cohort)
    assert judge("K4", cohort).outcome == Outcome.NOT_APPLICABLE


# --- K5: inside the delivery window -------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "outcome"),
    [
        ("2021-04-01T09:30", Outcome.PASS),
        # K5: completed within the window. Three hours from 21:00 on 31 March end at
        # midnight, the window's close; a minute later, or later still, ends in April.
        ("2022-03-31T21:00", Outcome.PASS),
        ("2022-03-31T21:01", Outcome.FAIL),
        ("2022-03-31T23:30", Outcome.FAIL),  # starts on 31 March, ends on 1 April
        ("2022-04-01T00:30", Outcome.FAIL),  # 23:30 UTC on 31 March, but 1 April in London
        ("2021-03-31T09:30", Outcome.FAIL),
        ("2021-03-31T23:00", Outcome.FAIL),  # ends in the window, but starts before it
    ],
)
def test_k5_session_in_window(cohort, starts_at, outcome):
    assert judge("K5", make_session(cohort, starts_at)).outcome == outcome


def test_k5_cancelled_is_not_applicable(cohort):
    session = make_session(cohort, "2022-04-05T09:30", status=SessionStatus.CANCELLED)
    assert judge("K5", session).outcome == Outcome.NOT_APPLICABLE


# --- K6: the schedule reaches 18 hours before the window closes ---------------------------


def test_k6_seventeen_and_a_half_scheduled_warns(cohort):
    add_sessions(cohort, ["3", "3", "3", "3", "3", "2.5"])
    assert judge("K6", cohort) == Result(
        "K6",
        Outcome.WARN,
        "Greater Manchester 3 has 17.5 of 18 hours delivered or scheduled by 31 March 2022.",
        dt.date(2022, 3, 31),
    )


def test_k6_delivered_and_scheduled_together_pass(cohort):
    add_sessions(cohort, ["3"] * 3, status=SessionStatus.DELIVERED)
    add_sessions(cohort, ["3"] * 3, first="2021-09-01T09:30")
    assert judge("K6", cohort).outcome == Outcome.PASS


def test_k6_sessions_after_the_window_or_cancelled_do_not_count(cohort):
    add_sessions(cohort, ["3"] * 5)
    make_session(cohort, "2022-04-01T09:30")
    make_session(cohort, "2021-12-01T09:30", status=SessionStatus.CANCELLED)
    assert judge("K6", cohort).outcome == Outcome.WARN


# --- K7: joining instructions 48 hours before ---------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "sent_at", "outcome", "words"),
    [
        ("2021-06-03T09:30", "2021-06-01T09:30", Outcome.PASS, "48 hours"),
        ("2021-06-03T09:30", "2021-06-01T09:31", Outcome.FAIL, "47 hours 59 minutes"),
        # October 2021: the clocks go back at 02:00 on 31 October (BST to GMT).
        ("2021-11-01T09:30", "2021-10-30T09:30", Outcome.PASS, "49 hours"),
        ("2021-11-01T09:30", "2021-10-30T10:30", Outcome.PASS, "48 hours"),
        ("2021-11-01T09:30", "2021-10-30T10:31", Outcome.FAIL, "47 hours 59 minutes"),
        # March 2022: the clocks go forward at 01:00 on 27 March (GMT to BST).
        ("2022-03-28T09:30", "2022-03-26T09:30", Outcome.FAIL, "47 hours"),
        ("2022-03-28T09:30", "2022-03-26T08:30", Outcome.PASS, "48 hours"),
    ],
)
def test_k7_real_hours_across_clock_changes(cohort, starts_at, sent_at, outcome, words):
    session = make_session(cohort, starts_at, joining_instructions_sent_at=local(sent_at))
    assert judge("K7", session) == Result(
        "K7",
        outcome,
        f"Joining instructions were sent {words} before the session; they are due 48 hours before.",
    )


def test_k7_not_sent_yet_is_due_by_the_deadline(cohort):
    session = make_session(cohort, "2021-06-05T09:30")
    assert judge("K7", session, local("2021-06-03T09:29")) == Result(
        "K7",
        Outcome.NOT_APPLICABLE,
        "Joining instructions for the session are due by 09:30 on 3 June 2021, 48 hours "
        "before it starts.",
        dt.date(2021, 6, 3),
    )
    assert judge("K7", session, local("2021-06-03T09:30")) == Result(
        "K7",
        Outcome.FAIL,
        "Joining instructions for the session have not been sent; they were due by 09:30 on "
        "3 June 2021, 48 hours before it starts.",
        dt.date(2021, 6, 3),
    )


def test_k7_deadline_is_real_hours_across_the_clock_change(cohort):
    session = make_session(cohort, "2021-11-01T09:30")
    result = judge("K7", session, local("2021-10-29T12:00"))
    assert "due by 10:30 on 30 October 2021" in result.sentence


def test_k7_cancelled_session_is_not_applicable(cohort):
    session = make_session(cohort, status=SessionStatus.CANCELLED)
    assert judge("K7", session, local("2022-01-01T00:00")).outcome == Outcome.NOT_APPLICABLE


def test_k7_notice_comes_from_the_programme(hub):
    cohort = make_cohort(hub, make_programme(joining_instructions_hours=72))
    session = make_session(
        cohort, "2021-06-03T09:30", joining_instructions_sent_at=local("2021-06-01T09:30")
    )
    assert judge("K7", session).outcome == Outcome.FAIL
    assert judge("K7", session).sentence.endswith("they are due 72 hours before.")


# --- K8: attendance for every delivered session -------------------------------------------


def test_k8_missing_attendance_fails(cohort):
    first, second = add_members(cohort, 2)
    add_members(cohort, 1, joined=dt.date(2021, 6, 2))  # joined after the session
    session = make_session(cohort, "2021-06-01T09:30", status=SessionStatus.DELIVERED)
    attend(session, first)
    assert judge("K8", session) == Result(
        "K8",
        Outcome.FAIL,
        "Attendance is not recorded for 1 of 2 participants at the session of Greater "
        "Manchester 3 on 1 June 2021.",
        dt.date(2021, 6, 1),
    )
    attend(session, second, present=False)
    assert judge("K8", session).outcome == Outcome.PASS


def test_k8_scheduled_session_is_not_applicable(cohort):
    add_members(cohort, 2)
    assert judge("K8", make_session(cohort)).outcome == Outcome.NOT_APPLICABLE


# --- K9: facilitator notes ----------------------------------------------------------------


def test_k9_facilitator_notes(cohort):
    session = make_session(cohort, status=SessionStatus.DELIVERED)
    assert judge("K9", session).outcome == Outcome.WARN
    note = FacilitatorNote.objects.create(session=session, hot_topics="  ")
    session.refresh_from_db()
    assert judge("K9", session).outcome == Outcome.WARN  # all four fields empty
    note.hot_topics = "Cash flow"
    note.save()
    session.refresh_from_db()
    assert judge("K9", session) == Result(
        "K9",
        Outcome.PASS,
        "Facilitator notes for the session of Greater Manchester 3 on 1 June 2021 are written.",
    )


# --- K10: action cards --------------------------------------------------------------------


def test_k10_action_cards_for_everyone_present(cohort):
    first, second, absent = add_members(cohort, 3)
    session = make_session(cohort, status=SessionStatus.DELIVERED)
    attend(session, first)
    attend(session, second)
    attend(session, absent, present=False)
    ActionCard.objects.create(session=session, participant=first, actions="Hire a manager")
    assert judge("K10", session) == Result(
        "K10",
        Outcome.WARN,
        "1 of 2 participants present at the session of Greater Manchester 3 on 1 June 2021 "
        "have no action card.",
    )
    ActionCard.objects.create(session=session, participant=second, actions="Price review")
    assert judge("K10", session).outcome == Outcome.PASS


def test_k10_each_reports_back_at_the_next_session(cohort):
    first, second = add_members(cohort, 2)
    last, this = add_sessions(cohort, ["3", "3"], status=SessionStatus.DELIVERED)
    for person in (first, second):
        attend(last, person)
        attend(this, person)
    ActionCard.objects.create(session=last, participant=first, actions="Hire a manager")
    ActionCard.objects.create(session=last, participant=second, actions="")  # none agreed
    ActionCard.objects.create(session=this, participant=first, actions="Interview two")
    ActionCard.objects.create(session=this, participant=second, actions="Price review")
    # The first had actions last time and has not reported back on them; the second had none.
    assert judge("K10", this) == Result(
        "K10",
        Outcome.WARN,
        "1 of 1 participants present at the session of Greater Manchester 3 on 15 June 2021 "
        "have not reported back on last session's actions.",
    )
    ActionCard.objects.filter(session=this, participant=first).update(
        report_back="Advert placed; two applicants"
    )
    assert judge("K10", this) == Result(
        "K10",
        Outcome.PASS,
        "Everyone present at the session of Greater Manchester 3 on 15 June 2021 has an action "
        "card and reported back on last session's actions.",
    )


# --- K11: a moved participant joins at the start of the new cohort's journey -------------


@pytest.mark.parametrize(
    ("first_delivered", "outcome"),
    [("2021-07-05T09:30", Outcome.PASS), ("2021-06-21T09:30", Outcome.WARN)],
)
def test_k11_moved_participant(hub, programme, first_delivered, outcome):
    old, new = make_cohort(hub, programme, name="GM 1"), make_cohort(hub, programme, name="GM 2")
    participant = make_participant(hub, programme, first_name="Alex", last_name="Smith")
    make_member(old, participant, joined=dt.date(2021, 5, 20), left=dt.date(2021, 7, 1))
    make_member(new, participant, joined=dt.date(2021, 7, 1))
    make_session(new, first_delivered, status=SessionStatus.DELIVERED)
    assert judge("K11", participant).outcome == outcome


def test_k11_sentence_and_single_membership(hub, programme, cohort):
    participant = make_participant(hub, programme, first_name="Alex", last_name="Smith")
    make_member(cohort, participant, joined=dt.date(2021, 5, 20), left=dt.date(2021, 7, 1))
    assert judge("K11", participant).outcome == Outcome.NOT_APPLICABLE

    new = make_cohort(hub, programme, name="GM 4")
    make_member(new, participant, joined=dt.date(2021, 7, 1))
    add_sessions(new, ["3", "3"], status=SessionStatus.DELIVERED)
    assert judge("K11", participant).sentence == (
        "Alex Smith joined GM 4 on 1 July 2021, after 2 sessions had been delivered; a moved "
        "participant joins a cohort at the start of its journey."
    )


# --- K12: cohort balance --------------------------------------------------------------------


def member_from(cohort, **business):
    participant = make_participant(cohort.hub, cohort.programme, business=make_business(**business))
    make_member(cohort, participant)


def test_k12_possible_competitors_warn(cohort):
    member_from(cohort, name="Bolts Ltd", sector="C", local_authority="Salford")
    member_from(cohort, name="Nuts Ltd", sector="C", local_authority="Salford")
    member_from(cohort, name="Books Ltd", sector="G", local_authority="Salford")
    assert judge("K12", cohort) == Result(
        "K12",
        Outcome.WARN,
        "Consider the balance of Greater Manchester 3: 2 of 3 businesses are in SIC section C "
        "(Manufacturing); Bolts Ltd and Nuts Ltd are both in SIC section C (Manufacturing) in "
        "Salford, so may be competitors.",
    )


def test_k12_a_mixed_cohort_passes(cohort):
    member_from(cohort, sector="C", local_authority="Salford")
    member_from(cohort, sector="C", local_authority="Manchester")
    member_from(cohort, sector="G", local_authority="Salford")
    member_from(cohort, sector="J", local_authority="Salford")
    assert judge("K12", cohort).outcome == Outcome.PASS


MIXED_SECTORS = ["C", "G", "J", "M", "N", "F"]


def mixed_members(cohort, count, **business):
    """`count` members in different sectors (so only what a test varies can warn)."""
    people = []
    for n in range(count):
        participant = make_participant(
            cohort.hub,
            cohort.programme,
            business=make_business(sector=MIXED_SECTORS[n], **business),
        )
        make_member(cohort, participant)
        people.append(participant)
    return people


@pytest.mark.parametrize(
    ("smallest", "largest", "outcome"),
    [(9, 50, Outcome.WARN), (10, 50, Outcome.PASS), (9, 49, Outcome.PASS)],
    ids=["micro-beside-medium", "small-beside-medium", "micro-beside-small"],
)
def test_k12_size(cohort, smallest, largest, outcome):
    first, second, _ = mixed_members(cohort, 3)
    first.business.employees, second.business.employees = smallest, largest
    first.business.save()
    second.business.save()
    result = judge("K12", cohort)
    assert result.outcome == outcome
    if outcome == Outcome.WARN:
        assert f"sizes range from {smallest} to {largest} employees" in result.sentence


@pytest.mark.parametrize(
    ("young", "old", "outcome"),
    [
        (dt.date(2018, 7, 2), dt.date(2011, 7, 1), Outcome.WARN),  # 2 and 10 years
        (dt.date(2018, 7, 1), dt.date(2011, 7, 1), Outcome.PASS),  # 3 and 10 years
        (dt.date(2018, 7, 2), dt.date(2011, 7, 3), Outcome.PASS),  # 2 and 9 years
    ],
)
def test_k12_stage_of_growth(cohort, young, old, outcome):
    first, second, _ = mixed_members(cohort, 3)
    first.business.trading_since, second.business.trading_since = young, old
    first.business.save()
    second.business.save()
    result = judge("K12", cohort)
    assert result.outcome == outcome, result.sentence


@pytest.mark.parametrize(
    ("genders", "outcome"),
    [
        (["female", "male", "male", "male", "male"], Outcome.WARN),  # 4 of 5: over 3/4
        (["female", "female", "male", "male", "male"], Outcome.PASS),  # 3 of 5
        (["male", "male", "male", "male"], Outcome.PASS),  # 4 answers say nothing
        (["male"] * 4 + ["prefer-not-to-say"] * 2, Outcome.PASS),  # still 4 answers
    ],
)
def test_k12_gender_balance_as_a_count_never_a_value(cohort, genders, outcome):
    from participants.models import EqualityData

    for person, gender in zip(mixed_members(cohort, len(genders)), genders, strict=True):
        EqualityData.objects.create(participant=person, gender=gender)
    result = judge("K12", cohort)
    assert result.outcome == outcome
    for value in ("male", "female", "Male", "Female"):
        assert f" {value}" not in result.sentence  # docs/security.md §25: no value is named


def test_k12_fewer_than_two_members_is_not_applicable(cohort):
    member_from(cohort)
    assert judge("K12", cohort).outcome == Outcome.NOT_APPLICABLE


# --- K13: absences followed up --------------------------------------------------------------


def test_k13_absent_from_the_last_two_sessions(cohort):
    (participant,) = add_members(cohort, 1)
    participant.first_name, participant.last_name = "Alex", "Smith"
    first, second, third = add_sessions(cohort, ["3"] * 3, status=SessionStatus.DELIVERED)
    attend(first, participant)
    attend(second, participant, present=False)
    # The third session has no record yet: an unrecorded absence is K8's to raise.
    assert judge("K13", participant).outcome == Outcome.PASS
    attend(third, participant, present=False)
    assert judge("K13", participant) == Result(
        "K13",
        Outcome.WARN,
        "Alex Smith was absent without apologies from the last two sessions of Greater "
        "Manchester 3 (15 June 2021, 29 June 2021): follow up, record what came of it, and "
        "report to the hub if they have disengaged.",
    )


def test_k13_absent_with_apologies_is_not_an_unexplained_absence(cohort):
    (participant,) = add_members(cohort, 1)
    first, second = add_sessions(cohort, ["3"] * 2, status=SessionStatus.DELIVERED)
    attend(first, participant, present=False, apologies=True)
    attend(second, participant, present=False)
    assert judge("K13", participant).outcome == Outcome.PASS  # one without apologies


def test_k13_three_absences_in_the_series_warn_even_with_apologies(cohort):
    (participant,) = add_members(cohort, 1)
    participant.first_name, participant.last_name = "Alex", "Smith"
    sessions = add_sessions(cohort, ["3"] * 5, status=SessionStatus.DELIVERED)
    for session, present in zip(sessions, [False, True, False, True, True], strict=True):
        attend(session, participant, present=present, apologies=not present)
    assert judge("K13", participant, as_of=AUGUST).outcome == Outcome.PASS  # two: not yet a series
    sessions[4].attendance.filter(participant=participant).update(
        present=False, apologies=True, hours=0
    )
    assert judge("K13", participant, as_of=AUGUST) == Result(
        "K13",
        Outcome.WARN,
        "Alex Smith has missed 3 sessions of Greater Manchester 3 (1 June 2021, 29 June "
        "2021, 27 July 2021): follow up, record what came of it, and report to the hub if "
        "they have disengaged.",
    )


def test_k13_a_follow_up_on_the_day_of_the_latest_absence_clears_it(cohort):
    (participant,) = add_members(cohort, 1)
    participant.first_name, participant.last_name = "Alex", "Smith"
    sessions = add_sessions(cohort, ["3"] * 5, status=SessionStatus.DELIVERED)
    attend(sessions[0], participant)
    for session in sessions[1:3]:  # 15 and 29 June
        attend(session, participant, present=False)
    assert judge("K13", participant).outcome == Outcome.WARN
    follow_up = AbsenceFollowUp.objects.create(
        participant=participant,
        cohort=cohort,
        followed_up_on=dt.date(2021, 6, 14),  # the day before the first of them
        method="phone",
        outcome="Left a message",
    )
    assert judge("K13", participant).outcome == Outcome.WARN  # before both: still open
    follow_up.followed_up_on = dt.date(2021, 6, 29)  # the day of the second absence
    follow_up.save()
    assert judge("K13", participant) == Result(
        "K13",
        Outcome.PASS,
        "Alex Smith's absences from Greater Manchester 3 were followed up on 29 June 2021.",
    )
    # Absences after the follow-up are followed up anew.
    for session in sessions[3:5]:  # 13 and 27 July
        attend(session, participant, present=False)
    result = judge("K13", participant, as_of=AUGUST)
    assert result.outcome == Outcome.WARN
    assert "since the follow-up on 29 June 2021 (13 July 2021, 27 July 2021)" in result.sentence


def test_k13_a_single_absence_passes_and_a_participant_dropped_out_is_not_judged(cohort):
    (participant,) = add_members(cohort, 1)
    (only,) = add_sessions(cohort, ["3"], status=SessionStatus.DELIVERED)
    assert judge("K13", participant).outcome == Outcome.PASS  # no absence recorded
    attend(only, participant, present=False)
    assert judge("K13", participant).outcome == Outcome.PASS
    participant.dropped_out_on = dt.date(2021, 6, 20)
    assert judge("K13", participant).outcome == Outcome.NOT_APPLICABLE


# --- a scan prefetches once, then runs every check without a query ----------------------


def test_cohort_and_session_checks_read_prefetched_rows(cohort, django_assert_num_queries):
    members = add_members(cohort, 3)
    for session in add_sessions(cohort, ["3"] * 3, status=SessionStatus.DELIVERED):
        for participant in members:
            attend(session, participant)
    cohorts = Cohort.objects.select_related("programme").prefetch_related(
        "memberships__participant__business", "memberships__participant__equality", "sessions"
    )
    sessions = GroupSession.objects.select_related(
        "cohort__programme", "facilitator_note"
    ).prefetch_related(
        "cohort__memberships__participant",
        "cohort__sessions__action_cards",
        "attendance",
        "action_cards",
        "survey_responses",
    )
    # Cohorts: cohorts with programmes, memberships, participants, businesses, equality
    # data (K12's count), sessions. Sessions: sessions with cohorts, programmes and notes,
    # memberships, participants, the cohort's sessions and their action cards (K10's
    # report back), attendance, action cards, survey responses. None while checks run.
    with django_assert_num_queries(6 + 8):
        for each in cohorts:
            run_checks(each, as_of=AS_OF, judges="cohort")
        for each in sessions:
            run_checks(each, as_of=AS_OF, judges="session")
