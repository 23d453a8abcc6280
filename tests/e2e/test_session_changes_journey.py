"""A session moved, then cancelled, after its joining instructions went out, in Chromium
(issue 15): each member receives an update whose invite has the same UID and a higher
SEQUENCE, then a cancellation (METHOD:CANCEL); K7 judges the instructions for the new
time; the page shows who was told what.

Tasks run in process, as in the one-command demo (the live server's thread sends the
emails into the test's outbox).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from peernet.celery import app as celery_app
from rules import CHECKS, Outcome
from sessions.joining import joining_instructions_send
from sessions.models import GroupSession, SessionStatus
from tests.e2e.conftest import expect_text, fill_date, greater_manchester, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_process():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _calendar(message) -> str:
    [(_, content, _)] = message.attachments
    return content.replace("\r\n ", "")


def _field(calendar: str, name: str) -> str:
    return re.search(rf"^{name}:(.*)\r$", calendar, re.M).group(1)


def test_moving_then_cancelling_a_session_tells_every_member(journey, in_process):
    today = timezone.localdate()
    gm = greater_manchester(
        today - dt.timedelta(days=60), today + dt.timedelta(days=300), admin=True
    )
    cohort, admin = gm.cohort, gm.admin
    members = gm.join(["Ada", "Ben"], registered=today, joined=today)
    start = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    start += dt.timedelta(days=3)
    session = GroupSession.objects.create(
        cohort=cohort, key="gm-s1", starts_at=start, hours=Decimal("3")
    )
    # The K7 job sent the joining instructions (48 hours before is still to come: early).
    assert joining_instructions_send(session_id=session.pk, now=timezone.now()) == 2
    uids = {m.to[0]: _field(_calendar(m), "UID") for m in mail.outbox}
    mail.outbox.clear()

    run = journey("session-changes")
    page = run.new_page()
    sign_in(page, admin)
    page.goto(f"/hub/gm/cohorts/{cohort.code}/")
    page.get_by_role("link", name=re.compile(r"^Change the session")).first.click()
    run.check(page, "change a session")
    new_day = (start + dt.timedelta(days=1)).date()
    fill_date(page, "day", new_day)
    page.get_by_role("button", name="Save changes").click()
    expect_text(page, "The session was changed.")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in members)
    for message in mail.outbox:
        calendar = _calendar(message)
        assert _field(calendar, "METHOD") == "REQUEST"
        assert _field(calendar, "UID") == uids[message.to[0]]
        assert _field(calendar, "SEQUENCE") == "1"
    session.refresh_from_db()
    moved_at = session.joining_instructions_sent_at
    assert moved_at is not None and session.starts_at.date() == new_day
    k7 = CHECKS["K7"](
        GroupSession.objects.select_related("cohort__programme").get(pk=session.pk),
        as_of=session.starts_at + dt.timedelta(hours=1),
    )
    assert k7.outcome == Outcome.PASS  # judged for the new start: sent when it moved

    page.get_by_role("link", name=re.compile(r"^Change the session")).first.click()
    expect_text(page, "Who was told what")
    expect_text(page, "Update: moved or changed")
    run.check(page, "who was told what")
    mail.outbox.clear()
    page.get_by_role("button", name="Cancel this session").click()
    # The first click only asks, saying what cancelling does; nothing has changed yet.
    expect_text(page, "Are you sure you want to cancel the session")
    run.check(page, "confirm the cancellation")
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED and not mail.outbox
    page.get_by_role("button", name="Yes, cancel this session").click()
    expect_text(page, "The session was cancelled.")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in members)
    for message in mail.outbox:
        calendar = _calendar(message)
        assert (_field(calendar, "METHOD"), _field(calendar, "STATUS")) == ("CANCEL", "CANCELLED")
        assert _field(calendar, "UID") == uids[message.to[0]]
        assert _field(calendar, "SEQUENCE") == "2"
