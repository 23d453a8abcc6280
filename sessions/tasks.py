"""Celery tasks for delivery. Thin: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions.joining import (
    cohort_schedule_send,
    joining_instructions_due,
    joining_instructions_send,
    one_to_one_change_notify,
    one_to_one_joining_instructions_due,
    one_to_one_joining_instructions_send,
    session_change_notify,
)


@shared_task
def joining_instructions_send_for_session(session_id: int) -> int:
    """K7: one session's joining instructions to every member not yet sent them."""
    try:
        return joining_instructions_send(session_id=session_id, now=timezone.now())
    except ValidationError:
        return 0  # cancelled or started since it was queued: nothing to send


@shared_task
def joining_instructions_send_for_one_to_one(one_to_one_id: int) -> int:
    """O5: one one-to-one's joining instructions to its participant."""
    try:
        return one_to_one_joining_instructions_send(one_to_one_id=one_to_one_id, now=timezone.now())
    except ValidationError:
        return 0


@shared_task
def joining_instructions_send_due() -> int:
    """Enqueue a send for every session and one-to-one now inside its notice period with
    someone not yet sent (scheduled by beat every 15 minutes, so a session is sent at
    most 15 minutes into its window, well before the 48-hour line when the window is
    reached on schedule). Each send skips whoever already has them, so overlapping runs
    and retries send nothing twice."""
    now = timezone.now()
    session_ids = [s.pk for s in joining_instructions_due(now)]
    one_to_one_ids = [o.pk for o in one_to_one_joining_instructions_due(now)]
    for session_id in session_ids:
        joining_instructions_send_for_session.delay_on_commit(session_id)
    for one_to_one_id in one_to_one_ids:
        joining_instructions_send_for_one_to_one.delay_on_commit(one_to_one_id)
    return len(session_ids) + len(one_to_one_ids)


@shared_task
def session_changed(session_id: int, sequence: int) -> int:
    """A session moved or was cancelled: everyone told about it before is told again."""
    return session_change_notify(session_id=session_id, sequence=sequence, now=timezone.now())


@shared_task
def one_to_one_changed(one_to_one_id: int, sequence: int) -> int:
    """A one-to-one was cancelled: its participant, if they had its details, is told."""
    return one_to_one_change_notify(
        one_to_one_id=one_to_one_id, sequence=sequence, now=timezone.now()
    )


@shared_task
def cohort_schedule_published(cohort_id: int) -> int:
    """K6: the cohort's whole schedule to every member, at the outset."""
    return cohort_schedule_send(cohort_id=cohort_id, now=timezone.now())
