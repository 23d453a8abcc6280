"""Faults, each with real services stopped and started by the test (tests/faults.py), and
the service as it runs in production (gunicorn, DEBUG off). docs/reliability.md lists
each fault, what the user sees and what is guaranteed."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from peernet.calendar import LONDON
from peernet.models import OutboundTask
from reporting.models import ExportFile, ExportStatus, MonthlyReturn, RiskScan
from sessions.models import JoiningInstructionsSent
from tests import faults
from tests.celery_worker import celery_worker, not_eager, require_worker_services  # noqa: F401
from tests.e2e.conftest import (
    REGISTERING,
    greater_manchester,
    register_sam_owner,
)
from tests.factories import (
    local,
    make_hub,
    make_personas,
    make_return_version,
    make_session,
)
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
    greater_manchester(today - dt.timedelta(days=90), today + dt.timedelta(days=240), **REGISTERING)
    smtp = SmtpServer()
    smtp.start()
    try:
        with faults.process_set(tmp_path, smtp) as processes:
            faults.redis("stop")
            try:
                page = browser.new_page(base_url=processes.base_url)
                page.set_default_timeout(60_000)
                sam = register_sam_owner(page)
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


def test_two_beats_by_mistake_do_the_scheduled_work_once(tmp_path):
    """A second `celery beat` started by mistake beside the Procfile's: both send every
    entry of the schedule at once (each schedule file says all are due); the worker runs
    each task twice; every effect happens once."""
    require_worker_services()
    now = timezone.now()
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    gm = greater_manchester(
        month - dt.timedelta(days=90), today + dt.timedelta(days=240), admin=True
    )
    hub, cohort = gm.hub, gm.cohort
    week_ago = today - dt.timedelta(days=7)
    gm.join(["Ada", "Ben"], registered=week_ago, joined=week_ago, emails=True)
    # Due for its joining instructions: 47 hours away.
    starts = (now + dt.timedelta(hours=47)).astimezone(LONDON)
    session = make_session(cohort, f"{starts:%Y-%m-%dT%H:%M}")
    smtp = SmtpServer()
    smtp.start()
    try:
        with faults.process_set(tmp_path, smtp) as processes:
            second_schedule = tmp_path / "second-beat-schedule"
            faults.beat_schedule_all_due(second_schedule)
            with (tmp_path / "second-beat.log").open("wb") as log:
                second = subprocess.Popen(
                    [
                        str(faults.ROOT / ".venv/bin/celery"),
                        "-A",
                        "peernet",
                        "beat",
                        "--loglevel=INFO",
                        f"--schedule={second_schedule}",
                    ],
                    cwd=faults.ROOT,
                    env=processes.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                deadline = time.monotonic() + 120
                while not (
                    MonthlyReturn.objects.filter(hub=hub, month=month).exists()
                    and RiskScan.objects.filter(hub=hub).exists()
                    and JoiningInstructionsSent.objects.filter(
                        session=session, email__status="sent"
                    ).count()
                    == 2
                ):
                    assert time.monotonic() < deadline, processes.tail()
                    time.sleep(1)
                time.sleep(10)  # the second run of each task, queued behind the first
            finally:
                second.terminate()
                second.wait(timeout=30)
        sent_by_second = (tmp_path / "second-beat.log").read_text()
    finally:
        smtp.stop()
    assert "Sending due task returns-compile-drafts" in sent_by_second, sent_by_second[-2000:]
    assert "Sending due task joining-instructions-send-due" in sent_by_second
    assert MonthlyReturn.objects.filter(hub=hub, month=month).count() == 1
    assert RiskScan.objects.filter(hub=hub, run_on=today).count() == 1
    assert JoiningInstructionsSent.objects.filter(session=session).count() == 2
    joining = [m["To"] for m in smtp.received if "join" in m["Subject"].lower()]
    assert sorted(joining) == ["ada@example.org", "ben@example.org"], joining


def test_a_worker_killed_mid_export_another_finishes_it_with_one_file(
    client,
    not_eager,  # noqa: F811 (fixture)
    tmp_path,
):
    """A worker is killed (SIGKILL) while it builds a download: the download is not
    marked complete; Redis hands the task to the next worker (a short visibility timeout
    here, instead of half an hour), which builds it; one complete file, never a partial."""
    personas = make_personas()
    make_return_version(
        personas.hub_a,
        dt.date(2021, 10, 1),
        local("2021-11-05T10:00"),
        figures={"started_cumulative": 123, "registrations_cumulative": 456, "target": 150},
    )
    client.force_login(personas.funder)
    quick = {"CELERY_VISIBILITY_TIMEOUT": "5"}
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with celery_worker(tmp_path / "first", **quick) as first:
        response = client.post(
            reverse("national:export-new"),
            {"kind": "return-pdf", "area": "national", "key": "", "month": "2021-10"},
        )
        pk = int(response["Location"].rstrip("/").split("/")[-1])
        deadline = time.monotonic() + 60
        while (status := ExportFile.objects.get(pk=pk).status) != ExportStatus.RUNNING:
            assert status == ExportStatus.PENDING, f"{status} before the worker could be killed"
            assert time.monotonic() < deadline, first.log()
            time.sleep(0.01)
        first.process.kill()
        first.process.wait(timeout=30)
    killed = ExportFile.objects.get(pk=pk)
    assert (killed.status, killed.file.name) == (ExportStatus.RUNNING, "")
    with celery_worker(tmp_path / "second", **quick) as second:
        export = second.wait_for(
            lambda: ExportFile.objects.filter(pk=pk, status=ExportStatus.COMPLETE).first(),
            "the download, built again by the next worker",
        )
    assert "reporting.export_tasks.export_build" in second.log()
    files = sorted((Path(settings.MEDIA_ROOT) / "exports").glob(f"{pk}-*"))
    assert [f.name for f in files] == [Path(export.file.name).name]
    assert len(PdfReader(io.BytesIO(export.content)).pages) >= 1
