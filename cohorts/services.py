"""Writes for cohorts: allocating participants and scheduling group sessions.

Each action asks the programme checks (rules) on the state it would leave: the
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

from cohorts.models import Cohort, CohortMembership, JoiningInstructions, SessionMode
from cohorts.selectors import cohort_for_checks
from participants.models import EligibilityStatus, Participant
from peernet import audit
from peernet.calendar import LONDON, local_date
from peernet.db import next_key, save_fields
from peernet.models import DeliveryPartner, Hub, Programme, Role, RoleAssignment, User
from peernet.roles import forget_reach
from peernet.words import date_words
from rules import Result
from rules.services import Judging, judge_and_record
from sessions.models import GroupSession, SessionStatus, Topic
from sessions.tasks import cohort_schedule_published, session_changed

# C1 and K11 judge the participant, K1 and K12 the cohort, as allocation leaves them.
ALLOCATION_PARTICIPANT_RULES = ("C1", "K11")
ALLOCATION_COHORT_RULES = ("K1", "K12")
# K3 and K5 judge the new session, K4 and K6 the cohort's schedule including it.
SCHEDULING_SESSION_RULES = ("K3", "K5")
SCHEDULING_COHORT_RULES = ("K4", "K6")


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
    # docs/security.md §4: a form cannot move a record into another hub (or programme year).
    if participant.hub_id != cohort.hub_id or participant.programme_id != cohort.programme_id:
        raise ValidationError(
            f"{name} cannot be allocated to {cohort.name}: a participant joins a cohort of "
            "their own hub and programme year."
        )
    if participant.dropped_out_on is not None:
        raise ValidationError(
            f"{name} dropped out on {date_words(participant.dropped_out_on)} and cannot be "
            "allocated."
        )

    current = CohortMembership.objects.filter(participant=participant, left__isnull=True).first()
    if current is not None:
        if current.cohort_id == cohort.pk:
            raise ValidationError(f"{name} is already in {cohort.name}.")
        if joined < current.joined:
            raise ValidationError(
                f"{name} joined their current cohort on {date_words(current.joined)}, so a move "
                f"cannot start earlier, on {date_words(joined)}."
            )
        save_fields(current, left=joined)
    membership = CohortMembership.objects.create(
        cohort=cohort, participant=participant, joined=joined
    )

    judge_and_record(
        judging=[
            Judging(
                "participant",
                _participant_for_checks(participant),
                ALLOCATION_PARTICIPANT_RULES,
            ),
            Judging("cohort", cohort_for_checks(cohort), ALLOCATION_COHORT_RULES),
        ],
        hub=cohort.hub,
        action="cohort_allocate",
        by=by,
        as_of=as_of,
    )
    audit.record(
        by,
        "create",
        membership,
        hub=cohort.hub_id,
        summary="Allocated to a cohort" if current is None else "Moved to another cohort",
        after={"participant": participant.pk, "cohort": cohort.pk, "joined": joined},
    )
    # S1: the baseline survey, made and sent by a task once the allocation is committed.
    from participants.tasks import survey_invite_baseline

    survey_invite_baseline.delay_on_commit(participant.pk)
    return membership


def _next_session_key(cohort: Cohort) -> str:
    """`<cohort key>-s<n>`: n counts the cohort's sessions."""
    return next_key(GroupSession.objects.all(), f"{cohort.key}-s", made=cohort.sessions.count())


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
    audit.record(
        by,
        "create",
        session,
        hub=cohort.hub_id,
        summary=f"Session scheduled for {cohort.name}",
        after={"starts_at": starts_at.isoformat(), "hours": str(hours)},
    )

    judge_and_record(
        judging=_scheduling(cohort, [session.pk]),
        hub=cohort.hub,
        action="cohort_schedule_session",
        by=by,
        as_of=as_of,
    )
    return session


def _next_cohort_key(hub: Hub) -> str:
    """`<hub key>-<n>`: n counts the hub's cohorts."""
    return next_key(
        Cohort.objects.all(), f"{hub.key}-", made=Cohort.objects.filter(hub=hub).count()
    )


