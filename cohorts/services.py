"""Writes for cohorts: allocating participants and scheduling group sessions.

Each action asks the programme checks (peernet.rules) on the state it would leave: the
row is written inside the transaction, the checks run, and a fail raises `RuleBroken`
with the check's sentence, which rolls the write back. Warnings are recorded
(`RuleWarning`). A refusal that is not a programme rule (another hub's participant) is a
`ValidationError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, CohortMembership
from participants.models import EligibilityStatus, Participant
from peernet.models import User
from peernet.rules import enforce, run_rules
from peernet.services import rule_warnings_record
from sessions.models import GroupSession, Topic

# C1 and K11 judge the participant, K1 and K12 the cohort, as allocation leaves them.
ALLOCATION_PARTICIPANT_RULES = ("C1", "K11")
ALLOCATION_COHORT_RULES = ("K1", "K12")
# K3 and K5 judge the new session, K4 and K6 the cohort's schedule including it.
SCHEDULING_SESSION_RULES = ("K3", "K5")
SCHEDULING_COHORT_RULES = ("K4", "K6")


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _cohort_for_checks(cohort: Cohort) -> Cohort:
    return (
        Cohort.objects.select_related("programme", "hub")
        .prefetch_related("memberships__participant__business", "sessions")
        .get(pk=cohort.pk)
    )


def _participant_for_checks(participant: Participant) -> Participant:
    return (
        Participant.objects.select_related("programme", "hub")
        .prefetch_related("memberships__cohort__sessions")
        .get(pk=participant.pk)
    )


@transaction.atomic
def cohort_allocate(
    *,
    cohort: Cohort,
    participant: Participant,
    joined: dt.date,
    by: User,
    as_of: dt.datetime | None = None,
) -> CohortMembership:
    """Allocate `participant` to `cohort` from `joined`; a participant already in another
    cohort is moved (that membership ends on `joined`, so the history is kept, K11)."""
    as_of = as_of or timezone.now()
    # K1: allocations to one cohort queue here, so two at once cannot make it too big.
    cohort = Cohort.objects.select_for_update(of=("self",)).select_related("hub").get(pk=cohort.pk)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    name = participant.full_name

    if participant.eligibility_status != EligibilityStatus.ELIGIBLE:
        raise ValidationError(
            f"Only an eligible participant can be allocated to a cohort; {name}'s "
            f"eligibility is {participant.get_eligibility_status_display().lower()}."
        )
    # SECURITY.md 4: a form cannot move a record into another hub (or programme year).
    if participant.hub_id != cohort.hub_id or participant.programme_id != cohort.programme_id:
        raise ValidationError(
            f"{name} cannot be allocated to {cohort.name}: a participant joins a cohort of "
            "their own hub and programme year."
        )
    if participant.dropped_out_on is not None:
        raise ValidationError(
            f"{name} dropped out on {_date(participant.dropped_out_on)} and cannot be allocated."
        )

    current = CohortMembership.objects.filter(participant=participant, left__isnull=True).first()
    if current is not None:
        if current.cohort_id == cohort.pk:
            raise ValidationError(f"{name} is already in {cohort.name}.")
        if joined < current.joined:
            raise ValidationError(
                f"{name} joined their current cohort on {_date(current.joined)}, so a move "
                f"cannot start earlier, on {_date(joined)}."
            )
        current.left = joined
        current.save(update_fields=["left"])
    membership = CohortMembership.objects.create(
        cohort=cohort, participant=participant, joined=joined
    )

    judged_participant = _participant_for_checks(participant)
    judged_cohort = _cohort_for_checks(cohort)
    participant_results = run_rules(judged_participant, ALLOCATION_PARTICIPANT_RULES, as_of=as_of)
    cohort_results = run_rules(judged_cohort, ALLOCATION_COHORT_RULES, as_of=as_of)
    enforce(participant_results + cohort_results)

    for kind, subject_id, results in (
        ("participant", participant.pk, participant_results),
        ("cohort", cohort.pk, cohort_results),
    ):
        rule_warnings_record(
            results=results,
            subject_kind=kind,
            subject_id=subject_id,
            hub=cohort.hub,
            action="cohort_allocate",
            by=by,
        )
    return membership


def _next_session_key(cohort: Cohort) -> str:
    """`<cohort key>-s<n>`: n counts the cohort's sessions, skipping keys already taken
    (imported sessions may be keyed otherwise)."""
    n = cohort.sessions.count() + 1
    while GroupSession.objects.filter(key=f"{cohort.key}-s{n}").exists():
        n += 1
    return f"{cohort.key}-s{n}"


@transaction.atomic
def cohort_schedule_session(
    *,
    cohort: Cohort,
    starts_at: dt.datetime,
    hours: Decimal,
    topics: Sequence[str] = (),
    location: str = "",
    by: User,
    as_of: dt.datetime | None = None,
) -> GroupSession:
    """Schedule a group session of `cohort`; `topics` are Topic keys."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError(f"starts_at must be an aware datetime, not {starts_at!r}.")
    as_of = as_of or timezone.now()
    # One scheduling at a time per cohort, so session keys and K4/K6 see every session.
    cohort = Cohort.objects.select_for_update(of=("self",)).select_related("hub").get(pk=cohort.pk)
    if hours <= 0:
        raise ValidationError("A session lasts more than 0 hours.")
    if cohort.sessions.filter(starts_at=starts_at).exists():
        raise ValidationError(f"{cohort.name} already has a session starting then.")
    chosen = list(Topic.objects.filter(key__in=topics))
    unknown = sorted(set(topics) - {topic.key for topic in chosen})
    if unknown:
        raise ValidationError(f"Unknown topics: {', '.join(unknown)}.")

    session = GroupSession.objects.create(
        key=_next_session_key(cohort),
        cohort=cohort,
        starts_at=starts_at,
        hours=hours,
        location=location,
    )
    session.topics.set(chosen)

    judged_session = GroupSession.objects.select_related("cohort__programme").get(pk=session.pk)
    session_results = run_rules(judged_session, SCHEDULING_SESSION_RULES, as_of=as_of)
    cohort_results = run_rules(_cohort_for_checks(cohort), SCHEDULING_COHORT_RULES, as_of=as_of)
    enforce(session_results + cohort_results)

    for kind, subject_id, results in (
        ("session", session.pk, session_results),
        ("cohort", cohort.pk, cohort_results),
    ):
        rule_warnings_record(
            results=results,
            subject_kind=kind,
            subject_id=subject_id,
            hub=cohort.hub,
            action="cohort_schedule_session",
            by=by,
        )
    return session
