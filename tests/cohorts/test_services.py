"""Allocating participants to cohorts and scheduling sessions (cohorts.services).

Sentences are worked out by hand from the checks' wording and the 2021/22 numbers.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from cohorts.models import CohortMembership
from cohorts.services import cohort_allocate, cohort_schedule_session
from participants.models import Sector
from peernet.models import RuleWarning
from rules import Outcome, RuleBroken
from sessions.models import GroupSession, SessionStatus
from tests.factories import (
    local,
    make_business,
    make_cohort,
    make_eligible,
    make_hub,
    make_member,
    make_participant,
    make_session,
)

AS_OF = local("2021-05-20T12:00")
JOINED = dt.date(2021, 5, 20)
SIGNED = local("2021-05-10T10:00")
_sectors = itertools.cycle(Sector.values)


@pytest.fixture
def other_cohort(hub, programme):
    return make_cohort(hub, programme, key="gm-4", name="Greater Manchester 4")


def ready(hub, programme, **values):
    """An eligible participant who signed the charter on 10 May 2021. Each business is in
    another sector, so cohort balance (K12) has nothing to say."""
    values.setdefault("charter_signed_at", SIGNED)
    values.setdefault("charter_version", "2021.1")
    business = make_business(sector=next(_sectors))
    return make_eligible(make_participant(hub, programme, business, **values))


def allocate(cohort, participant, admin, joined=JOINED, as_of=AS_OF):
    return cohort_allocate(
        cohort=cohort, participant=participant, joined=joined, by=admin, as_of=as_of
    )


# --- allocation ---------------------------------------------------------------------------


def refused_allocation(cohort, participant, admin, error):
    """Allocating `participant` is refused with `error`, and no membership is written."""
    with pytest.raises(error) as refused:
        allocate(cohort, participant, admin)
    assert CohortMembership.objects.count() == 0
    return refused.value


def test_allocate(cohort, hub, programme, admin):
    participant = ready(hub, programme)
    membership = allocate(cohort, participant, admin)
    assert (membership.cohort, membership.participant, membership.joined, membership.left) == (
        cohort,
        participant,
        JOINED,
        None,
    )
    assert CohortMembership.objects.count() == 1
    assert RuleWarning.objects.count() == 0


def test_only_an_eligible_participant_is_allocated(cohort, hub, programme, admin):
    participant = make_participant(
        hub,
        programme,
        first_name="Alex",
        last_name="Smith",
        charter_signed_at=SIGNED,
        charter_version="2021.1",
    )
    refused = refused_allocation(cohort, participant, admin, ValidationError)
    assert refused.messages == [
        "Only an eligible participant can be allocated to a cohort; Alex Smith's eligibility "
        "is not yet decided."
    ]


def test_a_participant_of_another_hub_is_refused(cohort, programme, admin):
    elsewhere = ready(make_hub("lcr"), programme, first_name="Alex", last_name="Smith")
    refused = refused_allocation(cohort, elsewhere, admin, ValidationError)
    assert refused.messages == [
        "Alex Smith cannot be allocated to Greater Manchester 3: a participant joins a cohort "
        "of their own hub and programme year."
    ]


def test_c1_no_charter_blocks_allocation(cohort, hub, programme, admin):
    participant = ready(
        hub,
        programme,
        first_name="Alex",
        last_name="Smith",
        charter_signed_at=None,
        charter_version="",
    )
    refused = refused_allocation(cohort, participant, admin, RuleBroken)
    assert [(r.rule, r.outcome) for r in refused.results] == [("C1", Outcome.FAIL)]
    assert str(refused) == (
        "Alex Smith was allocated to Greater Manchester 3 on 20 May 2021 without a signed "
        "Participant Charter."
    )
    assert RuleWarning.objects.count() == 0


def test_c1_charter_signed_after_allocation_blocks(cohort, hub, programme, admin):
    participant = ready(
        hub,
        programme,
        first_name="Alex",
        last_name="Smith",
        charter_signed_at=local("2021-05-21T09:00"),
    )
    refused = refused_allocation(cohort, participant, admin, RuleBroken)
    assert str(refused) == (
        "Alex Smith was allocated to Greater Manchester 3 on 20 May 2021, before signing the "
        "Participant Charter on 21 May 2021."
    )


def test_c1_charter_signed_on_the_day_of_allocation_passes(cohort, hub, programme, admin):
    participant = ready(hub, programme, charter_signed_at=local("2021-05-20T18:00"))
    allocate(cohort, participant, admin)
    assert CohortMembership.objects.count() == 1


def test_k1_eleven_allowed_and_the_twelfth_refused(cohort, hub, programme, admin):
    for _ in range(11):
        allocate(cohort, ready(hub, programme), admin)
    assert cohort.memberships.count() == 11
    assert RuleWarning.objects.count() == 0
    twelfth = ready(hub, programme)

    with pytest.raises(RuleBroken) as refused:
        allocate(cohort, twelfth, admin)

    assert [(r.rule, r.outcome) for r in refused.value.results] == [("K1", Outcome.FAIL)]
    assert (
        str(refused.value) == "Greater Manchester 3 has 12 participants; a cohort has at most 11."
    )
    assert cohort.memberships.count() == 11
    assert not twelfth.memberships.exists()


@pytest.mark.django_db(transaction=True)
def test_k1_simultaneous_allocations_cannot_make_twelve(cohort, hub, programme, admin):
    """The cohort row is locked: a second allocation waits for the first to commit, then
    sees its member (without the lock both would count 10 and make 12)."""
    for _ in range(10):
        allocate(cohort, ready(hub, programme), admin)
    eleventh, twelfth = ready(hub, programme), ready(hub, programme)
    holding, release = threading.Event(), threading.Event()
    refusals: list[RuleBroken] = []

    def first() -> None:
        try:
            with transaction.atomic():
                allocate(cohort, eleventh, admin)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            allocate(cohort, twelfth, admin)
        except RuleBroken as exc:
            refusals.append(exc)
        finally:
            connection.close()

    # Each thread runs in a copy of this context: the same hub scope as the test.
    threads = [
        threading.Thread(target=contextvars.copy_context().run, args=(work,))
        for work in (first, second)
    ]
    threads[0].start()
    assert holding.wait(10)
    threads[1].start()
    threads[1].join(0.5)
    waiting = threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join(10)

    assert waiting, "the second allocation did not wait for the first"
    assert [r.rule for r in refusals[0].results] == ["K1"]
    assert cohort.memberships.count() == 11
    assert not twelfth.memberships.exists()


def test_k1_a_member_who_has_left_frees_a_place(cohort, other_cohort, hub, programme, admin):
    for _ in range(11):
        allocate(cohort, ready(hub, programme), admin)
    mover = cohort.memberships.first().participant
    allocate(
        other_cohort, mover, admin, joined=dt.date(2021, 5, 21), as_of=local("2021-05-21T09:00")
    )
    allocate(
        cohort,
        ready(hub, programme),
        admin,
        joined=dt.date(2021, 5, 21),
        as_of=local("2021-05-21T09:00"),
    )
    assert cohort.memberships.filter(left__isnull=True).count() == 11


def test_a_move_keeps_the_old_membership_and_k11_warns(cohort, other_cohort, hub, programme, admin):
    participant = ready(hub, programme, first_name="Alex", last_name="Smith")
    old = allocate(cohort, participant, admin)
    make_session(other_cohort, "2021-06-01T09:30", status=SessionStatus.DELIVERED)
    moved_on = dt.date(2021, 6, 10)

    new = allocate(
        other_cohort, participant, admin, joined=moved_on, as_of=local("2021-06-10T12:00")
    )

    old.refresh_from_db()
    assert (old.cohort, old.joined, old.left) == (cohort, JOINED, moved_on)
    assert (new.cohort, new.joined, new.left) == (other_cohort, moved_on, None)
    k11 = RuleWarning.objects.get(rule="K11")
    assert (k11.sentence, k11.subject_kind, k11.subject_id, k11.action, k11.recorded_by) == (
        "Alex Smith joined Greater Manchester 4 on 10 June 2021, after 1 session had been "
        "delivered; a moved participant joins a cohort at the start of its journey.",
        "participant",
        participant.pk,
        "cohort_allocate",
        admin,
    )
    # The new cohort has started with fewer than 11: K1's warning is recorded too.
    k1 = RuleWarning.objects.get(rule="K1")
    assert (k1.sentence, k1.subject_kind, k1.subject_id) == (
        "Greater Manchester 4 has 1 participant, fewer than the target of 11, and has started.",
        "cohort",
        other_cohort.pk,
    )
    assert RuleWarning.objects.count() == 2


def test_a_move_to_a_cohort_that_has_not_met_does_not_warn(
    cohort, other_cohort, hub, programme, admin
):
    participant = ready(hub, programme)
    allocate(cohort, participant, admin)
    make_session(other_cohort, "2021-06-15T09:30")  # scheduled, not delivered
    allocate(
        other_cohort,
        participant,
        admin,
        joined=dt.date(2021, 6, 10),
        as_of=local("2021-06-10T12:00"),
    )
    assert participant.memberships.count() == 2
    assert RuleWarning.objects.count() == 0


def test_a_refused_move_leaves_the_old_membership_current(
    cohort, other_cohort, hub, programme, admin
):
    participant = ready(hub, programme)
    old = allocate(cohort, participant, admin)
    for _ in range(11):
        make_member(other_cohort, ready(hub, programme))

    with pytest.raises(RuleBroken):
        allocate(other_cohort, participant, admin, joined=dt.date(2021, 6, 10))

    old.refresh_from_db()
    assert old.left is None
    assert participant.memberships.count() == 1


def test_a_move_cannot_start_before_the_current_membership(
    cohort, other_cohort, hub, programme, admin
):
    participant = ready(hub, programme, first_name="Alex", last_name="Smith")
    allocate(cohort, participant, admin)
    with pytest.raises(ValidationError) as refused:
        allocate(other_cohort, participant, admin, joined=dt.date(2021, 5, 19))
    assert refused.value.messages == [
        "Alex Smith joined their current cohort on 20 May 2021, so a move cannot start "
        "earlier, on 19 May 2021."
    ]
    assert participant.memberships.count() == 1


def test_allocating_to_the_current_cohort_again_is_refused(cohort, hub, programme, admin):
    participant = ready(hub, programme, first_name="Alex", last_name="Smith")
    allocate(cohort, participant, admin)
    with pytest.raises(ValidationError) as refused:
        allocate(cohort, participant, admin, joined=dt.date(2021, 6, 1))
    assert refused.value.messages == ["Alex Smith is already in Greater Manchester 3."]


def test_k12_balance_warning_is_recorded(cohort, hub, programme, admin):
    for name in ("Anvil Ltd", "Bellows Ltd"):
        business = make_business(name=name, sector="C", local_authority="Salford")
        participant = make_eligible(
            make_participant(
                hub, programme, business, charter_signed_at=SIGNED, charter_version="1"
            )
        )
        allocate(cohort, participant, admin)
    warning = RuleWarning.objects.get()
    assert (warning.rule, warning.subject_kind, warning.sentence) == (
        "K12",
        "cohort",
        "Consider the balance of Greater Manchester 3: 2 of 2 businesses are in SIC section C "
        "(Manufacturing); Anvil Ltd and Bellows Ltd are both in SIC section C (Manufacturing) "
        "in Salford, so may be competitors.",
    )


# --- scheduling sessions -----------------------------------------------------------------


def schedule(cohort, admin, starts_at, hours="3", as_of=AS_OF, **values):
    return cohort_schedule_session(
        cohort=cohort,
        starts_at=local(starts_at),
        hours=Decimal(hours),
        by=admin,
        as_of=as_of,
        **values,
    )


def test_schedule_a_session(cohort, admin):
    session = schedule(
        cohort,
        admin,
        "2021-06-01T09:30",
        topics=["finance", "hr"],
        location="Salford Innovation Forum",
    )
    assert session.key == "gm-3-s1"
    assert (session.cohort, session.starts_at, session.hours, session.status) == (
        cohort,
        local("2021-06-01T09:30"),
        Decimal("3"),
        SessionStatus.SCHEDULED,
    )
    assert session.location == "Salford Innovation Forum"
    assert sorted(session.topics.values_list("key", flat=True)) == ["finance", "hr"]
    # K6: 3 of 18 hours are scheduled so far.
    warning = RuleWarning.objects.get()
    assert (warning.rule, warning.subject_kind, warning.subject_id, warning.action) == (
        "K6",
        "cohort",
        cohort.pk,
        "cohort_schedule_session",
    )
    assert warning.sentence == (
        "Greater Manchester 3 has 3.0 of 18 hours delivered or scheduled by 31 March 2022."
    )


def test_the_schedule_reaching_18_hours_fortnightly_has_no_warnings(cohort, admin):
    for day in ("06-01", "06-15", "06-29", "07-13", "07-27"):
        make_session(cohort, f"2021-{day}T09:30")
    session = schedule(cohort, admin, "2021-08-10T09:30")
    assert session.key == "gm-3-s6"
    assert RuleWarning.objects.count() == 0


@pytest.mark.parametrize(
    ("starts_at", "allowed"),
    [("2022-03-31T14:00", True), ("2022-04-01T09:30", False), ("2021-03-31T09:30", False)],
)
def test_k5_a_session_outside_the_window_is_refused(cohort, admin, starts_at, allowed):
    if allowed:
        schedule(cohort, admin, starts_at)
        assert cohort.sessions.count() == 1
        return
    with pytest.raises(RuleBroken) as refused:
        schedule(cohort, admin, starts_at)
    assert [(r.rule, r.outcome) for r in refused.value.results] == [("K5", Outcome.FAIL)]
    assert cohort.sessions.count() == 0
    assert RuleWarning.objects.count() == 0


def test_k5_sentence(cohort, admin):
    with pytest.raises(RuleBroken) as refused:
        schedule(cohort, admin, "2022-04-01T09:30")
    assert str(refused.value) == (
        "The session on 1 April 2022, ending at 12:30, is outside the delivery window, "
        "1 April 2021 to 31 March 2022."
    )
    assert GroupSession.objects.count() == 0


def test_k3_a_four_hour_session_is_allowed_with_a_warning(cohort, admin):
    session = schedule(cohort, admin, "2021-06-01T09:30", hours="4")
    assert session.hours == Decimal("4")
    warning = RuleWarning.objects.get(rule="K3")
    assert (warning.subject_kind, warning.subject_id, warning.sentence) == (
        "session",
        session.pk,
        "The session lasts 4.0 hours; sessions are recommended to last 2 to 3 hours.",
    )


@pytest.mark.parametrize(
    ("second", "warns"), [("2021-06-22T09:30", False), ("2021-06-23T09:30", True)]
)
def test_k4_a_gap_over_three_weeks_warns(cohort, admin, second, warns):
    make_session(cohort, "2021-06-01T09:30")
    schedule(cohort, admin, second)
    k4 = RuleWarning.objects.filter(rule="K4")
    assert k4.exists() == warns
    if warns:
        assert k4.get().sentence == (
            "The longest gap between sessions of Greater Manchester 3 is 22 days (1 June 2021 "
            "to 23 June 2021); sessions are recommended fortnightly, with gaps of no more than "
            "21 days."
        )


def test_session_keys_skip_a_key_already_taken(cohort, admin):
    make_session(cohort, "2021-06-01T09:30", key="gm-3-s2")
    assert schedule(cohort, admin, "2021-06-15T09:30").key == "gm-3-s3"


def test_two_sessions_cannot_start_together(cohort, admin):
    schedule(cohort, admin, "2021-06-01T09:30")
    with pytest.raises(ValidationError) as refused:
        schedule(cohort, admin, "2021-06-01T09:30")
    assert refused.value.messages == ["Greater Manchester 3 already has a session starting then."]
    assert cohort.sessions.count() == 1


def test_unknown_topics_are_refused(cohort, admin):
    with pytest.raises(ValidationError) as refused:
        schedule(cohort, admin, "2021-06-01T09:30", topics=["finance", "astrology"])
    assert refused.value.messages == ["Unknown topics: astrology."]
    assert cohort.sessions.count() == 0
