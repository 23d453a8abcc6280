"""Writes of the facilitators' action learning sets: the national coordinator appoints a
cluster's lead; the lead forms sets of the cluster's facilitators, schedules their
sessions with joining instructions, and records who came and the learning points shared,
which may hold no participant's personal data. Each is one transaction with its audit
event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alumni.learning_sets.selectors import cluster_facilitators, personal_data_in
from alumni.models import ClusterLead, LearningSet, LearningSetSession
from peernet import audit
from peernet.db import save_fields
from peernet.models import Cluster, User


@transaction.atomic
def cluster_lead_appoint(*, cluster: Cluster, user: User, by: Any) -> ClusterLead:
    if not user.is_active:
        raise ValidationError(f"{user.email}'s account is not active")
    lead, created = ClusterLead.objects.get_or_create(
        cluster=cluster,
        user=user,
        defaults={"appointed_at": timezone.now(), "appointed_by": by},
    )
    if not created:
        raise ValidationError(f"{user.email} already leads {cluster.name}")
    audit.record(by, "create", lead, summary=f"Cluster lead of {cluster.name}: user {user.pk}")
    return lead


@transaction.atomic
def learning_set_form(
    *, cluster: Cluster, name: str, members: Iterable[int], by: Any
) -> LearningSet:
    """A set of at least two facilitators of the cluster's hubs."""
    chosen = set(members)
    allowed = set(cluster_facilitators(cluster).values_list("pk", flat=True))
    if chosen - allowed:
        raise ValidationError(f"Choose facilitators of {cluster.name}'s hubs")
    if len(chosen) < 2:
        raise ValidationError("Choose at least two facilitators: a set learns together")
    if LearningSet.objects.filter(cluster=cluster, name__iexact=name.strip()).exists():
        raise ValidationError(f"{cluster.name} already has a set called {name.strip()}")
    learning_set = LearningSet.objects.create(
        cluster=cluster, name=name.strip(), formed_at=timezone.now(), formed_by=by
    )
    learning_set.members.set(chosen)
    audit.record(
        by,
        "create",
        learning_set,
        summary=f"Action learning set formed in {cluster.name} ({len(chosen)} facilitators)",
    )
    return learning_set


@transaction.atomic
def learning_set_session_schedule(
    *,
    learning_set: LearningSet,
    starts_at: dt.datetime,
    joining_instructions: str,
    by: Any,
    now: dt.datetime | None = None,
) -> LearningSetSession:
    if starts_at <= (now or timezone.now()):
        raise ValidationError("Enter a date and time in the future for the session")
    session = LearningSetSession.objects.create(
        learning_set=learning_set,
        starts_at=starts_at,
        joining_instructions=joining_instructions.strip(),
    )
    audit.record(by, "create", session, summary=f"Session of {learning_set.name} scheduled")
    return session


@transaction.atomic
def learning_set_session_record(
    *,
    session: LearningSetSession,
    present: Iterable[int],
    learning_points: str,
    by: Any,
    now: dt.datetime | None = None,
) -> LearningSetSession:
    """Who came and the learning points shared, once the session began. Text naming a
    participant or holding an email address is refused, and nothing is saved."""
    now = now or timezone.now()
    if session.starts_at > now:
        raise ValidationError("Record the session once it has begun")
    came = set(present)
    if came - set(session.learning_set.members.values_list("pk", flat=True)):
        raise ValidationError("Choose members of the set")
    found = personal_data_in(learning_points, session.learning_set.cluster)
    if found:
        raise ValidationError(
            "Take out "
            + " and ".join(found)
            + ": learning points are shared without any participant's personal data"
        )
    save_fields(session, learning_points=learning_points.strip(), recorded_at=now, recorded_by=by)
    session.present.set(came)
    audit.record(
        by,
        "update",
        session,
        summary=f"Session of {session.learning_set.name} recorded ({len(came)} came)",
    )
    return session
