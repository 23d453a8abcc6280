"""Step (b) for the after-the-programme sections (docs/after-the-programme.md): support
schemes and referrals, continuing groups, alumni events, and the facilitators' action
learning sets with their cluster leads. All optional; none of them changes a return.

These records have no key of their own. Each is known by what identifies it (a group by
its cohort, a scheme by its hub and key, a referral by its participant and scheme, an
event by its hub, start and topic, a set by its cluster and name), which is the `key` of
its plan row, made by `identity`. A group's and an event's cohorts are given in the same
document, so that who may be a member or an invitee is checked against the document's own
memberships. Without --update, a record the database already holds is refused; with it,
the record is replaced (scenario writer, `after_writer`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from alumni.learning_sets.selectors import personal_data_named
from alumni.models import (
    AlumniEvent,
    ClusterLead,
    ContinuingGroup,
    LearningSet,
    Referral,
    SupportScheme,
)
from peernet.models import Programme
from reporting.scenario.bookkeeping import Bookkeeping
from reporting.scenario.plan import Row
from sessions.models import SessionStatus

# The sections, in the order they are read and written.
AFTER_SECTIONS = (
    "support_schemes",
    "referrals",
    "continuing_groups",
    "alumni_events",
    "cluster_leads",
    "learning_sets",
)


def identity(*parts: Any) -> str:
    """The plan's key of a record known by what identifies it (see the module's text)."""
    return "/".join(
        part.isoformat() if isinstance(part, dt.datetime) else str(part) for part in parts
    )


class AfterTheProgramme(Bookkeeping):
    """The reading of the after-the-programme sections, for `Reader`."""

    def read_after_the_programme(self) -> None:
        readers = {
            "support_schemes": self._read_scheme,
            "referrals": self._read_referral,
            "continuing_groups": self._read_group,
            "alumni_events": self._read_event,
            "cluster_leads": self._read_cluster_lead,
            "learning_sets": self._read_learning_set,
        }
        self.participant_hubs = {
            item["key"]: item["hub"]
            for item in self.document.get("participants") or []
            if isinstance(item, dict) and "key" in item and "hub" in item
        }
        self.schemes_given = {
            (item["hub"], item["key"])
            for item in self.document.get("support_schemes") or []
            if isinstance(item, dict) and "hub" in item and "key" in item
        }
        self.wanted_schemes: list[tuple[str, str, str]] = []  # (hub, scheme, path)
        self.cluster_facilitators = self._cluster_facilitators()
        for section in AFTER_SECTIONS:
            for path, item in self._items(self.document.get(section), section):
                readers[section](item, path)

    def _after(self, kind: str, row: Row, what: str) -> None:
        """Add a row known by its identity (`row.key`), once in the document."""
        self._unique(kind, row.key, row.path, f"the same {what} as {{first}}")
        self.plan.rows[kind].append(row)

    # -- business support -------------------------------------------------------------

    def _read_scheme(self, item: dict[str, Any], path: str) -> None:
        fields = {
            "key": item["key"],
            "title": item["title"],
            "blurb": item.get("blurb") or "",
            "url": item["url"],
            "national": item.get("national", False),
            "offered": item.get("offered", True),
        }
        refs = {"hub": self._ref("hubs", item["hub"], f"{path}.hub")}
        self._unique(
            "scheme title",
            (item["hub"], item["title"]),
            f"{path}.title",
            "the same title as {first}, in the same hub",
        )
        row = Row(path, fields, refs, key=identity(item["hub"], item["key"]))
        self._after("support_schemes", row, "hub and key")

    def _read_referral(self, item: dict[str, Any], path: str) -> None:
        participant, scheme = item["participant"], item["scheme"]
        hub = self.participant_hubs.get(participant)
        if hub is None:
            self.problem(
                f"{path}.participant",
                f'a referral names a participant given in the same document, not "{participant}"',
            )
        elif (hub, scheme) not in self.schemes_given:
            self.wanted_schemes.append((hub, scheme, f"{path}.scheme"))
        created = self._datetime(item, "created_at", path)
        updated = self._datetime(item, "updated_at", path) or created
        self._not_before(
            created, updated, f"{path}.updated_at", "a referral cannot change before it is made"
        )
        fields = {
            "status": item.get("status") or "new",
            "created_at": created,
            "updated_at": updated,
        }
        refs = {"participant": self._ref("participants", participant, f"{path}.participant")}
        row = Row(
            path, {**fields, "hub": hub, "scheme": scheme}, refs, key=identity(participant, scheme)
        )
        self._after("referrals", row, "participant and scheme")

    # -- continuing groups ------------------------------------------------------------

    def _cohort_in_document(self, cohort: str, path: str, what: str) -> bool:
        if cohort in self.defined["cohorts"]:
            return True
        self.problem(path, f'{what} names a cohort given in the same document, not "{cohort}"')
        return False

    def _read_group(self, item: dict[str, Any], path: str) -> None:
        cohort = item["cohort"]
        given = self._cohort_in_document(cohort, f"{path}.cohort", "a continuing group")
        if given:
            self._check_completed(cohort, f"{path}.cohort")
        fields = {"started_at": self._datetime(item, "started_at", path)}
        refs = {"cohort": self._ref("cohorts", cohort if given else None, f"{path}.cohort")}
        self._after("continuing_groups", Row(path, fields, refs, key=cohort), "cohort")
        members: set[str] = set()
        hosts: list[str] = []
        for member_path, member in self._items(item.get("members"), f"{path}.members"):
            self._read_group_member(cohort, member, member_path, hosts)
            members.add(member["participant"])
        for meeting_path, meeting in self._items(item.get("meetings"), f"{path}.meetings"):
            self._read_meeting(cohort, members, meeting, meeting_path)

    def _check_completed(self, cohort: str, path: str) -> None:
        """A group carries on a cohort that delivered its hours (K2)."""
        needed = (
            self.plan.rules.get("cohort_hours")
            or Programme._meta.get_field("cohort_hours").get_default()
        )
        delivered = sum(
            (
                row.fields["hours"] or Decimal(0)
                for row in self.plan.rows["sessions"]
                if row.refs["cohort"] is not None
                and row.refs["cohort"].key == cohort
                and row.fields["status"] == SessionStatus.DELIVERED
            ),
            Decimal(0),
        )
        if delivered < needed:
            self.problem(
                path,
                f'K2: cohort "{cohort}" has delivered {delivered} of its {needed} hours; only a '
                "completed cohort carries on as a continuing group",
            )

    def _read_group_member(
        self, cohort: str, item: dict[str, Any], path: str, hosts: list[str]
    ) -> None:
        participant = item["participant"]
        self._check_member(cohort, participant, f"{path}.participant")
        opted_in = self._datetime(item, "opted_in_at", path)
        withdrawn = self._datetime(item, "withdrawn_at", path)
        consent = self._datetime(item, "consent_at", path)
        if (opted_in is None) != (consent is None):
            self.problem(
                f"{path}.consent_at", "a member who opted in gave their consent, and only they"
            )
        if withdrawn is not None and opted_in is None:
            self.problem(f"{path}.withdrawn_at", "only a member who opted in can withdraw")
        self._not_before(opted_in, withdrawn, f"{path}.withdrawn_at", "withdrawn before opting in")
        if item.get("host"):
            if opted_in is None or withdrawn is not None:
                self.problem(f"{path}.host", "the host is a member who has opted in and not left")
            if hosts:
                self.problem(f"{path}.host", f"the group already has its host at {hosts[0]}")
            hosts.append(path)
        fields = {
            "opted_in_at": opted_in,
            "consent_at": consent,
            "withdrawn_at": withdrawn,
            "share_email": item.get("share_email", False),
            "share_phone": item.get("share_phone", False),
            "share_business": item.get("share_business", False),
            "host": item.get("host", False),
        }
        refs = {"participant": self._ref("participants", participant, f"{path}.participant")}
        self._after(
            "group_members", Row(path, fields, refs, key=identity(cohort, participant)), "member"
        )

    def _read_meeting(
        self, cohort: str, members: set[str], item: dict[str, Any], path: str
    ) -> None:
        starts_at = self._datetime(item, "starts_at", path)
        meeting = identity(cohort, starts_at)
        scheduled_by = item.get("scheduled_by")
        if scheduled_by is not None and scheduled_by not in members:
            self.problem(f"{path}.scheduled_by", f'"{scheduled_by}" is not a member of the group')
        fields = {
            "group": cohort,
            "starts_at": starts_at,
            "place": item["place"],
            "topic": item.get("topic") or "",
            "scheduled_by": scheduled_by,
            "scheduled_at": self._datetime(item, "scheduled_at", path),
        }
        self._after("group_meetings", Row(path, fields, key=meeting), "start, in the same group")
        for participant, reply in (item.get("replies") or {}).items():
            reply_path = f"{path}.replies.{participant}"
            self._group_member(members, participant, reply_path)
            fields = {
                "coming": reply.get("coming"),
                "attended": reply.get("attended"),
                "answered_at": self._datetime(reply, "answered_at", reply_path),
            }
            self.plan.rows["meeting_replies"].append(
                Row(reply_path, {**fields, "meeting": meeting, "member": participant})
            )
        for participant, card in (item.get("action_cards") or {}).items():
            card_path = f"{path}.action_cards.{participant}"
            self._group_member(members, participant, card_path)
            fields = {"actions": card["actions"], "report_back": card.get("report_back") or ""}
            self.plan.rows["meeting_action_cards"].append(
                Row(card_path, {**fields, "meeting": meeting, "member": participant})
            )

    def _group_member(self, members: set[str], participant: str, path: str) -> None:
        if participant not in members:
            self.problem(path, f'"{participant}" is not a member of the group')

    # -- alumni events ----------------------------------------------------------------

    def _read_event(self, item: dict[str, Any], path: str) -> None:
        starts_at = self._datetime(item, "starts_at", path)
        published_at = self._datetime(item, "published_at", path)
        self._not_before(
            published_at, starts_at, f"{path}.starts_at", "an event starts after it is published"
        )
        event = identity(item["hub"], starts_at, item["topic"])
        fields = {
            "topic": item["topic"],
            "speaker": item.get("speaker") or "",
            "starts_at": starts_at,
            "place": item["place"],
            "published_at": published_at,
        }
        refs = {"hub": self._ref("hubs", item["hub"], f"{path}.hub")}
        self._after("alumni_events", Row(path, fields, refs, key=event), "hub, start and topic")
        for invitation_path, invitation in self._items(
            item.get("invitations"), f"{path}.invitations"
        ):
            self._read_invitation(event, invitation, invitation_path)

    def _read_invitation(self, event: str, item: dict[str, Any], path: str) -> None:
        participant, cohort = item["participant"], item["cohort"]
        given = self._cohort_in_document(cohort, f"{path}.cohort", "an invitation")
        if given:
            self._check_member(cohort, participant, f"{path}.participant")
        answer, answered_at = item.get("answer") or "", self._datetime(item, "answered_at", path)
        if bool(answer) != (item.get("answered_at") is not None):
            self.problem(f"{path}.answered_at", "an answer has its time, and only an answer")
        fields = {
            "event": event,
            "invited_at": self._datetime(item, "invited_at", path),
            "answer": answer,
            "answered_at": answered_at,
            "attended": item.get("attended"),
        }
        refs = {
            "participant": self._ref("participants", participant, f"{path}.participant"),
            "cohort": self._ref("cohorts", cohort if given else None, f"{path}.cohort"),
        }
        row = Row(path, fields, refs, key=identity(event, participant))
        self._after("event_invitations", row, "participant, at the same event")

    # -- facilitators' action learning sets -------------------------------------------

    def _read_cluster_lead(self, item: dict[str, Any], path: str) -> None:
        refs = {
            "cluster": self._ref("clusters", item["cluster"], f"{path}.cluster"),
            "user": self._ref("users", item["user"], f"{path}.user"),
        }
        fields = {"appointed_at": self._datetime(item, "appointed_at", path)}
        row = Row(path, fields, refs, key=identity(item["cluster"], item["user"]))
        self._after("cluster_leads", row, "cluster and user")

    def _cluster_facilitators(self) -> dict[str, set[str]]:
        """Cluster key → the users the document makes facilitators of its hubs' cohorts."""
        hub_clusters = {
            item["key"]: item["cluster"]
            for item in self.document.get("hubs") or []
            if isinstance(item, dict) and "key" in item and "cluster" in item
        }
        found: dict[str, set[str]] = defaultdict(set)
        for cohort in self.document.get("cohorts") or []:
            if isinstance(cohort, dict) and cohort.get("facilitator"):
                found[hub_clusters.get(cohort.get("hub"), "")].add(cohort["facilitator"])
        return found

    def _read_learning_set(self, item: dict[str, Any], path: str) -> None:
        cluster, members = item["cluster"], item["members"]
        facilitators = self.cluster_facilitators[cluster]
        for index, user in enumerate(members):
            if user not in facilitators:
                self.problem(
                    f"{path}.members[{index}]",
                    f'"{user}" facilitates no cohort of cluster "{cluster}" in this document',
                )
        learning_set = identity(cluster, item["name"])
        fields = {"name": item["name"], "formed_at": self._datetime(item, "formed_at", path)}
        refs = {"cluster": self._ref("clusters", cluster, f"{path}.cluster")}
        row = Row(path, {**fields, "members": list(members)}, refs, key=learning_set)
        self._after("learning_sets", row, "name, in the same cluster")
        names = self._participant_names(cluster)
        for session_path, session in self._items(item.get("sessions"), f"{path}.sessions"):
            self._read_learning_set_session(
                learning_set, set(members), names, session, session_path
            )

    def _participant_names(self, cluster: str) -> list[str]:
        hubs = {
            item["key"]
            for item in self.document.get("hubs") or []
            if isinstance(item, dict) and item.get("cluster") == cluster
        }
        return [
            f"{item['first_name']} {item['last_name']}"
            for item in self.document.get("participants") or []
            if isinstance(item, dict)
            and item.get("hub") in hubs
            and item.get("first_name")
            and item.get("last_name")
        ]

    def _read_learning_set_session(
        self,
        learning_set: str,
        members: set[str],
        names: list[str],
        item: dict[str, Any],
        path: str,
    ) -> None:
        for index, user in enumerate(item.get("present") or []):
            if user not in members:
                self.problem(f"{path}.present[{index}]", f'"{user}" is not a member of the set')
        points = item.get("learning_points") or ""
        found = personal_data_named(points, names)
        if found:
            self.problem(
                f"{path}.learning_points",
                f"take out {' and '.join(found)}: learning points are shared without any "
                "participant's personal data",
            )
        fields = {
            "learning_set": learning_set,
            "starts_at": self._datetime(item, "starts_at", path),
            "joining_instructions": item["joining_instructions"],
            "learning_points": points,
            "present": list(item.get("present") or []),
            "recorded_at": self._datetime(item, "recorded_at", path),
        }
        row = Row(path, fields, key=identity(learning_set, fields["starts_at"]))
        self._after("learning_set_sessions", row, "start, in the same set")

    # -- against the database ---------------------------------------------------------

    def check_after_in_database(self) -> None:
        """A referral's scheme the document does not give must be held already; without
        --update, a record the database already holds is refused. One query a section."""
        rows = self.plan.rows
        if self.wanted_schemes:
            held = set(
                SupportScheme.objects.filter(
                    hub__key__in={hub for hub, _, _ in self.wanted_schemes}
                ).values_list("hub__key", "key")
            )
            for hub, scheme, path in self.wanted_schemes:
                if (hub, scheme) not in held:
                    self.problem(path, f'hub "{hub}" offers no scheme with key "{scheme}"')
        if self.update:
            return
        # kind → the fields that identify a record, the first of them narrowing the query
        identified_by = {
            "support_schemes": (SupportScheme, "hub__key", "key"),
            "referrals": (Referral, "participant__key", "scheme__key"),
            "continuing_groups": (ContinuingGroup, "cohort__key"),
            "alumni_events": (AlumniEvent, "hub__key", "starts_at", "topic"),
            "cluster_leads": (ClusterLead, "cluster__key", "user__key"),
            "learning_sets": (LearningSet, "cluster__key", "name"),
        }
        for kind, (model, first, *others) in identified_by.items():
            if not rows[kind]:
                continue
            owners = {row.key.split("/")[0] for row in rows[kind] if row.key}
            found = model.objects.filter(**{f"{first}__in": owners}).values_list(first, *others)
            held = {identity(*values) for values in found}
            for row in rows[kind]:
                if row.key in held:
                    self.problem(
                        row.path,
                        "the database already holds this record; use --update to replace it",
                    )
