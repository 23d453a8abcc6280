"""Writes for the programme structure (DESIGN.md: services hold the domain logic)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from peernet.models import Hub, RuleWarning, User, WorkerHeartbeat
from peernet.rules import Judges, Outcome, Result


@transaction.atomic
def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    """Note that `worker` is alive now. Idempotent: one row per worker, moved forward."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


@transaction.atomic
def rule_warnings_record(
    *,
    results: Iterable[Result],
    subject_kind: Judges,
    subject_id: int,
    hub: Hub,
    action: str,
    by: User | None,
) -> list[RuleWarning]:
    """Record the warnings among `results` that were shown at `action` (the others are
    ignored, so a caller may pass every result of its checks)."""
    now = timezone.now()
    return RuleWarning.objects.bulk_create(
        RuleWarning(
            rule=result.rule,
            subject_kind=subject_kind,
            subject_id=subject_id,
            hub=hub,
            sentence=result.sentence,
            action=action,
            recorded_by=by,
            recorded_at=now,
        )
        for result in results
        if result.outcome == Outcome.WARN
    )
