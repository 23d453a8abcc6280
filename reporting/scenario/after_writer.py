"""Step (c) for the after-the-programme sections (`after_reader` reads them).

Each record is found by what identifies it and updated in place, or made: a group, an
event and a set keep their rows (members' and invitees' emailed links point at them),
and what hangs below them (a group's members, meetings, replies and action cards; an
event's invitations; a set's members and sessions) is replaced by the document's. The
reader has already refused, without --update, any record the database holds. An event
is known by its hub, start and topic, so with --update a hub's events are the document's
(for each hub it gives events for), as a cohort's sessions are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models

from alumni.models import (
    AlumniEvent,
    ClusterLead,
    ContinuingGroup,
    EventInvitation,
    GroupMeeting,
    GroupMember,
    LearningSet,
    LearningSetSession,
    MeetingActionCard,
    MeetingReply,
    Referral,
    SupportScheme,
)
from cohorts.models import Cohort
from participants.models import Participant
from reporting.scenario.after_reader import identity
from reporting.scenario.plan import Row

if TYPE_CHECKING:
    from reporting.scenario.writer import Writer


class AfterWriter:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.rows = writer.plan.rows
        self.ids = writer.ids

    def write(self) -> None:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("support_schemes", self._schemes),
            ("referrals", self._referrals),
            ("continuing_groups", self._groups),
            ("alumni_events", self._events),
            ("cluster_leads", self._cluster_leads),
            ("learning_sets", self._learning_sets),
        ]
        for kind, write in steps:
            if self.rows[kind]:
                self.writer.kind = kind
                write()

    def _id(self, row: Row, name: str) -> int:
        ref = row.refs[name]
        assert ref is not None  # the reader refused a document without it
        return self.ids[ref.kind][ref.key]

    def _upsert(
        self,
        kind: str,
        model: type[models.Model],
        lookup: Callable[[Row], dict[str, Any]],
        values: Callable[[Row], dict[str, Any]],
    ) -> dict[str, models.Model]:
        """Update the record each row identifies, or make it, in bulk (the writer's
        `save_matched`); → identity → record."""
        rows = self.rows[kind]
        found = [(lookup(row), values(row)) for row in rows]
        instances = [model(**identified, **rest) for identified, rest in found]
        identity, fields = tuple(found[0][0]), list(found[0][1])
        self.writer.save_matched(kind, instances, identity, fields)
        return {row.key or "": instance for row, instance in zip(rows, instances, strict=True)}

    def _made(self, kind: str, records: list[models.Model]) -> list[models.Model]:
        made = type(records[0]).objects.bulk_create(records) if records else []
        self.writer.created[kind] += len(made)
        return made

    # -- business support -------------------------------------------------------------

    def _schemes(self) -> None:
        self._upsert(
            "support_schemes",
            SupportScheme,
            lambda row: {"hub_id": self._id(row, "hub"), "key": row.fields["key"]},
            lambda row: {name: value for name, value in row.fields.items() if name != "key"},
        )

    def _referrals(self) -> None:
        participants = dict(
            Participant.objects.filter(
                pk__in=[self._id(row, "participant") for row in self.rows["referrals"]]
            ).values_list("pk", "hub_id")
        )
        schemes = {
            (hub, key): pk
            for pk, hub, key in SupportScheme.objects.filter(
                hub_id__in=set(participants.values())
            ).values_list("pk", "hub_id", "key")
        }

        def lookup(row: Row) -> dict[str, Any]:
            participant = self._id(row, "participant")
            scheme = schemes[(participants[participant], row.fields["scheme"])]
            return {"participant_id": participant, "scheme_id": scheme}

        self._upsert(
            "referrals",
            Referral,
            lookup,
            lambda row: {
                "hub_id": participants[self._id(row, "participant")],
                "status": row.fields["status"],
                "created_at": row.fields["created_at"],
                "updated_at": row.fields["updated_at"],
            },
        )

    # -- continuing groups ------------------------------------------------------------

    def _groups(self) -> None:
        cohort_hubs = dict(
            Cohort.objects.filter(
                pk__in=[self._id(row, "cohort") for row in self.rows["continuing_groups"]]
            ).values_list("pk", "hub_id")
        )
        groups = self._upsert(
            "continuing_groups",
            ContinuingGroup,
            lambda row: {"cohort_id": self._id(row, "cohort")},
            lambda row: {
                "hub_id": cohort_hubs[self._id(row, "cohort")],
                "started_at": row.fields["started_at"],
            },
        )
        # What hangs below a group is the document's: the database's goes first.
        GroupMember.objects.filter(group__in=groups.values()).delete()
        GroupMeeting.objects.filter(group__in=groups.values()).delete()
        members: dict[str, int] = {}
        rows = self.rows["group_members"]
        made = self._made(
            "group_members",
            [
                GroupMember(
                    group=groups[(row.key or "").split("/")[0]],
                    participant_id=self._id(row, "participant"),
                    **row.fields,
                )
                for row in rows
            ],
        )
        for row, member in zip(rows, made, strict=True):
            members[row.key or ""] = member.pk
        self._meetings(groups, members)

    def _meetings(self, groups: dict[str, models.Model], members: dict[str, int]) -> None:
        rows = self.rows["group_meetings"]
        made = self._made(
            "group_meetings",
            [
                GroupMeeting(
                    group=groups[row.fields["group"]],
                    starts_at=row.fields["starts_at"],
                    place=row.fields["place"],
                    topic=row.fields["topic"],
                    scheduled_by_id=None
                    if row.fields["scheduled_by"] is None
                    else members[identity(row.fields["group"], row.fields["scheduled_by"])],
                    scheduled_at=row.fields["scheduled_at"],
                )
                for row in rows
            ],
        )
        meetings = {row.key: meeting for row, meeting in zip(rows, made, strict=True)}

        def below(row: Row, model: type[models.Model], *names: str) -> models.Model:
            meeting = meetings[row.fields["meeting"]]
            group = row.fields["meeting"].split("/")[0]
            member = members[identity(group, row.fields["member"])]
            values = {name: row.fields[name] for name in names}
            return model(meeting=meeting, member_id=member, **values)

        self._made(
            "meeting_replies",
            [
                below(row, MeetingReply, "coming", "attended", "answered_at")
                for row in self.rows["meeting_replies"]
            ],
        )
        self._made(
            "meeting_action_cards",
            [
                below(row, MeetingActionCard, "actions", "report_back")
                for row in self.rows["meeting_action_cards"]
            ],
        )

    # -- alumni events ----------------------------------------------------------------

    def _events(self) -> None:
        events = self._upsert(
            "alumni_events",
            AlumniEvent,
            lambda row: {
                "hub_id": self._id(row, "hub"),
                "starts_at": row.fields["starts_at"],
                "topic": row.fields["topic"],
            },
            lambda row: {name: row.fields[name] for name in ("speaker", "place", "published_at")},
        )
        # An event is known by its start: one that moved is another event. As a cohort's
        # sessions are, a hub's events are the document's, for each hub it gives any for.
        hubs = {self._id(row, "hub") for row in self.rows["alumni_events"]}
        AlumniEvent.objects.filter(hub_id__in=hubs).exclude(
            pk__in=[event.pk for event in events.values()]
        ).delete()
        EventInvitation.objects.filter(event__in=events.values()).delete()
        self._made(
            "event_invitations",
            [
                EventInvitation(
                    event=events[row.fields["event"]],
                    participant_id=self._id(row, "participant"),
                    cohort_id=self._id(row, "cohort"),
                    **{
                        name: row.fields[name]
                        for name in ("invited_at", "answer", "answered_at", "attended")
                    },
                )
                for row in self.rows["event_invitations"]
            ],
        )

    # -- facilitators' action learning sets -------------------------------------------

    def _cluster_leads(self) -> None:
        self._upsert(
            "cluster_leads",
            ClusterLead,
            lambda row: {"cluster_id": self._id(row, "cluster"), "user_id": self._id(row, "user")},
            lambda row: {"appointed_at": row.fields["appointed_at"]},
        )

    def _learning_sets(self) -> None:
        users = self.ids["users"]
        sets = self._upsert(
            "learning_sets",
            LearningSet,
            lambda row: {"cluster_id": self._id(row, "cluster"), "name": row.fields["name"]},
            lambda row: {"formed_at": row.fields["formed_at"]},
        )
        # Their members and sessions are the document's; in bulk, as everything here.
        Members = LearningSet.members.through
        Members.objects.filter(learningset__in=sets.values()).delete()
        Members.objects.bulk_create(
            Members(learningset=sets[row.key or ""], user_id=users[user])
            for row in self.rows["learning_sets"]
            for user in row.fields["members"]
        )
        LearningSetSession.objects.filter(learning_set__in=sets.values()).delete()
        rows = self.rows["learning_set_sessions"]
        fields = ("starts_at", "joining_instructions", "learning_points", "recorded_at")
        made = self._made(
            "learning_set_sessions",
            [
                LearningSetSession(
                    learning_set=sets[row.fields["learning_set"]],
                    **{name: row.fields[name] for name in fields},
                )
                for row in rows
            ],
        )
        Present = LearningSetSession.present.through
        Present.objects.bulk_create(
            Present(learningsetsession=session, user_id=users[user])
            for row, session in zip(rows, made, strict=True)
            for user in row.fields["present"]
        )
