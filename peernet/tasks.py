"""Celery tasks for the programme structure. Thin: each calls one service."""

from __future__ import annotations

import socket

from celery import shared_task
from django.conf import settings
from django.db import transaction

from peernet import outbox
from peernet.models import EmailStatus, OutboundEmail
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


@shared_task
def email_deliver(email_id: int) -> str | None:
    """Deliver one email from the outbox (queued by peernet.outbox.enqueue on commit). If
    the mail server was away, try again after the back-off; beat's run is the safety net.
    (In process, without a worker, beat's run alone retries: no waiting in a request.)"""
    status = outbox.deliver(email_id)
    if status == EmailStatus.QUEUED and not settings.CELERY_TASK_ALWAYS_EAGER:
        retry_at = OutboundEmail.objects.values_list("next_attempt_at", flat=True).get(pk=email_id)
        transaction.on_commit(lambda: email_deliver.apply_async((email_id,), eta=retry_at))
    return status


@shared_task
def outbox_deliver_due() -> int:
    """Beat, every minute: whatever is waiting and due goes now (a lost task, a retry
    after the mail server was away)."""
    return outbox.deliver_due()
