"""Reads of alumni events: the hub's events with how many were invited, accepted and
came (the events report), an event's invitations (another hub's completers named only
once they said they are coming), and the cohorts and topics it may invite by."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from alumni.models import AlumniEvent, EventAnswer, EventInvitation
from cohorts.models import Cohort
from participants.surveys.selectors import cohorts_completed_on
from peernet.models import Hub
from sessions.models import Topic


def hub_events(hub: Hub) -> QuerySet[AlumniEvent]:
    """The hub's events, newest first, each with its counts (one query)."""
    return (
        AlumniEvent.objects.filter(hub=hub)
        .annotate(
            invited=Count("invitations"),
            accepted=Count("invitations", filter=Q(invitations__answer=EventAnswer.ACCEPTED)),
            came=Count("invitations", filter=Q(invitations__attended=True)),
        )
        .order_by("-starts_at", "-pk")
    )


@dataclass(frozen=True)
class EventTotals:
    events: int
    invited: int
    accepted: int
    came: int


def events_totals(events: list[AlumniEvent]) -> EventTotals:
    """The report's total row, from the events already counted."""
    return EventTotals(
        len(events),
        sum(e.invited for e in events),  # type: ignore[attr-defined]
        sum(e.accepted for e in events),  # type: ignore[attr-defined]
        sum(e.came for e in events),  # type: ignore[attr-defined]
    )


def named_invitations(event: AlumniEvent) -> QuerySet[EventInvitation]:
    """The invitations the event's hub sees by name: its own completers', and another
    hub's (invited across the cluster) once they have said they are coming."""
    return event.invitations.filter(
        Q(participant__hub_id=event.hub_id) | Q(answer=EventAnswer.ACCEPTED)
    )


def event_invitations(event: AlumniEvent) -> list[EventInvitation]:
    return list(named_invitations(event).select_related("participant", "cohort"))


def unnamed_invitations(event: AlumniEvent) -> int:
    """How many of other hubs' completers were invited and have not said they are coming."""
    return event.invitations.exclude(pk__in=named_invitations(event).values("pk")).count()


def invitation_topics() -> list[Topic]:
    """The topics an event may invite by: the BEIS core topics and the finer ones."""
    return list(Topic.objects.order_by("position", "pk"))


def completed_cohorts(hub: Hub) -> list[Cohort]:
    """The hub's completed cohorts, by name (two queries)."""
    cohorts = list(Cohort.objects.filter(hub=hub).order_by("name", "pk"))
    done = cohorts_completed_on(c.pk for c in cohorts)
    return [c for c in cohorts if c.pk in done]


def invitation_for_link(link: object) -> EventInvitation:
    return EventInvitation.objects.select_related("event__hub", "participant").get(
        event_id=link.event_id,  # type: ignore[attr-defined]
        participant_id=link.participant_id,  # type: ignore[attr-defined]
    )
