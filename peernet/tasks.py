"""Celery tasks for the programme structure. Thin: each calls one service."""

from __future__ import annotations

import socket

from celery import shared_task

from peernet.services import worker_heartbeat_record


@shared_task(bind=True)
def record_worker_heartbeat(self) -> None:
    """Proves a worker is taking tasks off the queue (scheduled by beat, read at /health/)."""
    # In process (no broker) there is no worker name: use the machine's.
    worker = self.request.hostname or socket.gethostname()
    worker_heartbeat_record(worker=worker)


@shared_task
def retention_apply() -> dict[str, int]:
    """docs/security.md §24: apply the registry's retention periods (peernet.privacy). Safe to
    run twice: a second run finds nothing left to delete or erase."""
    from peernet.privacy import retention_apply as apply

    return apply()
