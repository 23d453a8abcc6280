"""Reads of the facilitators' action learning sets: a cluster's facilitators, its sets,
a set's sessions, how many facilitators took part (per cluster, and nationally), and the
one question the learning points are checked against: does the text name a participant."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from alumni.models import ClusterLead, LearningSet, LearningSetSession
from participants.models import Participant
from peernet.access import role_holders
from peernet.models import Cluster, RoleAssignment, User
from peernet.roles import Role
from peernet.scoping import scopes_disabled

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")


def cluster_facilitators(cluster: Cluster) -> QuerySet[User]:
    """The active facilitators of the cluster's hubs, by name."""
    return role_holders(Role.FACILITATOR, hub__cluster=cluster)


def cluster_sets(clusters: Iterable[Cluster]) -> QuerySet[LearningSet]:
    return (
        LearningSet.objects.filter(cluster__in=list(clusters))
        .select_related("cluster")
        .annotate(
            member_count=Count("members", distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("cluster__name", "name", "pk")
    )


def set_sessions(learning_set: LearningSet) -> list[LearningSetSession]:
    return list(
        learning_set.sessions.annotate(present_count=Count("present")).order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class Participation:
    cluster: Cluster
    facilitators: int
    took_part: int


def participation(clusters: list[Cluster]) -> list[Participation]:
    """Per cluster: its facilitators, and how many of them came to a session of one of
    its sets (two queries)."""
    facilitators = dict(
        RoleAssignment.objects.filter(
            role=Role.FACILITATOR, hub__cluster__in=clusters, user__is_active=True
        )
        .values_list("hub__cluster")
        .annotate(n=Count("user", distinct=True))
    )
    took_part = dict(
        LearningSetSession.objects.filter(learning_set__cluster__in=clusters)
        .values_list("learning_set__cluster")
        .annotate(n=Count("present", distinct=True))
    )
    return [Participation(c, facilitators.get(c.pk, 0), took_part.get(c.pk, 0)) for c in clusters]


def personal_data_in(text: str, cluster: Cluster) -> list[str]:
    """Why `text` may not be kept as learning points: an email address, or the name of a
    participant of the cluster's hubs. Empty when it names no one."""
    # A question about every hub of the cluster, whatever hubs the lead works in.
    with scopes_disabled():
        names = Participant.objects.filter(hub__cluster=cluster).values_list(
            "first_name", "last_name"
        )
        return personal_data_named(text, (f"{first} {last}" for first, last in names.iterator()))


def personal_data_named(text: str, names: Iterable[str]) -> list[str]:
    """Why `text` may not be kept as learning points: an email address, or one of the
    participants' `names` (checked in this order; a scenario's import gives its own)."""
    found = ["an email address"] if EMAIL.search(text) else []
    lowered = " ".join(text.lower().split())
    for name in names:
        if name.lower() in lowered:
            found.append(f"the name of a participant ({name})")
            break
    return found


def cluster_leads() -> list[ClusterLead]:
    return list(ClusterLead.objects.select_related("cluster", "user").order_by("cluster__name"))
