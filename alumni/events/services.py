"""Writes of alumni events: the hub publishes an event, invites completers by cohort,
sector or topic, of its own hub or across its cluster's (each emailed a link), records
who came; a completer answers through their link.
Each is one transaction with its audit event. No event is a programme session: nothing of
it is counted in a return."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from alumni.events.selectors import named_invitations
from alumni.links import EVENT, event_link_issue, event_link_url
from alumni.models import AlumniEvent, EventAnswer, EventInvitation
from cohorts.models import Cohort, CohortMembership
from participants.models import Sector
from participants.surveys.selectors import (
    cohort_completed_on,
    cohorts_completed_on,
    completer_memberships,
)
from peernet import audit, mail
from peernet.db import save_fields
from peernet.models import EmailKind, Hub
from peernet.scoping import scopes_disabled
from sessions.models import Attendance, SessionStatus, Topic


@transaction.atomic
def alumni_event_publish(
    *,
    hub: Any,
    topic: str,
    speaker: str,
    starts_at: dt.datetime,
    place: str,
    by: Any,
    now: dt.datetime | None = None,
) -> AlumniEvent:
    now = now or timezone.now()
    if starts_at <= now:
        raise ValidationError("Enter a date and time in the future for the event")
    event = AlumniEvent.objects.create(
        hub=hub,
        topic=topic.strip(),
        speaker=speaker.strip(),
        starts_at=starts_at,
        place=place.strip(),
        published_at=now,
        published_by=by,
    )
    audit.record(by, "create", event, hub=hub, summary=f"Alumni event published: {event.topic}")
    return event


def alumni_event_invite_cohort(
    *, event: AlumniEvent, cohort: Cohort, by: Any, now: dt.datetime | None = None
) -> int:
    """Invite everyone who completed the cohort (of the event's hub)."""
    return alumni_event_invite(event=event, by=by, cohort=cohort, now=now)


def _invitees(
    event: AlumniEvent, cohort: Cohort | None, sector: str, topic: Topic | None, across_hubs: bool
) -> list[CohortMembership]:
    """The completers of the event's hub (with `across_hubs`, of every hub of its cluster)
    who match every criterion given and are not invited yet."""
    hubs = Hub.objects.filter(cluster_id=event.hub.cluster_id) if across_hubs else [event.hub]
    cohorts = [cohort] if cohort is not None else list(Cohort.objects.filter(hub__in=hubs))
    done = cohorts_completed_on(c.pk for c in cohorts)
    memberships = completer_memberships(done).exclude(
        participant_id__in=event.invitations.values("participant_id")
    )
    if sector:
        memberships = memberships.filter(participant__business__sector=sector)
    if topic is not None:
        # Present at a delivered session of their cohort that took up the topic (or
        # one of the finer topics under it).
        present = Attendance.objects.filter(
            Q(session__topics=topic) | Q(session__topics__parent=topic),
            present=True,
            session__status=SessionStatus.DELIVERED,
            session__cohort_id=OuterRef("cohort_id"),
            participant_id=OuterRef("participant_id"),
        )
        memberships = memberships.filter(Exists(present))
    return list(
        memberships.select_related("participant__hub", "cohort").order_by("participant_id", "pk")
    )


def _criteria_words(cohort: Cohort | None, sector: str, topic: Topic | None) -> str:
    words = [f"of {cohort.name}"] if cohort is not None else []
    words += [f"in {Sector(sector).label}"] if sector else []
    words += [f"who took up {topic.name}"] if topic is not None else []
    return " ".join(words)


@transaction.atomic
def alumni_event_invite(
    *,
    event: AlumniEvent,
    by: Any,
    cohort: Cohort | None = None,
    sector: str = "",
    topic: Topic | None = None,
    across_hubs: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Invite the completers who match every criterion given (a completed cohort of the
    event's hub, their business's sector, a topic their cohort took up while they were
    there), of the event's hub or, `across_hubs`, of every hub of its cluster; each not
    invited yet is emailed their link. Returns how many were invited; refused with a
    sentence, and nothing written, when no criterion is given or (by sector or topic)
    nobody matches."""
    now = now or timezone.now()
    if cohort is None and not sector and topic is None:
        raise ValidationError("Choose a cohort, a sector or a topic to invite")
    if cohort is not None and cohort.hub_id != event.hub_id:
        raise ValidationError("Choose a cohort of this hub")
    if cohort is not None and cohort_completed_on(cohort) is None:
        raise ValidationError(f"{cohort.name} has not completed: invite a completed cohort")
    if event.starts_at <= now:
        raise ValidationError("The event has begun: it is too late to invite anyone")
    invited: set[int] = set()
    # Across hubs, the invitations step outside the hub administrator's scope, as E9
    # does: the hub is shown another hub's invitee by name only once they say they are
    # coming (`alumni.events.selectors.named_invitations`).
    with scopes_disabled() if across_hubs else nullcontext():
        for membership in _invitees(event, cohort, sector, topic, across_hubs):
            if membership.participant_id not in invited:  # two cohorts completed: one
                _invite(event, membership, now)
                invited.add(membership.participant_id)
    if not invited and cohort is None:
        raise ValidationError(
            "No one who completed the programme matches, or all who do are invited already: "
            "nobody was invited"
        )
    where = " across the cluster's hubs" if across_hubs else ""
    audit.record(
        by,
        "update",
        event,
        hub=event.hub_id,
        summary=f"Invited the completers {_criteria_words(cohort, sector, topic)}{where} "
        f"({len(invited)})",
    )
    return len(invited)


def _invite(event: AlumniEvent, membership: CohortMembership, now: dt.datetime) -> None:
    participant = membership.participant
    EventInvitation.objects.create(
        event=event, participant=participant, cohort=membership.cohort, invited_at=now
    )
    if participant.email:
        mail.send_to_participant(
            participant,
            kind=EmailKind.NOTICE,
            subject=f"An invitation: {event.topic}",
            template="alumni/event_email.txt",
            context={
                "participant": participant,
                "event": event,
                "url": event_link_url(event_link_issue(participant=participant, event=event)),
                "days": EVENT.days,
            },
        )


@transaction.atomic
def event_answer(
    *, invitation: EventInvitation, coming: bool, now: dt.datetime | None = None
) -> EventInvitation:
    """Through the invitee's link, until the event begins."""
    now = now or timezone.now()
    if invitation.event.starts_at <= now:
        raise ValidationError("The event has begun, so your answer can no longer change.")
    answer = EventAnswer.ACCEPTED if coming else EventAnswer.DECLINED
    save_fields(invitation, answer=answer, answered_at=now)
    audit.record(
        None,
        "update",
        invitation,
        hub=invitation.event.hub_id,
        summary=f"Answered an event invitation through their link ({answer})",
    )
    return invitation


@transaction.atomic
def event_attendance_record(
    *, event: AlumniEvent, came: set[int], by: Any, now: dt.datetime | None = None
) -> int:
    """Who of the invited came (by invitation id; everyone else did not), once it began."""
    now = now or timezone.now()
    if event.starts_at > now:
        raise ValidationError("Record who came once the event has begun")
    invitations = named_invitations(event)
    unknown = came - set(invitations.values_list("pk", flat=True))
    if unknown:
        raise ValidationError("Choose people invited to this event")
    invitations.filter(pk__in=came).update(attended=True)
    invitations.exclude(pk__in=came).update(attended=False)
    audit.record(
        by,
        "update",
        event,
        hub=event.hub_id,
        summary=f"Attendance of the alumni event recorded ({len(came)} came)",
    )
    return len(came)
