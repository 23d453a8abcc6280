"""Logging one-to-one sessions and booking observations (sessions.services).

Sentences are worked out by hand from the checks' wording and the 2021/22 numbers.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from peernet.models import Role, RuleWarning
from rules import Outcome, RuleBroken
from sessions.models import (
    Attendance,
    Observation,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
)
from sessions.one_to_one.services import one_to_one_log
from sessions.quality import observation_book
from tests.factories import (
    local,
    make_hub,
    make_member,
    make_participant,
    make_session,
    make_user,
)

AS_OF = local("2021-06-02T12:00")


@pytest.fixture
def first_session(cohort):
    """The cohort's first (and so far final) session: delivered on 1 June 2021."""
    return make_session(cohort, "2021-06-01T09:30", status=SessionStatus.DELIVERED)


@pytest.fixture
def participant(cohort, first_session):
    participant = make_participant(
        cohort.hub, cohort.programme, key="alex", first_name="Alex", last_name="Smith"
    )
    make_member(cohort, participant)
    Attendance.objects.create(
        session=first_session, participant=participant, present=True, hours=Decimal(3)
    )
    return participant


@pytest.fixture
def provider(hub):
    return make_user(Role.ONE_TO_ONE_PROVIDER, hub=hub, name="Pat Provider")


def log(participant, admin, starts_at, provider=None, as_of=AS_OF, **values):
    values.setdefault("hours", Decimal("1.5"))
    values.setdefault("status", SessionStatus.SCHEDULED)
    values.setdefault("route", OneToOneRoute.PROGRAMME)
    return one_to_one_log(
        participant=participant,
        starts_at=local(starts_at),
        provider=provider,
        by=admin,
        as_of=as_of,
        **values,
    )


def nothing_written():
    assert OneToOneSession.objects.count() == 0
    assert RuleWarning.objects.count() == 0


# --- one-to-one logging -------------------------------------------------------------------


def test_log_a_one_to_one(participant, provider, admin):
    one_to_one = log(
        participant,
        admin,
        "2021-06-10T14:00",
        provider,
        joining_instructions_sent_at=local("2021-06-07T09:00"),
    )
    assert one_to_one.key == "alex-o1"
    assert (
        one_to_one.participant,
        one_to_one.provider,
        one_to_one.starts_at,
        one_to_one.hours,
        one_to_one.status,
        one_to_one.route,
    ) == (
        participant,
        provider,
        local("2021-06-10T14:00"),
        Decimal("1.5"),
        SessionStatus.SCHEDULED,
        OneToOneRoute.PROGRAMME,
    )
    assert RuleWarning.objects.count() == 0
    second = log(participant, admin, "2021-06-17T14:00", provider)
    assert second.key == "alex-o2"


@pytest.mark.parametrize(
    ("starts_at", "rule", "message"),
    [
        pytest.param(
            "2021-05-31T14:00",
            "O2",
            "The one-to-one session at 14:00 on 31 May 2021 is before the end of the "
            "participant's first group session; one-to-one support begins only after it.",
            id="o2-before-the-first-group-session",
        ),
        pytest.param(
            "2022-04-01T09:00",
            "O4",
            "The one-to-one session on 1 April 2022 is after the delivery window ended on "
            "31 March 2022.",
            id="o4-after-the-window",
        ),
    ],
)
def test_a_one_to_one_out_of_its_time_is_refused(
    participant, provider, admin, starts_at, rule, message
):
    with pytest.raises(RuleBroken) as refused:
        log(participant, admin, starts_at, provider)
    assert [(r.rule, r.outcome) for r in refused.value.results] == [(rule, Outcome.FAIL)]
    assert str(refused.value) == message
    nothing_written()


def test_o2_refused_when_no_group_session_has_been_attended(cohort, provider, admin):
    newcomer = make_participant(cohort.hub, cohort.programme)
    make_member(cohort, newcomer)
    with pytest.raises(RuleBroken) as refused:
        log(newcomer, admin, "2021-06-10T14:00", provider)
    assert [r.rule for r in refused.value.results] == ["O2"]
    nothing_written()


