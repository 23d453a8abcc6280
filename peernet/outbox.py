"""The outbox: every email the service sends, and every task it asks a worker to run, is
a row first, then a delivery.

Tasks (`task_hold`, what every task's `delay_on_commit` does: peernet/celery.py): the
task is written as a row in the caller's transaction and published to the broker once it
commits; the row is deleted when the broker has it. If the broker (Redis) is away, the
request still succeeds and the row waits; beat's sweep publishes it when the broker is
back (`tasks_send_waiting`). Tasks are safe to run twice, so the rare double publish (a
crash between publishing and deleting) has no double effect.

Emails:

`enqueue` writes the message (as `peernet.mail` built it) in the caller's transaction, so
an email exists exactly when what caused it does, and asks a worker to deliver it once
that transaction commits. `deliver` hands one message to the mail server (Django's email
backend: SMTP in production); `deliver_due`, run by beat every OUTBOX_BEAT_SECONDS,
delivers whatever is waiting, so a message whose task was lost, or whose server was down,
still goes.

What the mail server says decides the status:
- accepted: `sent`, with the time; `email_sent` is signalled, and K7/O5 count a joining
  instruction as sent from then (sessions.joining listens);
- a refusal of the message or of every recipient (a 5xx answer): `failed`, with the
  server's reason, for the hub to see and, once the address is corrected, send again;
- anything else (no server, a timeout, a 4xx "try later"): still `queued`, the reason
  kept, tried again after a back-off that doubles from OUTBOX_RETRY_SECONDS up to an hour.
  Nothing is ever dropped for a server that is away.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from importlib import import_module
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, F, Min
from django.dispatch import Signal
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from peernet import audit
from peernet.models import EmailStatus, Hub, OutboundEmail, OutboundTask, User
from peernet.scoping import scopes_disabled

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached (kombu wraps the client's own).
BROKER_AWAY = (KombuOperationalError, RedisError, OSError)

# Sent with `email` (the OutboundEmail) when the mail server has accepted it.
email_sent = Signal()

MAX_BACK_OFF = dt.timedelta(hours=1)


# --- the message, as a row -------------------------------------------------------------


def _parts(message: EmailMultiAlternatives) -> dict[str, Any]:
    """Everything Django needs to build the message again, as JSON."""
    return {
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": message.subject,
        "body": message.body,
        "alternatives": [[str(content), mimetype] for content, mimetype in message.alternatives],
        "attachments": [
            [name, content if isinstance(content, str) else content.decode(), mimetype]
            for name, content, mimetype in message.attachments
        ],
    }


def _message(parts: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=parts["subject"],
        body=parts["body"],
        from_email=parts["from_email"],
        to=parts["to"],
        cc=parts["cc"],
        bcc=parts["bcc"],
        reply_to=parts["reply_to"],
    )
    for content, mimetype in parts["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, content, mimetype in parts["attachments"]:
        message.attach(name, content, mimetype)
    return message


def enqueue(
    message: EmailMultiAlternatives,
    *,
    kind: str,
    hub: Hub | None,
    now: dt.datetime | None = None,
) -> OutboundEmail:
    """Write `message` to the outbox in the current transaction; a worker delivers it
    when the transaction commits (and beat again, should that task be lost)."""
    return _queued(
        hub=hub,
        kind=kind,
        recipient=(message.to or message.recipients() or [""])[0].lower(),
        subject=message.subject[:300],
        message=_parts(message),
        now=now or timezone.now(),
    )


def _queued(*, now: dt.datetime | None = None, **fields: Any) -> OutboundEmail:
    """The email's row, written now, and its delivery held until the commit."""
    now = now or timezone.now()
    email = OutboundEmail.objects.create(created_at=now, next_attempt_at=now, **fields)
    task_hold("peernet.outbox_tasks.email_deliver", (email.pk,), {})
    return email


# --- delivery ------------------------------------------------------------------------------


