"""Writes of alumni events: the hub publishes an event, invites the completers of its
cohorts (each emailed a link), records who came; a completer answers through their link.
Each is one transaction with its audit event. No event is a programme session: nothing of
it is counted in a return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alumni.links import EVENT, event_link_issue, event_link_url
from alumni.models import AlumniEvent, EventAnswer, EventInvitation
from cohorts.models import Cohort
from participants.surveys.selectors import cohort_completed_on, completer_memberships
from peernet import audit, mail
from peernet.db import save_fields
from peernet.models import EmailKind


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


@transaction.atomic
def alumni_event_invite_cohort(
    *, event: AlumniEvent, cohort: Cohort, by: Any, now: dt.datetime | None = None
) -> int:
    """Invite everyone who completed the cohort (of the event's hub) and is not invited
    yet, emailing each their link. Returns how many were invited."""
    now = now or timezone.now()
    if cohort.hub_id != event.hub_id:
        raise ValidationError("Choose a cohort of this hub")
    if cohort_completed_on(cohort) is None:
        raise ValidationError(f"{cohort.name} has not completed: invite a completed cohort")
    if event.starts_at <= now:
        raise ValidationError("The event has begun: it is too late to invite anyone")
    already = set(event.invitations.values_list("participant_id", flat=True))
    completers = (
        completer_memberships([cohort.pk])
        .exclude(participant_id__in=already)
        .select_related("participant__hub")
        .order_by("participant_id")
    )
    invited = 0
    for membership in completers:
        participant = membership.participant
        EventInvitation.objects.create(
            event=event, participant=participant, cohort=cohort, invited_at=now
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
        invited += 1
    audit.record(
        by,
        "update",
        event,
        hub=event.hub_id,
        summary=f"Invited the completers of {cohort.name} ({invited})",
    )
    return invited


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
    invitations = event.invitations.all()
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
