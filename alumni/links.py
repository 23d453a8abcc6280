"""The links of a participant after the programme: to their continuing group, to an
event's invitation, and to the business support their hub offers. Made, opened and spent
by `participants.links`, the one place participant links are, each kind with its own salt
and its own invitations (`AlumniLink` rows).

A group link stands: it opens the member's page of their group as often as they come
back (to answer a meeting, change what they share, withdraw), until it expires or the
hub sends a newer one; so does an event's. A support link is spent once the participant
answers.
"""

from __future__ import annotations

from django.urls import reverse

from alumni.models import AlumniEvent, AlumniLink, AlumniLinkPurpose, ContinuingGroup
from participants.links import LinkKind, link_issue
from participants.models import Participant
from peernet.addresses import site_url

GROUP = LinkKind(
    AlumniLinkPurpose.GROUP,
    "peernet.continuing-group",
    180,
    "your continuing group",
    "your Growth Hub",
    model=AlumniLink,
    related=("participant__hub", "group__cohort__hub"),
)
SUPPORT = LinkKind(
    AlumniLinkPurpose.SUPPORT,
    "peernet.business-support",
    60,
    "the business support on offer",
    "your Growth Hub",
    model=AlumniLink,
    related=("participant__hub",),
)

EVENT = LinkKind(
    AlumniLinkPurpose.EVENT,
    "peernet.alumni-event",
    120,
    "your invitation",
    "your Growth Hub",
    model=AlumniLink,
    related=("participant__hub", "event__hub"),
)


def group_link_issue(*, participant: Participant, group: ContinuingGroup) -> str:
    """A new link to the participant's place in the group; the one sent before stops."""
    return link_issue(kind=GROUP, participant=participant, group=group)


def support_link_issue(*, participant: Participant) -> str:
    """A new link to the business support the participant's hub offers."""
    return link_issue(kind=SUPPORT, participant=participant)


def event_link_issue(*, participant: Participant, event: AlumniEvent) -> str:
    """A new link to the participant's invitation to the event."""
    return link_issue(kind=EVENT, participant=participant, event=event)


def event_link_url(token: str) -> str:
    return site_url() + reverse("public:event-link", kwargs={"token": token})


def group_link_url(token: str) -> str:
    return site_url() + reverse("public:group-link", kwargs={"token": token})


def support_link_url(token: str) -> str:
    return site_url() + reverse("public:support-link", kwargs={"token": token})
