"""One-to-one support (Playbook: One-to-One Support Provision; Working with Existing Local
Programmes; O1–O8): assigning a provider, referring to an existing local programme, a
recorded refusal, the provider's workspace, action plans with their history, the
provider's declarations, changing a session's outcome, and the Participant Action
Record's figures.

Writes are keyword-only and atomic; a programme rule that fails raises `RuleBroken` with
its sentence (rules), anything else a `ValidationError`. Logging a session is
`sessions.services.one_to_one_log`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from participants.models import Participant
from peernet import audit
from peernet.hours import hours_total
from peernet.models import Role, RoleAssignment, User
from peernet.words import hours_words, number_words
from rules import CHECKS, Outcome, Result, run_rules
from rules.one_to_one import OneToOneDeadlines, one_to_one_deadlines
from rules.services import Judging, judge_and_record
from sessions.models import (
    ActionPlan,
    ActionPlanRevision,
    OneToOneDecline,
    OneToOneReferral,
    OneToOneRoute,
    OneToOneSession,
    ProviderDeclaration,
    SessionStatus,
)
from sessions.services import ONE_TO_ONE_RULES
from sessions.tasks import one_to_one_changed

ZERO = Decimal(0)
PLAN_FIELDS = ("goal", "reality", "options", "way_forward", "tactics", "habits")


# --- access --------------------------------------------------------------------------


def hub_providers(hub_id: int) -> QuerySet[User]:
    """The one-to-one providers who hold the role in this hub."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.ONE_TO_ONE_PROVIDER,
            role_assignments__hub_id=hub_id,
        )
        .distinct()
        .order_by("name", "pk")
    )


# --- reads -----------------------------------------------------------------------------


def _hours(status: str, route: str | None = None, **extra: Any) -> Coalesce:
    condition = Q(one_to_ones__status=status, **extra)
    if route is not None:
        condition &= Q(one_to_ones__route=route)
    return hours_total("one_to_ones__hours", filter=condition)


def with_one_to_one_hours(people: QuerySet[Participant]) -> QuerySet[Participant]:
    """Hours delivered and scheduled (both routes), summed in SQL."""
    return people.annotate(
        hours_delivered=_hours(SessionStatus.DELIVERED),
        hours_scheduled=_hours(SessionStatus.SCHEDULED),
    )


def _for_checks(people: QuerySet[Participant]) -> QuerySet[Participant]:
    # The prefetches rules/one_to_one.py names for O1–O8.
    return people.select_related("programme", "hub", "action_plan").prefetch_related(
        "one_to_ones",
        "attendance__session",
        "memberships__cohort__sessions",
        "provider_declarations",
    )


@dataclass
class ParticipantSupport:
    """One participant's one-to-one position, for the provider's and the hub's pages."""

    participant: Participant
    delivered: Decimal
    scheduled: Decimal
    needed: Decimal
    deadlines: OneToOneDeadlines
    o1: Result
    o6: Result

    @property
    def short(self) -> Decimal:
        """Hours still to schedule to reach the minimum (0 when met)."""
        return max(self.needed - self.delivered - self.scheduled, ZERO)

    @property
    def met(self) -> bool:
        return self.delivered >= self.needed

    # In the rules' words: 3.49 is not rounded up to 3.5.
    @property
    def delivered_words(self) -> str:
        return hours_words(self.delivered)

    @property
    def scheduled_words(self) -> str:
        return hours_words(self.scheduled)

    @property
    def needed_words(self) -> str:
        return number_words(self.needed)

    @property
    def short_words(self) -> str:
        return hours_words(self.short)


def provider_participants(user: User, *, as_of: dt.datetime) -> list[ParticipantSupport]:
    """My participants with their hours, deadlines, O1 and O6. Queries: the scope, the
    participants with their hours, and one per prefetch — whatever their number."""
    people = with_one_to_one_hours(
        Participant.objects.visible_to(user).filter(one_to_one_provider=user)
    )
    return [_support(p, as_of=as_of) for p in _for_checks(people).order_by("last_name", "pk")]


def participant_support(participant: Participant, *, as_of: dt.datetime) -> ParticipantSupport:
    person = _for_checks(with_one_to_one_hours(Participant.objects.filter(pk=participant.pk))).get()
    return _support(person, as_of=as_of)