def test_o4_the_last_day_of_the_window_is_allowed(participant, provider, admin):
    log(participant, admin, "2022-03-31T16:00", provider)
    assert OneToOneSession.objects.count() == 1
    # O3 warns: the cohort's final session was on 1 June 2021.
    assert list(RuleWarning.objects.values_list("rule", flat=True)) == ["O3"]


def test_o3_and_o5_warnings_are_recorded(participant, provider, admin):
    one_to_one = log(
        participant, admin, "2021-07-05T14:00", provider, as_of=local("2021-07-04T12:00")
    )
    warnings = {w.rule: w for w in RuleWarning.objects.all()}
    assert sorted(warnings) == ["O3", "O5"]
    assert warnings["O3"].sentence == (
        "The one-to-one session on 5 July 2021 is more than 1 month after the cohort's final "
        "group session on 1 June 2021 (the latest date is 1 July 2021)."
    )
    assert warnings["O5"].sentence == (
        "Joining instructions for the one-to-one session have not been sent; they were due by "
        "14:00 on 3 July 2021, 48 hours before it starts."
    )
    for warning in warnings.values():
        assert (
            warning.subject_kind,
            warning.subject_id,
            warning.hub,
            warning.action,
            warning.recorded_by,
        ) == ("one_to_one", one_to_one.pk, participant.hub, "one_to_one_log", admin)


def test_o3_within_a_month_does_not_warn(participant, provider, admin):
    log(participant, admin, "2021-07-01T14:00", provider)
    assert RuleWarning.objects.count() == 0


def test_the_programme_route_needs_a_provider(participant, admin):
    with pytest.raises(ValidationError) as refused:
        log(participant, admin, "2021-06-10T14:00")
    assert refused.value.messages == ["Choose the provider who delivers this one-to-one session."]
    nothing_written()


def test_the_programme_route_names_no_existing_programme(participant, provider, admin):
    with pytest.raises(ValidationError) as refused:
        log(participant, admin, "2021-06-10T14:00", provider, existing_programme="Made Smarter")
    assert refused.value.messages == [
        "A session delivered by the programme does not name an existing local programme; "
        "choose the existing-programme route instead."
    ]
    nothing_written()


def test_an_existing_programme_is_named(participant, admin):
    with pytest.raises(ValidationError) as refused:
        log(participant, admin, "2021-06-10T14:00", route=OneToOneRoute.EXISTING)
    assert refused.value.messages == [
        "Name the existing local programme that delivers this support."
    ]
    nothing_written()


def test_support_through_an_existing_programme(participant, admin):
    one_to_one = log(
        participant,
        admin,
        "2021-06-10T14:00",
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
        nature_of_support="Digital roadmap workshop",
        status=SessionStatus.DELIVERED,
        hours=Decimal("2"),
    )
    assert (one_to_one.provider, one_to_one.existing_programme) == (None, "Made Smarter")


def test_a_provider_of_another_hub_is_refused(participant, admin):
    elsewhere = make_user(Role.ONE_TO_ONE_PROVIDER, hub=make_hub("lcr"), name="Lee Provider")
    with pytest.raises(ValidationError) as refused:
        log(participant, admin, "2021-06-10T14:00", elsewhere)
    assert refused.value.messages == [
        "Lee Provider is not a one-to-one provider in Greater Manchester Growth Hub."
    ]
    nothing_written()


def test_a_hub_administrator_is_not_a_provider(participant, admin):
    with pytest.raises(ValidationError):
        log(participant, admin, "2021-06-10T14:00", admin)
    nothing_written()


def test_hours_must_be_positive(participant, provider, admin):
    with pytest.raises(ValidationError) as refused:
        log(participant, admin, "2021-06-10T14:00", provider, hours=Decimal("0"))
    assert refused.value.messages == ["A one-to-one session lasts more than 0 hours."]
    nothing_written()


