"""One id follows a request through every log line, audit event and task it causes
(peernet.logs, peernet/celery.py); production logs are one JSON object a line."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from peernet import logs
from peernet.logs import JsonFormatter, RequestIdFilter
from peernet.models import AuditEvent, OutboundEmail
from peernet.tasks import retention_apply
from tests.celery_worker import WAIT_SECONDS, celery_worker, not_eager  # noqa: F401 (fixture)


def test_a_request_gets_an_id_or_keeps_the_proxys(client, db):
    made = client.get("/health/")["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    assert client.get("/health/")["X-Request-ID"] != made  # one a request
    kept = client.get("/health/", headers={"X-Request-ID": "lb-7f3a.2"})
    assert kept["X-Request-ID"] == "lb-7f3a.2"
    # Anything else from outside is replaced, not written into the logs.
    forged = client.get("/health/", headers={"X-Request-ID": "a\nb" + "x" * 80})
    assert forged["X-Request-ID"] != "a\nb" + "x" * 80 and len(forged["X-Request-ID"]) == 32


def test_an_audit_event_carries_the_request_id(client, personas):
    client.force_login(personas.hub_a_admin)
    page = reverse("hub:participant", kwargs={"hub": "hub-a", "code": personas.participant_a.code})
    response = client.get(page, headers={"X-Request-ID": "req-1234"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="view").latest("pk")
    assert event.request_id == "req-1234"


def test_a_json_log_line_has_the_request_id_and_the_traceback():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.request_ids")
    logger.addHandler(handler)
    token = logs.request_id.set("req-42")
    try:
        try:
            raise ValueError("the database went away")
        except ValueError:
            logger.error("Export %s failed", 7, exc_info=True)
    finally:
        logs.request_id.reset(token)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["message"] == "Export 7 failed"
    assert (line["level"], line["logger"], line["request_id"]) == (
        "ERROR",
        "tests.request_ids",
        "req-42",
    )
    assert line["time"].endswith("+00:00")
    assert "ValueError: the database went away" in line["traceback"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_with_the_id_of_the_request_that_enqueued_it(not_eager, tmp_path):  # noqa: F811
    long_ago = timezone.now() - dt.timedelta(days=800)  # past the outbox's year: deleted
    OutboundEmail.objects.create(
        kind="notice",
        recipient="a@example.org",
        subject="Old",
        message={},
        created_at=long_ago,
        status="sent",
        sent_at=long_ago,
    )
    with celery_worker(tmp_path) as worker:
        token = logs.request_id.set("req-from-the-web")
        try:
            result = retention_apply.delay()
        finally:
            logs.request_id.reset(token)
        result.get(timeout=WAIT_SECONDS)
        event = worker.wait_for(
            lambda: AuditEvent.objects.filter(action="retention").first(), "retention event"
        )
    assert event.request_id == "req-from-the-web"
