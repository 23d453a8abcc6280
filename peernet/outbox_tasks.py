"""The outbox's Celery tasks (peernet.outbox): thin, each calls one service. A module of
its own, found by the Celery app beside peernet/tasks.py, so the outbox stays on the
ground floor (peernet/tasks.py reaches the apps through the privacy registry)."""

from __future__ import annotations

from celery import shared_task

from peernet import outbox


@shared_task
def email_deliver(email_id: int) -> str | None:
    """Deliver one email from the outbox (held by peernet.outbox.enqueue, published on
    commit). If the mail server was away, beat's sweep tries again once the back-off has
    passed (no task waits in the broker for it: a message held for long would outlast
    the broker's visibility timeout and come back)."""
    return outbox.deliver(email_id)


@shared_task
def outbox_sweep() -> dict[str, int]:
    """Beat, every minute: tasks held while the broker was away are published, and the
    emails waiting and due are delivered (a lost task, a retry after the mail server was
    away)."""
    return outbox.sweep()
