"""Changes reach people (issue 15): a session moved or cancelled after its joining
instructions (or the cohort's schedule) went out is sent again to everyone told before,
with the same iCalendar UID and a higher SEQUENCE, as an update (METHOD:REQUEST) or a
cancellation (METHOD:CANCEL); K7 judges the instructions for the session's current
start; the hub and the facilitator see who was told what and when; publishing a
cohort's schedule sends the whole schedule at the outset (K6), one email with every
session.

Tasks run as the embedded default runs them (in process, after commit): the services
enqueue with `delay_on_commit`, and the commit runs them here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from peernet.celery import app as celery_app
from rules import CHECKS, Outcome
from sessions.joining import joining_instructions_send
from sessions.models import GroupSession, JoiningInstructionsSent, NoticeKind, SessionStatus
from tests.factories import (
    date_fields,
    local,
    make_cohort_member,
    make_one_to_one,
    schedule_form,
    session_edit_url,
)

pytestmark = pytest.mark.django_db

START = "2021-10-19T09:30"


@pytest.fixture(autouse=True)
def in_process() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def world(personas):
    p = personas
    p.ben = make_cohort_member(p.cohort_a, first_name="Ben")
    p.session = GroupSession.objects.create(
        cohort=p.cohort_a, key="s-move", starts_at=local(START), hours=Decimal("3")
    )
    p.edit = session_edit_url(p.session)
    return p


def _calendar(message) -> str:
    [(_, content, mimetype)] = message.attachments
    assert mimetype == "text/calendar"
    return content.replace("\r\n ", "")  # unfold


def _field(calendar: str, name: str) -> list[str]:
    return re.findall(rf"^{name}:(.*)\r$", calendar, re.M)


def _move(client, world, day: str, time: str, *, at: str, capture) -> None:
    d, m, y = day.split("/")
    with time_machine.travel(local(at), tick=False), capture(execute=True):
        client.force_login(world.hub_a_admin)  # signed in then (sessions end when idle)
        response = client.post(
            world.edit,
            {"day_0": d, "day_1": m, "day_2": y, "start_time": time, "hours": "3"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]


def _instructions_sent(world, at: str) -> dict[str, str]:
    """The joining instructions as the K7 job sends them; each member's UID."""
    sent = joining_instructions_send(session_id=world.session.pk, now=local(at))
    assert sent == 2
    uids = {}
    for message in mail.outbox:
        calendar = _calendar(message)
        assert _field(calendar, "SEQUENCE") == ["0"]
        uids[message.to[0]] = _field(calendar, "UID")[0]
    mail.outbox.clear()
    return uids


def test_a_moved_session_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    client, world, django_capture_on_commit_callbacks
):
    uids = _instructions_sent(world, "2021-10-16T12:00")
    client.force_login(world.hub_a_admin)
    _move(client, world, "20/10/2021", "09:30", at="2021-10-17T12:00",
          capture=django_capture_on_commit_callbacks)  # fmt: skip

    assert sorted(m.to[0] for m in mail.outbox) == sorted(uids)
    for message in mail.outbox:
        calendar = _calendar(message)
        assert _field(calendar, "METHOD") == ["REQUEST"]
        assert _field(calendar, "UID") == [uids[message.to[0]]]  # the same event...
        assert _field(calendar, "SEQUENCE") == ["1"]  # ...updated
        assert _field(calendar, "DTSTART") == ["20211020T083000Z"]  # 09:30 BST
        assert _field(calendar, "STATUS") == ["CONFIRMED"]
        assert message.subject.startswith("Session moved:")
        assert "that was on Tuesday 19 October 2021, 09:30 to 12:30" in message.body
        assert "Wednesday 20 October 2021, 09:30 to 12:30" in message.body

    # K7 is judged for the new start: the update, 69.5 hours before it, is the notice.
    world.session.refresh_from_db()
    assert world.session.joining_instructions_sent_at == local("2021-10-17T12:00")
    result = CHECKS["K7"](world.session, as_of=local("2021-10-20T10:00"))
    assert result.outcome == Outcome.PASS

    # Who was told what and when, on the hub's page and the facilitator's.
    rows = JoiningInstructionsSent.objects.filter(session=world.session, kind=NoticeKind.UPDATE)
    assert {r.starts_at for r in rows} == {local("2021-10-20T09:30")}
    with time_machine.travel(local("2021-10-17T12:05"), tick=False):
        client.force_login(world.hub_a_admin)
        page = client.get(world.edit).content.decode()
        assert "Who was told what" in page and "Update: moved or changed" in page
        assert page.count("Joining instructions</td>") == 2
        client.force_login(world.facilitator)
        facilitation = reverse(
            "facilitation:session", kwargs={"hub": "hub-a", "code": world.session.code}
        )
        page = client.get(facilitation).content.decode()
        assert "Update: moved or changed" in page and world.ben.full_name in page