@transaction.atomic
def cohort_create(
    *,
    hub: Hub,
    name: str,
    facilitator: User | None,
    by: User,
    delivery_partner: DeliveryPartner | None = None,
    planned_start: dt.date | None = None,
) -> Cohort:
    """A new cohort of `hub` in the current programme year, with its facilitator (who
    must already hold a facilitator role in this hub) and delivery partner (one of the
    hub's own)."""
    name = name.strip()
    if not name:
        raise ValidationError("Enter the cohort's name.")
    if Cohort.objects.filter(hub=hub, name__iexact=name).exists():
        raise ValidationError(f"{hub.name} already has a cohort called {name}.")
    if facilitator is not None and not (
        facilitator.is_active
        and RoleAssignment.objects.filter(user=facilitator, role=Role.FACILITATOR, hub=hub).exists()
    ):
        # docs/security.md §4: no one from another hub can be made this cohort's facilitator.
        raise ValidationError(f"{facilitator} is not a facilitator of {hub.name}.")
    if delivery_partner is not None and delivery_partner.hub_id != hub.pk:
        raise ValidationError(f"{delivery_partner} is not a delivery partner of {hub.name}.")
    cohort = Cohort.objects.create(
        hub=hub,
        programme=Programme.current(),
        key=_next_cohort_key(hub),
        name=name,
        delivery_partner=delivery_partner,
        planned_start=planned_start,
    )
    if facilitator is not None:
        RoleAssignment.objects.create(
            user=facilitator, role=Role.FACILITATOR, hub=hub, cohort=cohort
        )
        forget_reach(facilitator)
    audit.record(
        by,
        "create",
        cohort,
        summary=f"Cohort {cohort.key} created",
        after={"facilitator": getattr(facilitator, "pk", None), "planned_start": planned_start},
    )
    return cohort


def _scheduling(cohort: Cohort, session_ids: Sequence[int]) -> list[Judging]:
    """K3 and K5 on each session as scheduled, then K4 and K6 on the cohort with them."""
    sessions = GroupSession.objects.select_related("cohort__programme").filter(pk__in=session_ids)
    return [
        *(Judging("session", session, SCHEDULING_SESSION_RULES) for session in sessions),
        Judging("cohort", cohort_for_checks(cohort), SCHEDULING_COHORT_RULES),
    ]


@transaction.atomic
def cohort_schedule_all(
    *,
    cohort: Cohort,
    sessions: Sequence[tuple[dt.datetime, Decimal]],
    location: str = "",
    by: User,
    as_of: dt.datetime | None = None,
) -> tuple[list[GroupSession], list[Result]]:
    """Schedule every planned session at once (K6: all at the outset): all or nothing.

    Each session is judged by K3 and K5, the cohort once with all of them by K4 and K6;
    a K5 fail refuses the whole plan. Returns the sessions and the warnings shown."""
    as_of = as_of or timezone.now()
    cohort = Cohort.objects.select_for_update(of=("self",)).select_related("hub").get(pk=cohort.pk)
    if not sessions:
        raise ValidationError(f"The plan for {cohort.name} has no sessions.")
    taken = set(cohort.sessions.values_list("starts_at", flat=True))
    created: list[GroupSession] = []
    for starts_at, hours in sessions:
        if starts_at.tzinfo is None or starts_at.utcoffset() is None:
            raise ValueError(f"starts_at must be an aware datetime, not {starts_at!r}.")
        if hours <= 0:
            raise ValidationError("A session lasts more than 0 hours.")
        if starts_at in taken:
            raise ValidationError(
                f"{cohort.name} already has a session at {starts_at.astimezone(LONDON):%H:%M} "
                f"on {date_words(local_date(starts_at))}."
            )
        taken.add(starts_at)
        created.append(
            GroupSession.objects.create(
                key=_next_session_key(cohort),
                cohort=cohort,
                starts_at=starts_at,
                hours=hours,
                location=location,
            )
        )
    shown = judge_and_record(
        judging=_scheduling(cohort, [s.pk for s in created]),
        hub=cohort.hub,
        action="cohort_schedule_all",
        by=by,
        as_of=as_of,
    )
    audit.record(
        by,
        "create",
        cohort,
        summary=f"{len(created)} sessions scheduled for {cohort.name}",
        after={"sessions": [s.starts_at.isoformat() for s in created]},
    )
    # K6: the whole schedule to every member at the outset, once committed.
    cohort_schedule_published.delay_on_commit(cohort.pk)
    return created, shown


def _tell_again(session: GroupSession) -> None:
    """The session changes: its calendar SEQUENCE rises, K7 judges the instructions sent
    from now on for its new start, and (once committed) everyone told about it before is
    sent an update or a cancellation (sessions.joining.session_change_notify)."""
    session.sequence += 1
    session.joining_instructions_sent_at = None
    if session.joining_instructions_sent.exists():
        session_changed.delay_on_commit(session.pk, session.sequence)


def _lock_scheduled(session: GroupSession, done: str) -> tuple[Cohort, GroupSession]:
    """The session's cohort and the session itself, locked (the cohort first, as every
    scheduling write takes them); a session that is no longer scheduled cannot be `done`."""
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("hub")
        .get(pk=session.cohort_id)
    )
    session = GroupSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            f"Only a scheduled session can be {done}; this one is "
            f"{session.get_status_display().lower()}."
        )
    return cohort, session


