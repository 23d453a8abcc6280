"""The outbox (peernet.outbox): every email is a row first, written with what caused it,
and delivered afterwards; a mail server that is away delays mail and loses none; a
refusal is shown to the hub with the server's reason, and the hub can send it again.

Delivery here goes to a real SMTP server (aiosmtpd, tests/smtp.py) through Django's SMTP
backend, stopped and started as a relay that goes away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from peernet import mail, outbox
from peernet.models import AuditEvent, EmailKind, EmailStatus, OutboundEmail
from tests.smtp import SmtpServer, text_of

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp(settings):
    """A real SMTP server the service's email backend sends to; stopped at the end."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.OUTBOX_RETRY_SECONDS = 30
    yield server
    server.stop()


def _charter_link(personas, subject: str = "Sign the charter") -> OutboundEmail:
    participant = personas.participant_a
    return mail.send(
        kind=EmailKind.CHARTER,
        subject=subject,
        body=f"Dear {participant.first_name},\n\nhttps://example.org/p/charter/x",
        to=[participant.email],
        hub=personas.hub_a,
    )


def test_an_email_is_written_with_what_caused_it_or_not_at_all(personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        _charter_link(personas)
        raise RuntimeError("what caused it failed")
    assert not OutboundEmail.objects.exists()

    email = _charter_link(personas)
    assert (email.status, email.attempts, email.kind) == ("queued", 0, "charter")
    assert email.recipient == personas.participant_a.email.lower()
    assert email.hub == personas.hub_a


def test_a_server_away_delays_the_email_and_loses_nothing(personas, smtp):
    email = _charter_link(personas)
    # No server listening: the try fails, the email waits with the reason.
    assert outbox.deliver(email.pk, now=NOW) == EmailStatus.QUEUED
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.last_error.startswith("The mail server could not be reached")
    assert email.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert outbox.deliver_due(now=NOW + dt.timedelta(seconds=29)) == 0  # not due yet
    assert outbox.deliver_due(now=NOW + dt.timedelta(seconds=30)) == 0  # still away
    email.refresh_from_db()
    assert (email.attempts, email.next_attempt_at) == (2, NOW + dt.timedelta(seconds=90))

    smtp.start()
    assert outbox.deliver_due(now=NOW + dt.timedelta(seconds=90)) == 1
    email.refresh_from_db()
    assert (email.status, email.sent_at, email.attempts) == (
        "sent",
        NOW + dt.timedelta(seconds=90),
        3,
    )
    assert email.last_error == ""
    [received] = smtp.received
    assert received["Subject"] == "Sign the charter"
    assert "https://example.org/p/charter/x" in text_of(received)
    # Sent is sent: beat's next run, or the task run twice, sends nothing more.
    assert outbox.deliver(email.pk) is None
    assert outbox.deliver_due(now=NOW + dt.timedelta(hours=2)) == 0
    assert len(smtp.received) == 1


def test_a_refused_address_fails_with_the_servers_reason(personas, smtp):
    smtp.start()
    smtp.refused.add(personas.participant_a.email.lower())
    email = _charter_link(personas)
    assert outbox.deliver(email.pk, now=NOW) == EmailStatus.FAILED
    email.refresh_from_db()
    assert email.status == "failed"
    assert "550" in email.last_error and "No such mailbox" in email.last_error
    assert smtp.received == []
    assert outbox.deliver_due(now=NOW + dt.timedelta(days=1)) == 0  # not retried


def test_the_back_off_doubles_to_an_hour(settings):
    settings.OUTBOX_RETRY_SECONDS = 30
    waits = [outbox.back_off(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_the_participants_page_shows_each_email_and_sends_a_refused_one_again(
    client, personas, smtp
):
    smtp.start()
    smtp.refused.add(personas.participant_a.email.lower())
    failed = _charter_link(personas, subject="Sign the charter, first try")
    outbox.deliver(failed.pk, now=NOW)
    waiting = _charter_link(personas, subject="Your survey")
    client.force_login(personas.hub_a_admin)
    page = reverse("hub:participant", kwargs={"hub": "hub-a", "code": personas.participant_a.code})
    html = client.get(page).content.decode()
    assert "Sign the charter, first try" in html and "Not sent" in html
    assert "550 5.1.1 No such mailbox here" in html
    assert "Your survey" in html and "Waiting to send" in html

    smtp.refused.clear()  # the hub corrected the address with the mail provider
    send_again = reverse("hub:email-send-again", kwargs={"hub": "hub-a", "pk": failed.pk})
    response = client.post(send_again, {"next": page})
    assert response.status_code == 302 and response.url == page
    again = OutboundEmail.objects.exclude(pk__in=[failed.pk, waiting.pk]).get()
    assert (again.subject, again.status, again.message) == (
        failed.subject,
        "queued",
        failed.message,
    )
    assert AuditEvent.objects.filter(
        object_type="peernet.outboundemail", object_id=str(again.pk), action="create"
    ).exists()
    assert outbox.deliver(again.pk) == EmailStatus.SENT
    assert [m["Subject"] for m in smtp.received] == ["Sign the charter, first try"]


def test_another_hubs_admin_cannot_send_an_email_again(client, personas):
    email = _charter_link(personas)
    client.force_login(personas.hub_b_admin)
    for hub in ("hub-a", "hub-b"):
        url = reverse("hub:email-send-again", kwargs={"hub": hub, "pk": email.pk})
        assert client.post(url).status_code == 404
    assert OutboundEmail.objects.count() == 1


def test_health_reports_the_outbox_backlog(client, personas):
    assert client.get("/health/").json()["queued"] == 0
    email = _charter_link(personas)
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=email.created_at - dt.timedelta(minutes=10)
    )
    body = client.get("/health/").json()
    assert body["queued"] == 1
    assert 600 <= body["oldest_queued_seconds"] < 660
