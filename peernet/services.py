"""Writes for the programme structure (services hold the domain logic: docs/architecture.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from peernet.models import WorkerHeartbeat


@transaction.atomic
def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    """Note that `worker` is alive now. Idempotent: one row per worker, moved forward."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