@transaction.atomic
def cohort_session_update(
    *,
    session: GroupSession,
    starts_at: dt.datetime,
    hours: Decimal,
    location: str,
    by: User,
    as_of: dt.datetime | None = None,
) -> list[Result]:
    """Move or resize a scheduled session; K5 refuses a date outside the window.
    Returns the warnings shown (K3, K4, K6)."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError(f"starts_at must be an aware datetime, not {starts_at!r}.")
    as_of = as_of or timezone.now()
    cohort, session = _lock_scheduled(session, "changed")
    if hours <= 0:
        raise ValidationError("A session lasts more than 0 hours.")
    if cohort.sessions.filter(starts_at=starts_at).exclude(pk=session.pk).exists():
        raise ValidationError(f"{cohort.name} already has a session starting then.")
    before = {"starts_at": session.starts_at.isoformat(), "hours": str(session.hours)}
    changed = (session.starts_at, session.hours, session.location) != (starts_at, hours, location)
    session.starts_at, session.hours, session.location = starts_at, hours, location
    if changed:
        _tell_again(session)
    session.save(
        update_fields=["starts_at", "hours", "location", "sequence", "joining_instructions_sent_at"]
    )
    audit.record(
        by,
        "update",
        session,
        hub=cohort.hub_id,
        summary=f"Session of {cohort.name} changed",
        before=before,
        after={"starts_at": starts_at.isoformat(), "hours": str(hours)},
    )
    return judge_and_record(
        judging=_scheduling(cohort, [session.pk]),
        hub=cohort.hub,
        action="cohort_session_update",
        by=by,
        as_of=as_of,
    )


@transaction.atomic
def cohort_session_cancel(
    *, session: GroupSession, by: User, as_of: dt.datetime | None = None
) -> list[Result]:
    """Cancel a scheduled session (kept, marked cancelled). Returns K4/K6 warnings."""
    as_of = as_of or timezone.now()
    cohort, session = _lock_scheduled(session, "cancelled")
    session.status = SessionStatus.CANCELLED
    _tell_again(session)
    session.save(update_fields=["status", "sequence", "joining_instructions_sent_at"])
    audit.record(
        by,
        "update",
        session,
        hub=cohort.hub_id,
        summary=f"Session of {cohort.name} cancelled",
        before={"status": SessionStatus.SCHEDULED},
        after={"status": SessionStatus.CANCELLED},
    )
    # K4 and K6 only warn: a cancellation is never refused, its warnings are recorded.
    return judge_and_record(
        judging=[Judging("cohort", cohort_for_checks(cohort), SCHEDULING_COHORT_RULES)],
        hub=cohort.hub,
        action="cohort_session_cancel",
        by=by,
        as_of=as_of,
    )


# --- a cohort's joining details (K7; the Playbook's "Communicating the Back-Up Plan") ----

# The Playbook's protocol when a session fails, in the words the instructions carry; the
# hub or facilitator adapts it (the contact is named below it).
BACKUP_PLAN_DEFAULT = (
    "If the session freezes or disconnects, first rejoin on the same link. If that fails, "
    "dial in on the number above. If neither works, wait at least 10 minutes for an email "
    "from your facilitator, then contact the named contact below. If your connection is "
    "poor, say so in the chat, switch your video off, and if that does not help, leave "
    "and rejoin by phone."
)


@transaction.atomic
def cohort_joining_details_set(
    *,
    cohort: Cohort,
    mode: str,
    platform: str,
    link: str,
    dial_in: str,
    backup_plan: str,
    contact_name: str,
    contact_details: str,
    by: User,
) -> JoiningInstructions:
    """The joining details every session's instructions and calendar invite carry (K7):
    how the cohort meets, where or on what, the link and dial-in, the back-up plan and
    who to contact. Online or hybrid needs a link or a dial-in; in person or hybrid, a
    place; a back-up plan and a contact are always given."""
    values = {
        "mode": mode,
        "platform": platform.strip(),
        "link": link.strip(),
        "dial_in": dial_in.strip(),
        "backup_plan": backup_plan.strip(),
        "contact_name": contact_name.strip(),
        "contact_details": contact_details.strip(),
    }
    problems = []
    if mode not in SessionMode.values:
        problems.append("Choose how the cohort meets.")
    if mode in (SessionMode.ONLINE, SessionMode.HYBRID) and not (
        values["link"] or values["dial_in"]
    ):
        problems.append("Give the link to join, or a dial-in number, for an online session.")
    if mode in (SessionMode.IN_PERSON, SessionMode.HYBRID) and not values["platform"]:
        problems.append("Give the place where the sessions are held.")
    if not values["backup_plan"]:
        problems.append("Say what to do if the session fails (the back-up plan).")
    if not (values["contact_name"] and values["contact_details"]):
        problems.append("Name a contact for problems on the day, with a phone number or email.")
    if problems:
        raise ValidationError(problems)
    instructions, created = JoiningInstructions.objects.update_or_create(
        cohort=cohort, defaults=values
    )
    audit.record(
        by,
        "create" if created else "update",
        instructions,
        hub=cohort.hub_id,
        summary=f"Joining details of {cohort.name} set",
        after={"mode": mode},
    )
    return instructions
