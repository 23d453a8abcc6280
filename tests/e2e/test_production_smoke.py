"""The service as it runs in production (issue 23), driven by Chromium over HTTP.

The release step (`scripts/release`: assets, migrate, collectstatic, the static files
check, `check --deploy`) runs with production settings, then the whole process set of
the `Procfile` starts under honcho, as `scripts/serve` starts it: gunicorn with its
checked-in configuration, a Celery worker and Celery beat, with `DEBUG` off and
whitenoise's manifest storage, against the test's PostgreSQL and Redis and a real SMTP
server on this machine. No test client and no task run in the test's process: every
email below left through SMTP from the web process or the worker.

The way through: a business registers on the public form; the hub administrator decides
it is eligible and sends the Participant Charter, which the participant signs through the
emailed link; they are allocated to a cohort; the facilitator sends a session's joining
instructions (an email with a calendar invitation) and takes the register of another,
which makes the worker email a session-feedback survey that a member answers through its
link; last month's draft return, compiled by the worker when beat's schedule falls due
(the beat's schedule file says every entry last ran 40 days ago, so each is due at once),
is submitted and downloaded as an XLSX workbook the worker built.

The processes run with `SECURE_SSL_REDIRECT` off, as behind a proxy that terminates TLS
and redirects (the release step's `check --deploy` runs with it on, as on a server).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from celery.beat import PersistentScheduler
from django.conf import global_settings, settings
from django.utils import timezone
from icalendar import Calendar

from participants import surveys
from participants.models import (
    EligibilityStatus,
    Participant,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from peernet.celery import app as celery_app
from peernet.models import Role
from reporting.models import MonthlyReturn
from sessions.models import GroupSession
from tests.celery_worker import require_worker_services, worker_database_url
from tests.e2e.conftest import (
    REGISTERING,
    expect_text,
    fill_registration_details,
    greater_manchester,
    record_eligible,
    send_the_charter,
    sign_in,
    sign_the_charter,
    workbook_cells,
)
from tests.e2e.test_participant_journey import _answer_page
from tests.factories import make_user
from tests.smtp import SmtpServer, free_port, text_of

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
STARTUP_SECONDS = 180


def _environment(smtp: SmtpServer, port: int, beat_schedule: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The test process's own: not what a server has.
        if key
        not in (
            "EMAIL_BACKEND",
            "STATICFILES_STORAGE",
            "PEERNET_REQUIRE_SERVICES",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(
        DEBUG="0",
        DATABASE_URL=worker_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECRET_KEY=settings.SECRET_KEY,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        DEFAULT_FROM_EMAIL="peer-networks@example.org",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        CELERY_CONCURRENCY="1",
        CELERY_BEAT_SCHEDULE=str(beat_schedule),
        LOG_LEVEL="INFO",
    )
    return env


def _beat_schedule_all_due(path: Path) -> None:
    """Beat's schedule file, written as if every entry last ran 40 days ago: beat finds
    each one due when it starts (its forced tick), then keeps the schedule as usual."""
    scheduler = PersistentScheduler(app=celery_app, schedule_filename=str(path), lazy=False)
    long_ago = timezone.now() - dt.timedelta(days=40)
    for entry in scheduler.schedule.values():
        entry.last_run_at = long_ago
    scheduler.sync()
    scheduler.close()


def _health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:
        return 0, {}


def _wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> dict:
    """/health/ answers 200 with the pages rendering and a worker's heartbeat (beat sent
    it, the worker ran it): all three processes are up."""
    deadline = time.monotonic() + STARTUP_SECONDS
    body: dict = {}
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the process set stopped:\n{log.read_text()[-4000:]}"
        status, body = _health(port)
        if status == 200 and body.get("pages") == "ok" and body.get("worker"):
            return body
        time.sleep(1)
    raise AssertionError(
        f"not serving after {STARTUP_SECONDS}s ({body}):\n{log.read_text()[-4000:]}"
    )


def _link(message, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({path}\S+/)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def _to(address: str, containing: str):
    return lambda m: m["To"] == address and containing in (m["Subject"] + text_of(m))


def test_the_process_set_serves_a_hub_from_registration_to_the_return(browser, tmp_path, settings):
    require_worker_services()
    # Passwords set here are checked by the servers: production's hashers, not the tests'.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    today = timezone.localdate()
    now = timezone.now().replace(second=0, microsecond=0)
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    gm = greater_manchester(
        month - dt.timedelta(days=90),
        today + dt.timedelta(days=240),
        admin=True,
        **REGISTERING,
    )
    cohort, admin = gm.cohort, gm.admin
    facilitator = make_user(
        Role.FACILITATOR, cohort=cohort, name="Fran Facilitator", email="fran@example.org"
    )
    members = gm.join(
        ["Ada Maker", "Ben Maker", "Cat Maker"],
        registered=month + dt.timedelta(days=2),
        joined=month + dt.timedelta(days=9),
        charter_signed_at=now - dt.timedelta(days=30),
        emails=True,
    )
    started = GroupSession.objects.create(
        cohort=cohort, key="s1", starts_at=now - dt.timedelta(hours=2), hours=Decimal("3")
    )
    coming = GroupSession.objects.create(
        cohort=cohort, key="s2", starts_at=now + dt.timedelta(days=3), hours=Decimal("3")
    )

    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    env = _environment(smtp, port, tmp_path / "celerybeat-schedule")
    _beat_schedule_all_due(tmp_path / "celerybeat-schedule")
    release = subprocess.run(
        ["scripts/release"],
        cwd=ROOT,
        env={**env, "SECURE_SSL_REDIRECT": "1", "CACHE_URL": settings.CELERY_BROKER_URL},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert release.returncode == 0, release.stdout + release.stderr
    log = tmp_path / "processes.log"
    started_at = time.monotonic()
    with log.open("wb") as output:
        processes = subprocess.Popen(
            [str(ROOT / ".venv/bin/honcho"), "start", "--procfile", "Procfile", "--no-colour"],
            cwd=ROOT,
            env={
                **env,
                "SECURE_SSL_REDIRECT": "0",
                "PATH": f"{ROOT / '.venv/bin'}:{env['PATH']}",
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(processes, port, log)
        # "localhost": Chromium keeps the Secure cookies of production settings (the
        # session, CSRF) on it over plain HTTP, as it would behind the TLS proxy.
        base_url = f"http://localhost:{port}"
        serving_after = time.monotonic() - started_at
        _journey(browser, base_url, smtp, admin, month)
        _sessions(browser, base_url, smtp, facilitator, started, coming, members)
    finally:
        os.killpg(processes.pid, signal.SIGTERM)
        processes.wait(timeout=60)
        smtp.stop()
    text = log.read_text()
    for process in ("web.1", "worker.1", "beat.1"):
        # honcho's lines: "08:42:37 system   | web.1 started", then "web.1    | ..."
        assert f"{process} started" in text, f"{process} never started:\n{text[-3000:]}"
        assert re.search(rf"^\S+ {re.escape(process)} +\| ", text, re.M), process
    assert "Traceback" not in text, text[-6000:]
    print(f"serving after {serving_after:.1f}s; {len(smtp.received)} emails through SMTP")


def _context(browser, base_url: str, phone: bool = False):
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 375, "height": 740} if phone else {"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(30_000)
    return context


def _journey(browser, base_url, smtp, admin, month) -> None:
    phone = _context(browser, base_url, phone=True).new_page()
    # 1. The public registration form.
    phone.goto("/p/register/gm/")
    phone.get_by_label("I have read the privacy notice").check()
    phone.get_by_role("button", name="Continue").click()
    fill_registration_details(phone)
    phone.get_by_role("button", name="Send registration").click()
    expect_text(phone, "Registration received")
    sam = Participant.objects.get(email="sam.owner@example.org")

    # 2. Eligibility, decided by the hub administrator.
    page = _context(browser, base_url).new_page()
    sign_in(page, admin)
    page.get_by_role("link", name="Registrations").first.click()
    record_eligible(page, "Sam Owner")
    sam.refresh_from_db()
    assert sam.eligibility_status == EligibilityStatus.ELIGIBLE

    # 3. The charter, emailed through SMTP by the web process and signed through its link.
    send_the_charter(page)
    charter = smtp.wait_for(_to("sam.owner@example.org", "/p/charter/"), "with the charter link")
    phone.goto(_link(charter, "/p/charter/"))
    sign_the_charter(phone)

    # 4. Allocated to the cohort.
    page.get_by_role("link", name="Cohorts").first.click()
    page.get_by_role("link", name="Salford autumn").click()
    page.get_by_role("button", name="Allocate Sam Owner").click()
    expect_text(page, "allocated to Salford autumn")

    # 5. Last month's draft, compiled by the worker when beat found it due; submitted,
    # then downloaded as the worker built it.
    deadline = time.monotonic() + 60
    while not MonthlyReturn.objects.filter(hub=sam.hub, month=month).exists():
        assert time.monotonic() < deadline, "the worker did not compile last month's draft"
        time.sleep(1)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Monthly returns").click()
    page.get_by_role("link", name=f"{month:%B %Y}").click()
    page.get_by_label("Supporting narrative").fill("Three businesses joined the Salford cohort.")
    page.get_by_role("button", name="Submit the return").click()
    expect_text(page, f"Version 1 of the return for {month:%B %Y} was submitted.")
    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_role("button", name="Prepare the download").click()
    download_link = page.get_by_role("link", name=re.compile(r"^Download .*\.xlsx$")).first
    deadline = time.monotonic() + 60
    while not download_link.count():
        assert time.monotonic() < deadline, "the worker did not build the workbook"
        time.sleep(2)
        page.reload()
    with page.expect_download() as download_info:
        download_link.click()
    cells = workbook_cells(download_info.value.path().read_bytes())
    assert any("Greater Manchester Growth Hub" in cell for cell in cells), cells[:40]


def _sessions(browser, base_url, smtp, facilitator, started, coming, members) -> None:
    page = _context(browser, base_url).new_page()
    sign_in(page, facilitator)
    hub = started.cohort.hub.key

    # 6. Joining instructions sent now: each member's email carries the invitation.
    page.goto(f"/facilitation/{hub}/sessions/{coming.code}/")
    page.get_by_role("button", name="Send now the joining instructions").click()
    expect_text(page, "Joining instructions sent to 4 members.")
    message = smtp.wait_for(_to("ada@example.org", "joining"), "with Ada's joining instructions")
    (invite,) = [
        part.get_content()
        for part in message.walk()
        if part.get_content_type() == "text/calendar" and part.get_filename()
    ]
    (event,) = Calendar.from_ical(invite).walk("VEVENT")
    assert event.decoded("dtstart") == coming.starts_at

    # 7. The register of the session that has started; the worker emails the feedback
    # survey, answered through its link.
    page.goto(f"/facilitation/{hub}/sessions/{started.code}/")
    page.get_by_role("link", name="Take the register").click()
    page.get_by_role("button", name="Save attendance").click()
    expect_text(page, "The attendance was saved.")
    survey = smtp.wait_for(_to("ben@example.org", "/p/survey/"), "with Ben's feedback survey")
    phone = _context(browser, base_url, phone=True).new_page()
    phone.goto(_link(survey, "/p/survey/"))
    phone.get_by_role("button", name="Start now").click()
    ben = members[1]
    invitation = SurveyInvitation.objects.get(participant=ben, kind=SurveyKind.SESSION_FEEDBACK)
    for survey_page in surveys.instrument_pages(invitation.instrument):
        _answer_page(phone, survey_page.questions)
        phone.get_by_role("button", name=re.compile("^Save and")).click()
        phone.wait_for_load_state("load")
    assert phone.url.endswith("/p/survey/check/"), phone.url
    phone.get_by_role("button", name="Send my answers").click()
    expect_text(phone, "Thank you")
    assert SurveyResponse.objects.filter(participant=ben, kind=SurveyKind.SESSION_FEEDBACK).exists()
