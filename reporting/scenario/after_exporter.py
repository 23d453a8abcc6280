"""Export the after-the-programme sections (`after_reader` reads them back).

A section is written only when it has records, so a programme without any exports as it
always did. A hub's part has its own schemes, referrals, groups and events, with only
the invitations of its own participants (an event may invite a cluster's other hubs'
completers); the action learning sets, a cluster's, are in the whole programme's only.
One query a section (two for the sets), whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch

from alumni.models import (
    AlumniEvent,
    ClusterLead,
    ContinuingGroup,
    EventInvitation,
    GroupMeeting,
    LearningSet,
    LearningSetSession,
    Referral,
    SupportScheme,
)
from cohorts.models import Cohort
from participants.models import Participant
from peernet.models import Hub
from reporting.scenario.values import blank_to_none, format_datetime


class AfterExport:
    """The sections of one export: read first, so that the users they name are exported."""

    def __init__(self, hub: Hub | None, participants: list[Participant], cohorts: list[Cohort]):
        hubs = {"hub": hub} if hub is not None else {}
        self.schemes = list(SupportScheme.objects.filter(**hubs).select_related("hub"))
        self.referrals = list(
            Referral.objects.filter(participant__in=participants).select_related(
                "participant", "scheme"
            )
        )
        self.groups = list(
            ContinuingGroup.objects.filter(cohort__in=cohorts)
            .select_related("cohort")
            .prefetch_related(
                "members__participant",
                Prefetch(
                    "meetings",
                    queryset=GroupMeeting.objects.select_related("scheduled_by__participant"),
                ),
                "meetings__replies__member__participant",
                "meetings__action_cards__member__participant",
            )
        )
        invitations = EventInvitation.objects.filter(participant__in=participants)
        self.events = list(
            AlumniEvent.objects.filter(**hubs)
            .select_related("hub")
            .prefetch_related(
                Prefetch(
                    "invitations", queryset=invitations.select_related("participant", "cohort")
                )
            )
        )
        national = hub is None
        self.leads = list(ClusterLead.objects.select_related("cluster")) if national else []
        self.sets = (
            list(
                LearningSet.objects.select_related("cluster").prefetch_related(
                    "members",
                    Prefetch("sessions", queryset=LearningSetSession.objects.all()),
                    "sessions__present",
                )
            )
            if national
            else []
        )

    def referenced_users(self) -> set[int]:
        return {
            *(lead.user_id for lead in self.leads),
            *(user.pk for learning_set in self.sets for user in learning_set.members.all()),
        }

    def sections(self, user_key: Callable[[int], str]) -> dict[str, list[dict[str, Any]]]:
        found = {
            "support_schemes": sorted(
                (_scheme(scheme) for scheme in self.schemes),
                key=lambda item: (item["hub"], item["key"]),
            ),
            "referrals": sorted(
                (_referral(referral) for referral in self.referrals),
                key=lambda item: (item["participant"], item["scheme"]),
            ),
            "continuing_groups": sorted(
                (_group(group) for group in self.groups), key=lambda item: item["cohort"]
            ),
            "alumni_events": sorted(
                (_event(event) for event in self.events),
                key=lambda item: (item["hub"], item["starts_at"], item["topic"]),
            ),
            "cluster_leads": sorted(
                (
                    {
                        "cluster": lead.cluster.key,
                        "user": user_key(lead.user_id),
                        "appointed_at": format_datetime(lead.appointed_at),
                    }
                    for lead in self.leads
                ),
                key=lambda item: (item["cluster"], item["user"]),
            ),
            "learning_sets": sorted(
                (_learning_set(learning_set, user_key) for learning_set in self.sets),
                key=lambda item: (item["cluster"], item["name"]),
            ),
        }
        return {section: items for section, items in found.items() if items}


def _scheme(scheme: SupportScheme) -> dict[str, Any]:
    return {
        "hub": scheme.hub.key,
        "key": scheme.key,
        "title": scheme.title,
        "blurb": blank_to_none(scheme.blurb),
        "url": scheme.url,
        "national": scheme.national,
        "offered": scheme.offered,
    }


def _referral(referral: Referral) -> dict[str, Any]:
    return {
        "participant": referral.participant.key,
        "scheme": referral.scheme.key,
        "status": referral.status,
        "created_at": format_datetime(referral.created_at),
        "updated_at": format_datetime(referral.updated_at),
    }


def _group(group: ContinuingGroup) -> dict[str, Any]:
    members = [
        {
            "participant": member.participant.key,
            "opted_in_at": format_datetime(member.opted_in_at),
            "consent_at": format_datetime(member.consent_at),
            "withdrawn_at": format_datetime(member.withdrawn_at),
            "share_email": member.share_email,
            "share_phone": member.share_phone,
            "share_business": member.share_business,
            "host": member.host,
        }
        for member in group.members.all()
    ]
    meetings = [
        {
            "starts_at": format_datetime(meeting.starts_at),
            "place": meeting.place,
            "topic": blank_to_none(meeting.topic),
            "scheduled_by": None
            if meeting.scheduled_by is None
            else meeting.scheduled_by.participant.key,
            "scheduled_at": format_datetime(meeting.scheduled_at),
            "replies": dict(
                sorted(
                    (
                        reply.member.participant.key,
                        {
                            "coming": reply.coming,
                            "attended": reply.attended,
                            "answered_at": format_datetime(reply.answered_at),
                        },
                    )
                    for reply in meeting.replies.all()
                )
            ),
            "action_cards": dict(
                sorted(
                    (
                        card.member.participant.key,
                        {"actions": card.actions, "report_back": blank_to_none(card.report_back)},
                    )
                    for card in meeting.action_cards.all()
                )
            ),
        }
        for meeting in group.meetings.all()
    ]
    return {
        "cohort": group.cohort.key,
        "started_at": format_datetime(group.started_at),
        "members": sorted(members, key=lambda item: item["participant"]),
        "meetings": sorted(meetings, key=lambda item: item["starts_at"]),
    }


def _event(event: AlumniEvent) -> dict[str, Any]:
    invitations = [
        {
            "participant": invitation.participant.key,
            "cohort": invitation.cohort.key,
            "invited_at": format_datetime(invitation.invited_at),
            "answer": blank_to_none(invitation.answer),
            "answered_at": format_datetime(invitation.answered_at),
            "attended": invitation.attended,
        }
        for invitation in event.invitations.all()
    ]
    return {
        "hub": event.hub.key,
        "topic": event.topic,
        "speaker": blank_to_none(event.speaker),
        "starts_at": format_datetime(event.starts_at),
        "place": event.place,
        "published_at": format_datetime(event.published_at),
        "invitations": sorted(invitations, key=lambda item: item["participant"]),
    }


def _learning_set(learning_set: LearningSet, user_key: Callable[[int], str]) -> dict[str, Any]:
    sessions = [
        {
            "starts_at": format_datetime(session.starts_at),
            "joining_instructions": session.joining_instructions,
            "learning_points": blank_to_none(session.learning_points),
            "present": sorted(user_key(user.pk) for user in session.present.all()),
            "recorded_at": format_datetime(session.recorded_at),
        }
        for session in learning_set.sessions.all()
    ]
    return {
        "cluster": learning_set.cluster.key,
        "name": learning_set.name,
        "formed_at": format_datetime(learning_set.formed_at),
        "members": sorted(user_key(user.pk) for user in learning_set.members.all()),
        "sessions": sorted(sessions, key=lambda item: item["starts_at"]),
    }
