"""Writes for one-to-one support (Playbook: One-to-One Support Provision; Working with
Existing Local Programmes; O1–O8): logging a session, assigning a provider, referring to
an existing local programme, a recorded refusal, action plans with their history, the
provider's declarations and changing a session's outcome.

Writes are keyword-only and atomic; a programme rule that fails raises `RuleBroken` with
its sentence (rules), anything else a `ValidationError`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.models import Participant
from peernet import audit
from peernet.calendar import local_date, require_aware
from peernet.db import next_key, save_fields
from peernet.models import Role, RoleAssignment, User
from rules.services import Judging, judge_and_record
from sessions.models import (
    ActionPlan,
    ActionPlanRevision,
    OneToOneDecline,
    OneToOneMode,
    OneToOneReferral,
    OneToOneRoute,
    OneToOneSession,
    ProviderDeclaration,
    SessionStatus,
)
from sessions.one_to_one.selectors import ONE_TO_ONE_RULES, PLAN_FIELDS
from sessions.tasks import joining_instructions_send_for_one_to_one, one_to_one_changed


def _lock(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("hub")
        .get(pk=participant.pk)
    )


def _next_one_to_one_key(participant: Participant) -> str:
    """`<participant key>-o<n>`: n counts their one-to-ones."""
    return next_key(
        OneToOneSession.objects.all(),
        f"{participant.key}-o",
        made=participant.one_to_ones.count(),
    )


def _check_route(
    *,
    participant: Participant,
    route: str,
    provider: User | None,
    existing_programme: str,
) -> None:
    """O1: the programme route names a provider of the participant's hub; support
    through an existing local programme names that programme."""
    if route == OneToOneRoute.PROGRAMME:
        if provider is None:
            raise ValidationError("Choose the provider who delivers this one-to-one session.")
        if existing_programme.strip():
            raise ValidationError(
                "A session delivered by the programme does not name an existing local "
                "programme; choose the existing-programme route instead."
            )
    elif route == OneToOneRoute.EXISTING:
        if not existing_programme.strip():
            raise ValidationError("Name the existing local programme that delivers this support.")
    else:
        raise ValidationError(f"{route!r} is not a one-to-one route.")
    if provider is not None:
        provides_here = RoleAssignment.objects.filter(
            user=provider, role=Role.ONE_TO_ONE_PROVIDER, hub_id=participant.hub_id
        ).exists()
        if not provides_here:
            raise ValidationError(
                f"{provider} is not a one-to-one provider in {participant.hub.name}."
            )


@transaction.atomic
def one_to_one_log(
    *,
    participant: Participant,
    starts_at: dt.datetime,
    hours: Decimal,
    status: SessionStatus | str,
    route: OneToOneRoute | str,
    provider: User | None = None,
    existing_programme: str = "",
    nature_of_support: str = "",
    joining_instructions_sent_at: dt.datetime | None = None,
    mode: str = "",
    platform: str = "",
    evidence: str = "",
    actions_agreed: str = "",
    entered_by_hub: bool = False,
    send_joining_instructions: bool = False,
    by: User,
    as_of: dt.datetime | None = None,
) -> OneToOneSession:
    """Log a one-to-one session (scheduled, delivered or cancelled) for `participant`.

    With `send_joining_instructions`, a session scheduled in the future has its joining
    instructions and calendar invite sent once the log commits (O5)."""
    require_aware("starts_at", starts_at)
    require_aware("joining_instructions_sent_at", joining_instructions_sent_at)
    as_of = as_of or timezone.now()
    # One log at a time per participant, so keys are not handed out twice.
    participant = _lock(participant)
    if hours <= 0:
        raise ValidationError("A one-to-one session lasts more than 0 hours.")
    if status not in SessionStatus.values:
        raise ValidationError(f"{status!r} is not a session status.")
    _check_route(
        participant=participant,
        route=route,
        provider=provider,
        existing_programme=existing_programme,
    )
    if participant.one_to_ones.filter(starts_at=starts_at).exists():
        raise ValidationError(
            f"{participant.full_name} already has a one-to-one session starting then."
        )
    if participant.one_to_one_declined and status != SessionStatus.CANCELLED:
        # O8: a recorded refusal stands until it is withdrawn.
        raise ValidationError(
            f"{participant.full_name} declined one-to-one support; withdraw the refusal "
            "before logging a session."
        )
    if mode and mode not in OneToOneMode.values:
        raise ValidationError(f"{mode!r} is not a way of meeting.")
    if entered_by_hub and route != OneToOneRoute.EXISTING:
        raise ValidationError("The hub records hours from existing local programmes only.")

    session = OneToOneSession.objects.create(
        key=_next_one_to_one_key(participant),
        participant=participant,
        provider=provider,
        starts_at=starts_at,
        hours=hours,
        status=status,
        route=route,
        existing_programme=existing_programme.strip(),
        nature_of_support=nature_of_support,
        joining_instructions_sent_at=joining_instructions_sent_at,
        mode=mode,
        platform=platform.strip(),
        evidence=evidence,
        actions_agreed=actions_agreed,
        entered_by_hub=entered_by_hub,
        recorded_by=by,
    )
    judged = (
        OneToOneSession.objects.select_related("participant__programme")
        .prefetch_related(
            "participant__attendance__session", "participant__memberships__cohort__sessions"
        )
        .get(pk=session.pk)
    )
    judge_and_record(
        judging=[Judging("one_to_one", judged, ONE_TO_ONE_RULES)],
        hub=participant.hub,
        action="one_to_one_log",
        by=by,
        as_of=as_of,
    )
    audit.record(
        by,
        "create",
        session,
        hub=participant.hub_id,
        summary="One-to-one session logged"
        + (" by the hub for an existing programme" if entered_by_hub else ""),
        after={"status": status, "hours": str(hours), "route": route},
    )
    if (
        send_joining_instructions
        and status == SessionStatus.SCHEDULED
        and starts_at > as_of
        and joining_instructions_sent_at is None
    ):
        # O5: sent at once, with the invite; the task is idempotent.
        joining_instructions_send_for_one_to_one.delay_on_commit(session.pk)
    return session


# --- writes: the hub -----------------------------------------------------------------


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
    if status == SessionStatus.DELIVERED and local_date(session.starts_at) > local_date(as_of):
        raise ValidationError("A session in the future cannot have been delivered yet.")
    if status == SessionStatus.CANCELLED and session.status == SessionStatus.SCHEDULED:
        _tell_again(session)
    save_fields(
        session,
        "sequence",
        status=status,
        hours=hours,
        nature_of_support=nature_of_support,
        actions_agreed=actions_agreed,
        evidence=evidence,
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