def _support(person: Any, *, as_of: dt.datetime) -> ParticipantSupport:
    return ParticipantSupport(
        participant=person,
        delivered=person.hours_delivered,
        scheduled=person.hours_scheduled,
        needed=person.programme.one_to_one_hours,
        deadlines=one_to_one_deadlines(person),
        o1=CHECKS["O1"](person, as_of=as_of),
        o6=CHECKS["O6"](person, as_of=as_of),
    )


def one_to_one_rows(participant: Participant, *, as_of: dt.datetime) -> list[dict[str, Any]]:
    """Each one-to-one session with O2–O5 and O7 where they warn or fail."""
    sessions = (
        OneToOneSession.objects.filter(participant=participant)
        .select_related("provider", "participant__programme")
        .prefetch_related(
            "participant__attendance__session",
            "participant__memberships__cohort__sessions",
            "participant__provider_declarations",
        )
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in sessions:
        results = run_rules(session, [*ONE_TO_ONE_RULES, "O7"], as_of=as_of)
        rows.append(
            {
                "session": session,
                "problems": [r for r in results if r.outcome in (Outcome.FAIL, Outcome.WARN)],
            }
        )
    return rows


# The checks a date and time decide, before anything is saved.
DRAFT_RULES = ("O2", "O3", "O4")


def rules_for_draft(
    participant: Participant, *, starts_at: dt.datetime, status: str, as_of: dt.datetime
) -> list[Result]:
    """O2–O4 on a one-to-one session that is not saved (the log form's live check)."""
    person = _for_checks(Participant.objects.filter(pk=participant.pk)).get()
    draft = OneToOneSession(
        participant=person, starts_at=starts_at, status=status, hours=Decimal(1)
    )
    return run_rules(draft, DRAFT_RULES, as_of=as_of)


@dataclass(frozen=True)
class RouteHours:
    programme: Decimal
    existing_by_provider: Decimal
    existing_by_hub: Decimal

    @property
    def existing(self) -> Decimal:
        return self.existing_by_provider + self.existing_by_hub

    @property
    def total(self) -> Decimal:
        return self.programme + self.existing


def hours_by_route(participant: Participant) -> RouteHours:
    """O1, M3: delivered hours by route, the hub's entries for existing programmes apart."""
    delivered = OneToOneSession.objects.filter(
        participant=participant, status=SessionStatus.DELIVERED
    )

    def total(condition: Q) -> Coalesce:
        return hours_total(filter=condition)

    figures = delivered.aggregate(
        programme=total(Q(route=OneToOneRoute.PROGRAMME)),
        existing_by_provider=total(Q(route=OneToOneRoute.EXISTING, entered_by_hub=False)),
        existing_by_hub=total(Q(route=OneToOneRoute.EXISTING, entered_by_hub=True)),
    )
    return RouteHours(**figures)


def declaration_of(participant: Participant, provider: User) -> ProviderDeclaration | None:
    return ProviderDeclaration.objects.filter(participant=participant, provider=provider).first()


def decline_of(participant: Participant) -> OneToOneDecline | None:
    try:
        return participant.one_to_one_decline
    except ObjectDoesNotExist:
        return None


def plan_of(participant: Participant) -> ActionPlan | None:
    try:
        return participant.action_plan
    except ObjectDoesNotExist:
        return None


# --- writes: the hub -----------------------------------------------------------------


def _lock(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("hub")
        .get(pk=participant.pk)
    )


@transaction.atomic
def one_to_one_assign_provider(
    *, participant: Participant, provider: User | None, by: User
) -> Participant:
    """Assign (or, with None, unassign) the participant's one-to-one provider: one who
    holds the provider role in the participant's hub."""
    participant = _lock(participant)
    if provider is not None:
        if participant.one_to_one_declined:
            raise ValidationError(
                f"{participant.full_name} declined one-to-one support; withdraw the refusal "
                "before assigning a provider."
            )
        provides_here = RoleAssignment.objects.filter(
            user=provider, role=Role.ONE_TO_ONE_PROVIDER, hub_id=participant.hub_id
        ).exists()
        if not provides_here or not provider.is_active:
            raise ValidationError(
                f"{provider} is not a one-to-one provider in {participant.hub.name}."
            )
    participant.one_to_one_provider = provider
    participant.save(update_fields=["one_to_one_provider"])
    audit.record(
        by,
        "update",
        participant,
        summary="One-to-one provider assigned" if provider else "One-to-one provider removed",
        after={"one_to_one_provider": provider.pk if provider else None},
    )
    return participant


@transaction.atomic
def one_to_one_refer(
    *,
    participant: Participant,
    programme_name: str,
    nature_of_support: str,
    contact: str,
    referred_on: dt.date,
    by: User,
    today: dt.date,
) -> OneToOneReferral:
    """O1: refer the participant to an existing local programme."""
    participant = _lock(participant)
    if participant.one_to_one_declined:
        raise ValidationError(
            f"{participant.full_name} declined one-to-one support; withdraw the refusal "
            "before referring them."
        )
    if referred_on > today:
        raise ValidationError("The date of the referral must be today or in the past.")
    if not programme_name.strip() or not nature_of_support.strip() or not contact.strip():
        raise ValidationError("Record the programme, the nature of the support and the contact.")
    referral = OneToOneReferral.objects.create(
        participant=participant,
        programme_name=programme_name.strip(),
        nature_of_support=nature_of_support.strip(),
        contact=contact.strip(),
        referred_on=referred_on,
        recorded_by=by,
    )
    audit.record(
        by, "create", referral, hub=participant.hub_id, summary="Referral to an existing programme"
    )
    return referral


@transaction.atomic
def one_to_one_decline(
    *, participant: Participant, declined_on: dt.date, note: str, by: User, today: dt.date
) -> OneToOneDecline:
    """O8: record that the participant declined one-to-one support (it excuses O1).
    Sessions still scheduled are cancelled: nobody is to attend them."""
    participant = _lock(participant)
    if participant.one_to_one_declined:
        raise ValidationError(f"{participant.full_name}'s refusal is already recorded.")
    if declined_on > today:
        raise ValidationError("The date they declined must be today or in the past.")
    if declined_on < participant.registered:
        raise ValidationError("The date they declined must be on or after they registered.")
    decline = OneToOneDecline.objects.create(
        participant=participant, declined_on=declined_on, note=note.strip(), recorded_by=by
    )
    participant.one_to_one_declined = True
    participant.save(update_fields=["one_to_one_declined"])
    scheduled = list(participant.one_to_ones.filter(status=SessionStatus.SCHEDULED))
    for one_to_one in scheduled:
        one_to_one.status = SessionStatus.CANCELLED
        _tell_again(one_to_one)
        one_to_one.save(update_fields=["status", "sequence"])
    cancelled = len(scheduled)
    audit.record(
        by,
        "create",
        decline,
        hub=participant.hub_id,
        summary="One-to-one support declined (O8)",
        after={"declined_on": declined_on, "sessions_cancelled": cancelled},
    )
    return decline


@transaction.atomic
def one_to_one_decline_withdraw(*, participant: Participant, by: User) -> Participant:
    """The participant changed their mind: the refusal no longer excuses O1."""
    participant = _lock(participant)
    OneToOneDecline.objects.filter(participant=participant).delete()
    participant.one_to_one_declined = False
    participant.save(update_fields=["one_to_one_declined"])
    audit.record(by, "update", participant, summary="Refusal of one-to-one support withdrawn")
    return participant


def _tell_again(one_to_one: OneToOneSession) -> None:
    """The one-to-one is cancelled: its calendar SEQUENCE rises and, once committed, the
    participant who had its details is sent a cancellation (sessions.joining)."""
    one_to_one.sequence += 1
    one_to_one_changed.delay_on_commit(one_to_one.pk, one_to_one.sequence)


# --- writes: the provider ------------------------------------------------------------


@transaction.atomic
def one_to_one_update(
    *,
    session: OneToOneSession,
    status: str,
    hours: Decimal,
    nature_of_support: str,
    actions_agreed: str,
    evidence: str,
    by: User,
    as_of: dt.datetime | None = None,
) -> OneToOneSession:
    """Record how a session went: delivered (with the hours it lasted) or cancelled,
    with the support given and actions agreed. A delivered session is judged again by
    O2–O4 (a delivered one-to-one needs an attended first group session)."""
    as_of = as_of or timezone.now()
    session = OneToOneSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if status not in SessionStatus.values:
        raise ValidationError(f"{status!r} is not a session status.")
    if hours <= 0:
        raise ValidationError("A one-to-one session lasts more than 0 hours.")
    if status == SessionStatus.DELIVERED and session.starts_at > as_of:
        raise ValidationError("A session in the future cannot have been delivered yet.")
    if status == SessionStatus.CANCELLED and session.status == SessionStatus.SCHEDULED:
        _tell_again(session)
    session.status = status
    session.hours = hours
    session.nature_of_support = nature_of_support
    session.actions_agreed = actions_agreed
    session.evidence = evidence
    session.save(
        update_fields=[
            "status",
            "hours",
            "nature_of_support",
            "actions_agreed",
            "evidence",
            "sequence",
        ]
    )
    judged = (
        OneToOneSession.objects.select_related("participant__programme", "participant__hub")
        .prefetch_related(
            "participant__attendance__session", "participant__memberships__cohort__sessions"
        )
        .get(pk=session.pk)
    )
    judge_and_record(
        judging=[Judging("one_to_one", judged, ONE_TO_ONE_RULES)],
        hub=judged.participant.hub,
        action="one_to_one_update",
        by=by,
        as_of=as_of,
    )
    audit.record(
        by,
        "update",
        session,
        hub=judged.participant.hub_id,
        summary="One-to-one session updated",
        after={"status": status, "hours": str(hours)},
    )
    return session


@transaction.atomic
def action_plan_save(
    *,
    participant: Participant,
    agreed_on: dt.date,
    by: User,
    today: dt.date,
    **plan: str,
) -> ActionPlan:
    """O6: write or revise the GROW(TH) plan; every save is kept as a numbered version."""
    participant = _lock(participant)
    if set(plan) != set(PLAN_FIELDS):
        raise ValueError(f"A plan has exactly these parts: {', '.join(PLAN_FIELDS)}.")
    if not plan["goal"].strip():
        raise ValidationError("Enter the goal.")
    if agreed_on > today:
        raise ValidationError("The date the plan was agreed must be today or in the past.")
    values = {name: plan[name].strip() for name in PLAN_FIELDS}
    action_plan, _ = ActionPlan.objects.update_or_create(
        participant=participant, defaults={**values, "agreed_on": agreed_on, "provider": by}
    )
    number = action_plan.revisions.count() + 1
    ActionPlanRevision.objects.create(
        plan=action_plan,
        number=number,
        agreed_on=agreed_on,
        revised_by=by,
        revised_at=timezone.now(),
        **values,
    )
    audit.record(
        by,
        "create" if number == 1 else "update",
        action_plan,
        hub=participant.hub_id,
        summary=f"Action plan version {number} (O6)",
    )
    return action_plan


@transaction.atomic
def provider_declare(
    *,
    participant: Participant,
    provider: User,
    has_conflict: bool,
    conflict_details: str,
    declared_on: dt.date,
    private_work_from: dt.date | None,
    private_work_details: str,
    today: dt.date,
) -> ProviderDeclaration:
    """O7: the provider's declaration about one participant, updated in place."""
    if has_conflict and not conflict_details.strip():
        raise ValidationError("Describe the conflict of interest.")
    if declared_on > today:
        raise ValidationError("The date of the declaration must be today or in the past.")
    if private_work_from is not None and private_work_from < declared_on:
        raise ValidationError(
            "The date private work began must be on or after the date of the declaration."
        )
    declaration, _ = ProviderDeclaration.objects.update_or_create(
        participant=participant,
        provider=provider,
        defaults={
            "has_conflict": has_conflict,
            "conflict_details": conflict_details.strip() if has_conflict else "",
            "declared_on": declared_on,
            "private_work_from": private_work_from,
            "private_work_details": private_work_details.strip() if private_work_from else "",
        },
    )
    audit.record(
        provider,
        "update",
        declaration,
        hub=participant.hub_id,
        summary="Provider's declaration (O7)",
        after={"has_conflict": has_conflict, "private_work_from": private_work_from},
    )
    return declaration
