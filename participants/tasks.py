"""Celery tasks for participant surveys (S1–S4). Thin: take ids, call a service, safe
to run twice (an invitation exists once, and is sent and reminded once)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from participants.surveys import selectors, services


def _send_each(invitation_ids: list[int]) -> int:
    for invitation_id in invitation_ids:
        survey_invitation_send.delay_on_commit(invitation_id)
    return len(invitation_ids)


@shared_task
def survey_invite_baseline(participant_id: int) -> int:
    """S1: on allocation to a cohort."""
    return _send_each(services.survey_invite_baseline(participant_id=participant_id))


@shared_task
def survey_invite_session_delivered(session_id: int) -> int:
    """S2 to those present when a session is marked delivered; S3 when that delivery
    brings the cohort to its hours."""
    return _send_each(services.survey_invite_session_delivered(session_id=session_id))


@shared_task
def survey_invite_dropout(participant_id: int) -> int:
    """S4: when a drop-out is recorded."""
    return _send_each(services.survey_invite_dropout(participant_id=participant_id))


@shared_task
def survey_invitation_send(invitation_id: int) -> bool:
    return services.survey_invitation_send(invitation_id=invitation_id, now=timezone.now())


@shared_task
def survey_invitation_remind(invitation_id: int) -> bool:
    return services.survey_invitation_remind(invitation_id=invitation_id, now=timezone.now())


@shared_task
def survey_send_due() -> int:
    """Beat: send what is not sent yet (a send lost to a broker outage is caught here)
    and the one reminder to those who have not answered after a few days."""
    now = timezone.now()
    unsent = list(selectors.survey_unsent(now).values_list("pk", flat=True))
    reminders = list(selectors.survey_reminders_due(now).values_list("pk", flat=True))
    for invitation_id in unsent:
        survey_invitation_send.delay_on_commit(invitation_id)
    for invitation_id in reminders:
        survey_invitation_remind.delay_on_commit(invitation_id)
    return len(unsent) + len(reminders)