def test_moved_a_day_before_its_new_start_k7_is_late(
    client, world, django_capture_on_commit_callbacks
):
    _instructions_sent(world, "2021-10-16T12:00")
    client.force_login(world.hub_a_admin)
    # Moved on 19 October at 12:00 to 20 October 09:30: 21.5 hours' notice of the new time.
    _move(client, world, "20/10/2021", "09:30", at="2021-10-19T12:00",
          capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert len(mail.outbox) == 2
    world.session.refresh_from_db()
    result = CHECKS["K7"](world.session, as_of=local("2021-10-20T10:00"))
    assert result.outcome == Outcome.FAIL


def test_a_cancelled_session_sends_a_cancel(client, world, django_capture_on_commit_callbacks):
    uids = _instructions_sent(world, "2021-10-16T12:00")
    client.force_login(world.hub_a_admin)
    _move(client, world, "20/10/2021", "09:30", at="2021-10-17T12:00",
          capture=django_capture_on_commit_callbacks)  # fmt: skip
    mail.outbox.clear()
    with (
        time_machine.travel(local("2021-10-18T12:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.force_login(world.hub_a_admin)
        assert client.post(world.edit, {"cancel_session": "", "confirm": ""}).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(uids)
    for message in mail.outbox:
        calendar = _calendar(message)
        assert _field(calendar, "METHOD") == ["CANCEL"]
        assert _field(calendar, "UID") == [uids[message.to[0]]]
        assert _field(calendar, "SEQUENCE") == ["2"]
        assert _field(calendar, "STATUS") == ["CANCELLED"]
        assert message.subject.startswith("Session cancelled:")
    # Sent once: the task run again sends nothing more.
    from sessions.joining import session_change_notify

    again = session_change_notify(session_id=world.session.pk, sequence=2, now=local(START))
    assert again == 0 and len(mail.outbox) == 2


def test_a_change_before_anyone_was_told_sends_nothing(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.hub_a_admin)
    _move(client, world, "20/10/2021", "09:30", at="2021-10-01T12:00",
          capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert mail.outbox == []
    world.session.refresh_from_db()
    assert world.session.sequence == 1  # the calendar's next version, when it is sent


def test_publishing_the_schedule_sends_every_session_in_one_email(
    client, personas, django_capture_on_commit_callbacks
):
    p = personas
    cohort = p.cohort_a2  # participant_a2's
    client.force_login(p.hub_a_admin)
    url = reverse("hub:cohort-schedule", kwargs={"hub": "hub-a", "code": cohort.code})
    form = schedule_form(**date_fields("first_day", "5", "10", "2021"), location="Salford")
    with (
        time_machine.travel(local("2021-09-20T12:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {**form, "confirm": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    (message,) = mail.outbox
    assert message.to == [p.participant_a2.email]
    calendar = _calendar(message)
    assert calendar.count("BEGIN:VEVENT") == 6
    assert _field(calendar, "METHOD") == ["REQUEST"]
    assert _field(calendar, "SEQUENCE") == ["0"] * 6
    assert "Tuesday 5 October 2021, 09:30 to 12:30" in message.body
    assert JoiningInstructionsSent.objects.filter(kind=NoticeKind.SCHEDULE).count() == 6
    # The schedule is not the joining instructions: K7 still sends them 48 hours before.
    first = GroupSession.objects.filter(cohort=cohort).order_by("starts_at").first()
    assert first.joining_instructions_sent_at is None
    assert joining_instructions_send(session_id=first.pk, now=local("2021-10-03T09:00")) == 1
    uid = _field(calendar, "UID")[0]
    assert _field(_calendar(mail.outbox[-1]), "UID") == [uid]  # the same event, now detailed


def test_a_cancelled_one_to_one_sends_a_cancel(
    client, personas, django_capture_on_commit_callbacks
):
    from sessions.joining import one_to_one_joining_instructions_send
    from sessions.one_to_one.services import one_to_one_update

    p = personas
    one_to_one = make_one_to_one(
        p.participant_a, p.provider, starts_at=local("2021-10-20T14:00"), status="scheduled"
    )
    assert (
        one_to_one_joining_instructions_send(
            one_to_one_id=one_to_one.pk, now=local("2021-10-17T12:00")
        )
        == 1
    )
    uid = _field(_calendar(mail.outbox[0]), "UID")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        one_to_one_update(
            session=one_to_one,
            status=SessionStatus.CANCELLED,
            hours=one_to_one.hours,
            nature_of_support="",
            actions_agreed="",
            evidence="",
            by=p.provider,
            as_of=local("2021-10-18T12:00"),
        )
    (message,) = mail.outbox
    calendar = _calendar(message)
    assert (_field(calendar, "METHOD"), _field(calendar, "UID")) == (["CANCEL"], uid)
    assert _field(calendar, "SEQUENCE") == ["1"]
    assert message.subject.startswith("Cancelled: your one-to-one session")