def test_two_one_to_ones_cannot_start_together(participant, provider, admin):
    log(participant, admin, "2021-06-10T14:00", provider)
    with pytest.raises(ValidationError) as refused:
        log(participant, admin, "2021-06-10T14:00", provider)
    assert refused.value.messages == ["Alex Smith already has a one-to-one session starting then."]
    assert OneToOneSession.objects.count() == 1


# --- observation booking ------------------------------------------------------------------


@pytest.fixture
def next_session(cohort, first_session):
    return make_session(cohort, "2021-06-15T09:30", key="gm-3-s2")


@pytest.fixture
def observer(hub):
    return make_user(Role.HUB_ADMIN, hub=hub, name="Olu Observer")


def book(session, observer, admin, notice_given, shared="2021-06-10T12:00"):
    return observation_book(
        session=session,
        observer=observer,
        notice_given=local(notice_given),
        privacy_statement_shared=local(shared) if shared else None,
        by=admin,
        as_of=local("2021-06-10T12:00"),
    )


def test_q2_exactly_24_hours_notice_is_allowed(next_session, observer, admin):
    observation = book(next_session, observer, admin, "2021-06-14T09:30")
    assert (observation.session, observation.observer, observation.notice_given) == (
        next_session,
        observer,
        local("2021-06-14T09:30"),
    )
    assert observation.privacy_statement_shared == local("2021-06-10T12:00")
    assert RuleWarning.objects.count() == 0


def test_q2_23_hours_59_minutes_notice_is_refused(next_session, observer, admin):
    with pytest.raises(RuleBroken) as refused:
        book(next_session, observer, admin, "2021-06-14T09:31")
    assert [(r.rule, r.outcome) for r in refused.value.results] == [("Q2", Outcome.FAIL)]
    assert str(refused.value) == (
        "For the observation of the session of Greater Manchester 3 on 15 June 2021, the "
        "facilitator was given notice 23 hours 59 minutes before it, and 24 hours' notice is "
        "needed."
    )
    assert Observation.objects.count() == 0


def test_q2_no_privacy_statement_is_refused(next_session, observer, admin):
    with pytest.raises(RuleBroken) as refused:
        book(next_session, observer, admin, "2021-06-10T09:30", shared=None)
    assert str(refused.value) == (
        "For the observation of the session of Greater Manchester 3 on 15 June 2021, no "
        "privacy statement was shared with the cohort."
    )
    assert Observation.objects.count() == 0


@pytest.mark.parametrize(("notice_given", "allowed"), [("10:30", True), ("10:31", False)])
def test_q2_notice_is_real_hours_across_the_clock_change(
    cohort, observer, admin, notice_given, allowed
):
    # The clocks went back at 02:00 on 31 October 2021: from 10:30 on the 30th to 09:30 on
    # the 31st is 24 real hours, though the wall clock shows 23.
    session = make_session(cohort, "2021-10-31T09:30")
    if allowed:
        book(session, observer, admin, f"2021-10-30T{notice_given}")
    else:
        with pytest.raises(RuleBroken):
            book(session, observer, admin, f"2021-10-30T{notice_given}")
    assert Observation.objects.count() == (1 if allowed else 0)


def test_an_observer_is_booked_once(next_session, observer, admin):
    book(next_session, observer, admin, "2021-06-10T09:30")
    with pytest.raises(ValidationError) as refused:
        book(next_session, observer, admin, "2021-06-11T09:30")
    assert refused.value.messages == ["Olu Observer is already booked to observe this session."]
    assert Observation.objects.count() == 1


def test_a_cancelled_session_is_not_observed(cohort, observer, admin):
    session = make_session(cohort, "2021-06-15T09:30", status=SessionStatus.CANCELLED)
    with pytest.raises(ValidationError) as refused:
        book(session, observer, admin, "2021-06-10T09:30")
    assert refused.value.messages == ["A cancelled session cannot be observed."]
    assert Observation.objects.count() == 0
