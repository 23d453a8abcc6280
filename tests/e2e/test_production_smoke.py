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
is submitted and downloaded as an XLSX workbook the worker built. Then the mail relay
goes away for a minute: the next joining instructions wait in the outbox, tried again on
their back-off, the hub administrator sees them waiting with the reason, K7 does not
count them; the relay comes back and each goes once, and K7 counts them.

The processes run with `SECURE_SSL_REDIRECT` off, as behind a proxy that terminates TLS
and redirects (the release step's `check --deploy` runs with it on, as on a server).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.conf import global_settings
from django.utils import timezone
from icalendar import Calendar

from participants import surveys
from participants.models import (
    EligibilityStatus,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from peernet.models import Role
from reporting.models import MonthlyReturn
from sessions.models import GroupSession, JoiningInstructionsSent
from tests import faults
from tests.celery_worker import require_worker_services
from tests.e2e.conftest import (
    REGISTERING,
    answer_survey_page,
    expect_text,
    greater_manchester,
    record_eligible,
    register_sam_owner,
    send_the_charter,
    sign_in,
    sign_the_charter,
    workbook_cells,
)
from tests.factories import make_user
from tests.smtp import SmtpServer, text_of

pytestmark = pytest.mark.django_db(transaction=True)


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
    later = GroupSession.objects.create(
        cohort=cohort, key="s3", starts_at=now + dt.timedelta(days=5), hours=Decimal("3")
    )

    smtp = SmtpServer()
    smtp.start()
    try:
        with faults.process_set(tmp_path, smtp, release=True) as processes:
            admin_page = _journey(browser, processes.base_url, smtp, admin, month)
            facilitator_page = _sessions(
                browser, processes.base_url, smtp, facilitator, started, coming, members
            )
            away = _mail_relay_away(smtp, admin_page, facilitator_page, later)
    finally:
        smtp.stop()
    serving_after = processes.serving_after
    log = processes.log
    text = log.read_text()
    for process in ("web.1", "worker.1", "beat.1"):
        # honcho's lines: "08:42:37 system   | web.1 started", then "web.1    | ..."
        assert f"{process} started" in text, f"{process} never started:\n{text[-3000:]}"
        assert re.search(rf"^\S+ {re.escape(process)} +\| ", text, re.M), process
    assert "Traceback" not in text, text[-6000:]
    print(
        f"serving after {serving_after:.1f}s; {len(smtp.received)} emails through SMTP; "
        f"the relay was away {away:.1f}s"
    )


def _context(browser, base_url: str, phone: bool = False):
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 375, "height": 740} if phone else {"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(30_000)
    return context


def _journey(browser, base_url, smtp, admin, month):
    """Steps 1 to 5; returns the hub administrator's page, signed in."""
    phone = _context(browser, base_url, phone=True).new_page()
    # 1. The public registration form.
    sam = register_sam_owner(phone)

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
    page.locator(".app-hub-navigation").get_by_role("link", name="Monthly returns").click()
    page.get_by_role("link", name=f"{month:%B %Y}").click()
    page.get_by_label("Supporting narrative").fill("Three businesses joined the Salford cohort.")
    page.get_by_role("button", name="Submit the return").click()
    page.get_by_role("button", name="Yes, submit the return").click()
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
    return page


def _sessions(browser, base_url, smtp, facilitator, started, coming, members):
    """Steps 6 and 7; returns the facilitator's page, signed in."""
    page = _context(browser, base_url).new_page()
    sign_in(page, facilitator)
    hub = started.cohort.hub.key

    # 6. Joining instructions sent now: each member's email carries the invitation.
    page.goto(f"/facilitation/{hub}/sessions/{coming.code}/")
    page.get_by_role("link", name="Preview and send now the joining instructions").click()
    page.get_by_role("button", name="Send the joining instructions to 4 members").click()
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
    # Everyone on the register (the members, and the applicant who joined) present for
    # the 3 hours: the register answers nobody until the facilitator does.
    present = page.locator("#register input[type=radio][value=present]")
    hours = page.locator("#register input[name^=hours-]")
    assert present.count() == hours.count() >= len(members)
    for row in range(present.count()):
        present.nth(row).check()
        hours.nth(row).fill("3")
    page.get_by_role("button", name="Save attendance").click()
    expect_text(page, "The attendance was saved.")
    survey = smtp.wait_for(_to("ben@example.org", "/p/survey/"), "with Ben's feedback survey")
    phone = _context(browser, base_url, phone=True).new_page()
    phone.goto(_link(survey, "/p/survey/"))
    phone.get_by_role("button", name="Start now").click()
    ben = members[1]
    invitation = SurveyInvitation.objects.get(participant=ben, kind=SurveyKind.SESSION_FEEDBACK)
    for survey_page in surveys.instrument_pages(invitation.instrument):
        answer_survey_page(phone, survey_page.questions)
        phone.get_by_role("button", name=re.compile("^Save and")).click()
        phone.wait_for_load_state("load")
    assert phone.url.endswith("/p/survey/check/"), phone.url
    phone.get_by_role("button", name="Send my answers").click()
    expect_text(phone, "Thank you")
    assert SurveyResponse.objects.filter(participant=ben, kind=SurveyKind.SESSION_FEEDBACK).exists()
    return page


RELAY_AWAY_SECONDS = 60


def _mail_relay_away(smtp, admin_page, page, later) -> float:
    """8. The SMTP relay goes away while joining instructions are sent; returns how long
    it was away."""
    received_before = len(smtp.received)
    smtp.stop()
    away_at = time.monotonic()
    hub = later.cohort.hub.key
    page.goto(f"/facilitation/{hub}/sessions/{later.code}/")
    page.get_by_role("link", name="Preview and send now the joining instructions").click()
    page.get_by_role("button", name="Send the joining instructions to 4 members").click()
    expect_text(page, "Joining instructions sent to 4 members.")
    notices = JoiningInstructionsSent.objects.filter(session=later)
    deadline = time.monotonic() + 60
    while notices.filter(email__attempts__gte=2).count() < 4:
        assert time.monotonic() < deadline, "the worker did not try the waiting emails twice"
        time.sleep(0.5)

    admin_page.goto(f"/hub/{hub}/cohorts/{later.cohort.code}/sessions/{later.code}/")
    expect_text(admin_page, "Waiting to send")
    expect_text(admin_page, "The mail server could not be reached")
    later.refresh_from_db()
    assert later.joining_instructions_sent_at is None  # K7: waiting is not sent
    # The relay stays away a full minute, the worker trying again on its back-off.
    time.sleep(max(0.0, RELAY_AWAY_SECONDS - (time.monotonic() - away_at)))
    assert len(smtp.received) == received_before
    assert notices.filter(email__attempts__gte=4, email__status="queued").count() == 4

    smtp.start()
    away = time.monotonic() - away_at
    deadline = time.monotonic() + 60
    while notices.filter(email__status="sent").count() < 4:
        assert time.monotonic() < deadline, "not every waiting email went when the relay came back"
        time.sleep(0.5)
    arrived = smtp.received[received_before:]
    assert sorted(m["To"] for m in arrived) == sorted(n.participant.email for n in notices)
    later.refresh_from_db()
    assert later.joining_instructions_sent_at is not None
    time.sleep(3)  # a retry due meanwhile would have sent a second copy by now
    assert len(smtp.received) == received_before + 4
    admin_page.reload()
    expect_text(admin_page, "Sent")
    return away