def _refused(exc: Exception) -> bool:
    """True when the server refused the message for good (a 5xx answer)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def _reason(exc: Exception) -> str:
    """What went wrong, in words the hub's administrator can act on."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        said = "; ".join(
            f"{address}: {code} {_text(answer)}"
            for address, (code, answer) in exc.recipients.items()
        )
        return f"The mail server refused the recipient ({said})"[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server answered {exc.smtp_code} {_text(exc.smtp_error)}"[:500]
    if isinstance(exc, OSError):
        return f"The mail server could not be reached ({exc.strerror or exc})"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def back_off(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed try: doubling, at most an hour."""
    first = dt.timedelta(seconds=settings.OUTBOX_RETRY_SECONDS)
    return min(first * 2 ** max(attempts - 1, 0), MAX_BACK_OFF)


def deliver(email_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Hand one queued email to the mail server; returns its status afterwards (None if
    it was not waiting: already sent, failed, or taken by another worker right now)."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=EmailStatus.QUEUED)
            .first()
        )
        if email is None:
            return None
        try:
            get_connection(fail_silently=False).send_messages([_message(email.message)])
        except Exception as exc:  # whatever the backend raises is a reason to record
            now = now or timezone.now()
            email.attempts += 1
            email.last_error = _reason(exc)
            if _refused(exc):
                email.status = EmailStatus.FAILED
            else:
                email.next_attempt_at = now + back_off(email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning(
                "Email %s (%s) not sent, try %s: %s",
                email.pk,
                email.kind,
                email.attempts,
                email.last_error,
            )
            return email.status
        email.attempts += 1
        email.status = EmailStatus.SENT
        email.sent_at = now or timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        email_sent.send(sender=OutboundEmail, email=email)
        return email.status


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Deliver the queued emails whose next try has come, oldest first; returns how many
    the server accepted."""
    now = now or timezone.now()
    due = OutboundEmail.objects.filter(
        status=EmailStatus.QUEUED, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    return sum(deliver(pk, now=now) == EmailStatus.SENT for pk in ids)


@transaction.atomic
def email_send_again(*, email: OutboundEmail, by: User) -> OutboundEmail:
    """The same message as a new email (the old row stays, as the record of what
    happened): for a failed one once its cause is fixed, or one that went astray."""
    again = _queued(
        hub=email.hub,
        kind=email.kind,
        recipient=email.recipient,
        subject=email.subject,
        message=email.message,
    )
    audit.record(
        actor=by,
        action=audit.AuditAction.CREATE,
        obj=again,
        summary=f"Email sent again: {email.get_kind_display()}",
        hub=email.hub,
    )
    return again


# --- tasks held until the broker has them ------------------------------------------------

WAITING_TASK_GRACE = dt.timedelta(seconds=10)  # the commit's own publish goes first


def task_hold(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Hold the task `name` in the current transaction; publish it once that commits."""
    held = OutboundTask.objects.create(task=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: task_send(held.pk))


def task_send(held_id: int) -> bool:
    """Publish one held task and forget it; False (the row kept, the reason recorded) if
    the broker did not take it, or another process is publishing it now."""
    with transaction.atomic():
        held = OutboundTask.objects.select_for_update(skip_locked=True).filter(pk=held_id).first()
        if held is None:
            return False
        try:
            _task(held.task).apply_async(held.args, held.kwargs)
        except BROKER_AWAY as exc:
            logger.warning(
                "Task %s not queued (%s): it goes when the broker is back", held.task, exc
            )
            OutboundTask.objects.filter(pk=held.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:300]
            )
            return False
        held.delete()
        return True


def _task(name: str) -> Any:
    """The registered task `name` (a task is registered when its module is imported: a
    web process has not imported every tasks module)."""
    if name not in current_app.tasks:
        import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def tasks_send_waiting(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Publish the tasks still held (their broker was away), oldest first; returns how
    many the broker took."""
    now = now or timezone.now()
    waiting = OutboundTask.objects.filter(created_at__lte=now - WAITING_TASK_GRACE)
    return sum(task_send(pk) for pk in waiting.values_list("pk", flat=True)[:limit])


def sweep() -> dict[str, int]:
    """Beat's every minute: held tasks published, due emails delivered."""
    return {"tasks": tasks_send_waiting(), "emails": deliver_due()}


# --- for the pages ------------------------------------------------------------------------


def emails_to(*, hub: Hub, address: str, limit: int = 50) -> list[OutboundEmail]:
    """The hub's emails to one address (a participant's), newest first."""
    if not address:
        return []
    emails = OutboundEmail.objects.filter(hub=hub, recipient=address.lower())
    return list(emails.select_related("hub")[:limit])


# --- for /health/ -------------------------------------------------------------------------


def backlog(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """How many emails are waiting, and how long the oldest has waited (seconds)."""
    now = now or timezone.now()
    with scopes_disabled():  # the service's whole outbox, whoever asks (/health/ has no user)
        backlog = OutboundEmail.objects.filter(status=EmailStatus.QUEUED).aggregate(
            queued=Count("pk"), oldest=Min("created_at")
        )
    oldest = backlog["oldest"]
    return {
        "queued": backlog["queued"],
        "oldest_queued_seconds": int((now - oldest).total_seconds()) if oldest else None,
    }
