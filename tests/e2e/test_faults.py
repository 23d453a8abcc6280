"""Faults, each with real services stopped and started by the test (tests/faults.py), and
the service as it runs in production (gunicorn, DEBUG off). docs/reliability.md lists
each fault, what the user sees and what is guaranteed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from participants.models import Participant
from peernet.models import OutboundTask
from tests import faults
from tests.celery_worker import require_worker_services
from tests.e2e.conftest import expect_text, fill_registration_details
from tests.factories import make_hub, make_programme
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


def test_postgresql_restarting_answers_503_then_recovers_by_itself(tmp_path):
    make_hub("gm", name="Greater Manchester Growth Hub")
    # Kept connections (as a busy deployment would set) must recover too.
    with faults.gunicorn(tmp_path, DATABASE_CONN_MAX_AGE="600") as server:
        page = "/p/register/gm/"  # a public page that reads the database
        assert server.get(page).status == 200
        faults.postgresql("stop")
        try:
            down = server.get(page)
            health = server.get("/health/")
        finally:
            faults.postgresql("start")
        assert down.status == 503, down.body[:500]
        assert down.headers["Retry-After"] == "30"
        assert "Sorry, there is a problem with the service" in down.body
        assert "Try again in a minute" in down.body
        assert health.status == 503
        # Back: the same processes answer, their kept connections replaced.
        for _ in range(4):  # each of the two workers, twice
            answer = server.get(page)
            assert answer.status == 200, answer.body[:500]
            assert "Greater Manchester Growth Hub" in answer.body
        assert server.get("/health/").status == 200
        log = server.log.read_text()
    # The failure is in the log at the default level, with its traceback.
    assert "Service Unavailable: /p/register/gm/" in log and "OperationalError" in log, log[-3000:]
    assert "Booting worker" in log and log.count("Booting worker") == 2, log[-3000:]


def test_redis_away_the_pages_answer_and_no_work_is_lost(browser, tmp_path):
    """Redis stops while a business registers: the form works (its rate limit is not
    counted meanwhile), the confirmation email's task is held in the database; when Redis
    is back, beat's sweep publishes it and the worker sends the email, once."""
    require_worker_services()
    today = timezone.localdate()
    make_programme(
        delivery_start=today - dt.timedelta(days=90), delivery_end=today + dt.timedelta(days=240)
    )
    make_hub(
        "gm",
        name="Greater Manchester Growth Hub",
        local_authorities=["Manchester", "Salford"],
        privacy_notice_url="https://gm.example.org/privacy",
    )
    smtp = SmtpServer()
    smtp.start()
    try:
        with faults.process_set(tmp_path, smtp, OUTBOX_BEAT_SECONDS="2") as processes:
            faults.redis("stop")
            try:
                page = browser.new_page(base_url=processes.base_url)
                page.set_default_timeout(60_000)
                page.goto("/p/register/gm/")
                page.get_by_label("I have read the privacy notice").check()
                page.get_by_role("button", name="Continue").click()
                fill_registration_details(page)
                page.get_by_role("button", name="Send registration").click()
                expect_text(page, "Registration received")
                sam = Participant.objects.get(email="sam.owner@example.org")
                assert OutboundTask.objects.filter(
                    task="peernet.outbox_tasks.email_deliver"
                ).exists()
                assert faults.health(processes.port)[0] == 200  # /health/ needs no Redis
                assert smtp.received == []
            finally:
                faults.redis("start")
            smtp.wait_for(
                lambda m: m["To"] == sam.email and "registration" in m["Subject"],
                "the confirmation, once Redis was back",
                seconds=120,
            )
            deadline = time.monotonic() + 60
            while OutboundTask.objects.exists():
                assert time.monotonic() < deadline, list(OutboundTask.objects.all())
                time.sleep(0.5)
            time.sleep(3)  # a second copy, had the task gone twice, would be here by now
    finally:
        smtp.stop()
    assert [m["To"] for m in smtp.received] == [sam.email]
