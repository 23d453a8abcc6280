"""The outbox's Celery tasks (peernet.outbox): thin, each calls one service. A module of
its own, found by the Celery app beside peernet/tasks.py, so the outbox stays on the
ground floor (peernet/tasks.py reaches the apps through the privacy registry)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction

from peernet import outbox
from peernet.models import EmailStatus, OutboundEmail


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
def outbox_sweep() -> dict[str, int]:
    """Beat, every minute: tasks held while the broker was away are published, and the
    emails waiting and due are delivered (a lost task, a retry after the mail server was
    away)."""
    return outbox.sweep()
