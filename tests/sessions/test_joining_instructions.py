"""Joining instructions (K7, O5): the beat job, its idempotence, the one-to-one send and
the send-now button.

The session is at 09:30 on Monday 1 November 2021, after the clocks went back on
31 October: 09:30 GMT = 09:30 UTC. The 48-hour line (K7) is 48 *real* hours earlier,
09:30 UTC on Saturday 30 October — 10:30 BST on the wall clock, not 09:30. The job starts
sending SEND_AHEAD (one hour) before the line, at 08:30 UTC = 09:30 BST, so that beat's
15-minute ticks all fall before the deadline.
"""

from __future__ import annotations

import datetime as dt
from email import message_from_string

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import JoiningInstructions
from peernet import outbox
from peernet.models import Role
from rules import CHECKS, Outcome
from sessions import tasks
from sessions.joining import (
    joining_instructions_due,
    joining_instructions_send,
    one_to_one_joining_instructions_due,
    one_to_one_joining_instructions_send,
)
from sessions.models import GroupSession, JoiningInstructionsSent, SessionStatus
from tests.factories import (
    local,
    make_cohort,
    make_hub,
    make_member,
    make_one_to_one,
    make_participant,
    make_session,
    make_user,
)

UTC = dt.UTC
STARTS = "2021-11-01T09:30"
DEADLINE = dt.datetime(2021, 10, 30, 9, 30, tzinfo=UTC)  # K7: 48 real hours before
DUE_FROM = dt.datetime(2021, 10, 30, 8, 30, tzinfo=UTC)  # the job's first chance
ONE_SECOND = dt.timedelta(seconds=1)


def frozen(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def cohort(hub, programme):
    cohort = make_cohort(hub, programme, key="gm-3", name="Greater Manchester 3")
    JoiningInstructions.objects.create(
        cohort=cohort,
        platform="Zoom",
        link="https://zoom.example.org/j/123",
        dial_in="0131 000 0000, meeting 123",
        backup_plan="If Zoom fails, we move to the Teams link in your diary.",
        contact_name="Sam Jones",
        contact_details="07700 900123",
    )
    return cohort


@pytest.fixture
def session(cohort):
    return make_session(cohort, STARTS)


@pytest.fixture
def members(hub, programme, cohort):
    """Two current members; one who left on 1 November (so not at the session), one who
    dropped out, one who joins after the session, and one with no membership at all."""
    current = [make_participant(hub, programme, first_name=n) for n in ("Ann", "Ben")]
    for p in current:
        make_member(cohort, p)
    left = make_participant(hub, programme, first_name="Lee")
    make_member(cohort, left, left=dt.date(2021, 11, 1))
    dropped = make_participant(
        hub, programme, first_name="Dee", dropped_out_on=dt.date(2021, 10, 20)
    )
    make_member(cohort, dropped)
    late = make_participant(hub, programme, first_name="Lou")
    make_member(cohort, late, joined=dt.date(2021, 11, 2))
    make_participant(hub, programme, first_name="Nia")
    return current


@pytest.fixture
def run_queued(monkeypatch):
    """Run what the beat job enqueues in process, as a worker would after commit."""
    queued: list[tuple[str, int]] = []

    def queue(task):
        def delay_on_commit(object_id: int) -> None:
            queued.append((task.name, object_id))
            task.apply(args=[object_id]).get()

        return delay_on_commit

    for task in (
        tasks.joining_instructions_send_for_session,
        tasks.joining_instructions_send_for_one_to_one,
    ):
        monkeypatch.setattr(task, "delay_on_commit", queue(task))
    return queued


def run_job() -> int:
    return tasks.joining_instructions_send_due.apply().get()


def k7(session: GroupSession, as_of: dt.datetime):
    session = GroupSession.objects.select_related("cohort__programme").get(pk=session.pk)
    return CHECKS["K7"](session, as_of=as_of)


def invite(message) -> str:
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("invite.ics", "text/calendar")
    return content


# --- the beat job at the boundary --------------------------------------------------------


def test_just_before_the_send_window_nothing_is_due(session, members, run_queued, mailoutbox):
    with frozen(DUE_FROM - ONE_SECOND):
        assert run_job() == 0
    assert run_queued == []
    assert mailoutbox == []
    session.refresh_from_db()
    assert session.joining_instructions_sent_at is None


def test_at_the_start_of_the_window_every_current_member_is_sent(
    session, members, run_queued, mailoutbox
):
    with frozen(DUE_FROM):
        assert run_job() == 1
    assert run_queued == [("sessions.tasks.joining_instructions_send_for_session", session.pk)]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members)
    session.refresh_from_db()
    assert session.joining_instructions_sent_at == DUE_FROM
    assert JoiningInstructionsSent.objects.filter(session=session).count() == 2
    result = k7(session, DUE_FROM)
    assert result.outcome == Outcome.PASS, result.sentence
    assert result.sentence.startswith("Joining instructions were sent 49 hours before")


def test_exactly_at_the_48_hour_line_a_late_created_session_is_sent_and_passes_k7(
    cohort, members, run_queued, mailoutbox
):
    # Scheduled only now, exactly 48 real hours ahead: the job's first run still meets K7.
    with frozen(DEADLINE):
        session = make_session(cohort, STARTS)
        assert run_job() == 1
    assert len(mailoutbox) == 2
    result = k7(session, DEADLINE)
    assert result.outcome == Outcome.PASS, result.sentence


def test_one_second_past_the_48_hour_line_it_is_still_sent_but_k7_fails(
    cohort, members, run_queued, mailoutbox
):
    with frozen(DEADLINE + ONE_SECOND):
        session = make_session(cohort, STARTS)
        assert run_job() == 1
    assert len(mailoutbox) == 2
    assert k7(session, DEADLINE + ONE_SECOND).outcome == Outcome.FAIL


def test_the_deadline_is_real_hours_not_the_wall_clock(session, members, run_queued):
    # 09:30 BST on 30 October (08:30 UTC) is when sending starts; a wall-clock sum would
    # have said 48 hours before 09:30 on 1 November is 09:30 on 30 October and treated
    # that as the *deadline*, an hour early. 09:29 BST is one minute too early to send.
    with frozen(local("2021-10-30T09:29")):
        assert run_job() == 0
    with frozen(local("2021-10-30T09:30")):
        assert run_job() == 1


def test_running_the_job_twice_sends_one_email_per_member(session, members, run_queued, mailoutbox):
    with frozen(DUE_FROM):
        assert run_job() == 1
        assert run_job() == 0  # nothing left to send: not even enqueued
    with frozen(DUE_FROM + dt.timedelta(minutes=15)):
        assert run_job() == 0
        # A retried or duplicate task finds everyone recorded.
        assert tasks.joining_instructions_send_for_session.apply(args=[session.pk]).get() == 0
    assert len(mailoutbox) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members)
    session.refresh_from_db()
    assert session.joining_instructions_sent_at == DUE_FROM


def test_left_dropped_out_and_later_joiners_get_nothing(session, members, mailoutbox):
    with frozen(DUE_FROM):
        assert joining_instructions_send(session_id=session.pk, now=DUE_FROM) == 2
    assert {m.to[0] for m in mailoutbox} == {p.email for p in members}
    recorded = set(
        JoiningInstructionsSent.objects.filter(session=session).values_list(
            "participant__first_name", flat=True
        )
    )
    assert recorded == {"Ann", "Ben"}


def test_a_member_added_after_the_first_send_is_sent_on_the_next_run(
    hub, programme, cohort, session, members, run_queued, mailoutbox
):
    with frozen(DUE_FROM):
        run_job()
    newcomer = make_participant(hub, programme, first_name="Neo")
    make_member(cohort, newcomer, joined=dt.date(2021, 10, 30))
    later = DUE_FROM + dt.timedelta(minutes=15)
    with frozen(later):
        assert run_job() == 1
    assert [m.to[0] for m in mailoutbox[2:]] == [newcomer.email]
    assert JoiningInstructionsSent.objects.get(participant=newcomer).sent_at == later
    session.refresh_from_db()
    assert session.joining_instructions_sent_at == DUE_FROM  # K7 judges the first send


def test_a_cancelled_session_gets_nothing(session, members, run_queued, mailoutbox):
    GroupSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    with frozen(DEADLINE):
        assert run_job() == 0
        # Cancelled after it was queued: the task sends nothing.
        assert tasks.joining_instructions_send_for_session.apply(args=[session.pk]).get() == 0
    assert mailoutbox == []
    assert k7(session, DEADLINE).outcome == Outcome.NOT_APPLICABLE


def test_a_programme_with_a_longer_notice_is_due_earlier(hub, members, cohort, session, programme):
    programme.joining_instructions_hours = 72
    programme.save(update_fields=["joining_instructions_hours"])
    with frozen(DUE_FROM):
        assert joining_instructions_due(DUE_FROM) == [session]
    earlier = DUE_FROM - dt.timedelta(hours=24)
    assert joining_instructions_due(earlier) == [session]
    assert joining_instructions_due(earlier - ONE_SECOND) == []


def test_the_due_selector_is_two_queries(session, members, django_assert_num_queries):
    # 1 the longest notice over the programmes; 2 the sessions, with their programme,
    # filtered on an unsent expected member in the same query.
    with django_assert_num_queries(2):
        due = joining_instructions_due(DUE_FROM)
        assert [s.cohort.programme.joining_instructions_hours for s in due] == [48]


# --- the email ---------------------------------------------------------------------------


def test_the_email_carries_the_cohort_template_and_an_invite(session, members, mailoutbox):
    joining_instructions_send(session_id=session.pk, now=DUE_FROM)
    message = next(m for m in mailoutbox if m.to == [members[0].email])
    assert message.subject == (
        "Joining instructions: Greater Manchester 3, Monday 1 November 2021, 09:30 to 12:30 "
        "(UK time)"
    )
    for words in (
        "Dear Ann,",
        "Where: Zoom",
        "Link to join: https://zoom.example.org/j/123",
        "Dial-in: 0131 000 0000, meeting 123",
        "If the connection fails: If Zoom fails, we move to the Teams link in your diary.",
        "For connection problems, contact Sam Jones (07700 900123).",
    ):
        assert words in message.body
    text = invite(message)
    lines = text.replace("\r\n ", "").split("\r\n")
    assert f"UID:{session.code}-{members[0].code}@peernet" in lines
    assert "DTSTART:20211101T093000Z" in lines
    assert "DTEND:20211101T123000Z" in lines
    assert "DTSTAMP:20211030T083000Z" in lines
    assert "LOCATION:https://zoom.example.org/j/123" in lines
    assert f'ATTENDEE;CN="{members[0].full_name}"' in next(
        line for line in lines if line.startswith("ATTENDEE")
    )
    assert any(line.startswith("DESCRIPTION:Dear Ann\\,\\n") for line in lines)
    # The whole message is well-formed MIME with the calendar part in it.
    parsed = message_from_string(message.message().as_string())
    assert [p.get_content_type() for p in parsed.walk()][-1] == "text/calendar"


def test_without_a_template_the_email_still_makes_sense(hub, programme, members, mailoutbox):
    bare = make_cohort(hub, programme, name="Bare cohort")
    make_member(bare, make_participant(hub, programme, first_name="Bo"))
    session = make_session(bare, STARTS, location="Salford Innovation Forum")
    assert joining_instructions_send(session_id=session.pk, now=DUE_FROM) == 1
    [message] = mailoutbox
    assert "Where: Salford Innovation Forum" in message.body
    assert "If the connection fails: stay where you are" in message.body
    assert "For connection problems, contact Greater Manchester Growth Hub." in message.body
    assert "LOCATION:Salford Innovation Forum" in invite(message)


# --- one-to-ones (O5) -----------------------------------------------------------------------


@pytest.fixture
def provider(hub):
    return make_user(Role.ONE_TO_ONE_PROVIDER, hub=hub, name="Priya Patel")


@pytest.fixture
def one_to_one(hub, programme, provider):
    participant = make_participant(hub, programme, first_name="Omar", one_to_one_provider=provider)
    return make_one_to_one(participant, provider, starts_at=local(STARTS))


def test_a_one_to_one_at_the_boundary_gets_one_email_with_an_invite(
    one_to_one, provider, run_queued, mailoutbox
):
    with frozen(DUE_FROM - ONE_SECOND):
        assert one_to_one_joining_instructions_due(DUE_FROM - ONE_SECOND) == []
        assert run_job() == 0
    with frozen(DUE_FROM):
        assert run_job() == 1
        assert run_job() == 0
    assert tasks.joining_instructions_send_for_one_to_one.apply(args=[one_to_one.pk]).get() == 0
    [message] = mailoutbox
    assert message.to == [one_to_one.participant.email]
    assert message.cc == [provider.email]
    assert "With: Priya Patel" in message.body
    lines = invite(message).replace("\r\n ", "").split("\r\n")
    assert "DTSTART:20211101T093000Z" in lines
    assert "DTEND:20211101T110000Z" in lines  # 1.5 hours
    assert f'ORGANIZER;CN="Priya Patel":mailto:{provider.email}' in lines
    one_to_one.refresh_from_db()
    assert one_to_one.joining_instructions_sent_at == DUE_FROM
    o5 = CHECKS["O5"](one_to_one, as_of=DUE_FROM)
    assert o5.outcome == Outcome.PASS, o5.sentence


def test_a_cancelled_one_to_one_or_a_dropped_out_participant_gets_nothing(one_to_one, mailoutbox):
    participant = one_to_one.participant
    participant.dropped_out_on = dt.date(2021, 10, 1)
    participant.save(update_fields=["dropped_out_on"])
    assert one_to_one_joining_instructions_due(DUE_FROM) == []
    assert one_to_one_joining_instructions_send(one_to_one_id=one_to_one.pk, now=DUE_FROM) == 0
    assert mailoutbox == []


# --- sending by hand ------------------------------------------------------------------------

pytestmark_urls = pytest.mark.urls("tests.sessions.joining_urls")


def send_now_url(session: GroupSession, hub: str | None = None) -> str:
    hub = session.cohort.hub.key if hub is None else hub
    return reverse("facilitation:joining-instructions-send-now", args=[hub, session.code])


@pytestmark_urls
def test_the_facilitator_sends_early_with_one_click(client, cohort, session, members, mailoutbox):
    facilitator = make_user(Role.FACILITATOR, cohort=cohort)
    client.force_login(facilitator)
    early = dt.datetime(2021, 10, 25, 12, 0, tzinfo=UTC)
    with frozen(early):
        response = client.post(send_now_url(session), {"next": "/somewhere/"}, follow=False)
    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    assert len(mailoutbox) == 2
    session.refresh_from_db()
    assert session.joining_instructions_sent_at == early
    # The job later finds nothing to do.
    with frozen(DUE_FROM):
        assert joining_instructions_due(DUE_FROM) == []
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Joining instructions sent to 2 members."]


@pytestmark_urls
def test_the_hub_administrator_may_send(client, hub, session, members, mailoutbox):
    client.force_login(make_user(Role.HUB_ADMIN, hub=hub))
    with frozen(DUE_FROM):
        response = client.post(send_now_url(session), HTTP_REFERER="http://testserver/back/")
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/back/"
    assert len(mailoutbox) == 2


@pytestmark_urls
def test_off_site_next_is_ignored(client, cohort, session, members):
    client.force_login(make_user(Role.FACILITATOR, cohort=cohort))
    with frozen(DUE_FROM):
        response = client.post(send_now_url(session), {"next": "https://evil.example.org/"})
    assert response["Location"] == "/"


@pytestmark_urls
def test_other_facilitators_hubs_and_providers_get_404(
    client, hub, programme, session, members, mailoutbox
):
    other_cohort = make_cohort(hub, programme)
    other_hub = make_hub("lcr")
    outsiders = [
        make_user(Role.FACILITATOR, cohort=other_cohort),
        make_user(Role.HUB_ADMIN, hub=other_hub),
        make_user(Role.ONE_TO_ONE_PROVIDER, hub=hub),
        make_user(Role.FUNDER),
    ]
    for user in outsiders:
        client.force_login(user)
        with frozen(DUE_FROM):
            assert client.post(send_now_url(session)).status_code == 404, user
    # Nor does another hub's key in the address reach the session.
    client.force_login(make_user(Role.HUB_ADMIN, hub=other_hub))
    with frozen(DUE_FROM):
        assert client.post(send_now_url(session, hub=other_hub.key)).status_code == 404
    assert mailoutbox == []


@pytestmark_urls
def test_get_is_not_allowed(client, cohort, session, members, mailoutbox):
    client.force_login(make_user(Role.FACILITATOR, cohort=cohort))
    assert client.get(send_now_url(session)).status_code == 405
    assert mailoutbox == []


@pytestmark_urls
def test_anonymous_is_sent_to_log_in(client, session):
    response = client.post(send_now_url(session))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytestmark_urls
def test_a_cancelled_session_cannot_be_sent_by_hand(client, cohort, session, members, mailoutbox):
    GroupSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    client.force_login(make_user(Role.FACILITATOR, cohort=cohort))
    with frozen(DUE_FROM):
        response = client.post(send_now_url(session))
    assert response.status_code == 302
    assert mailoutbox == []
    assert [str(m) for m in response.wsgi_request._messages] == [
        "The session is cancelled: there is nothing to join."
    ]


def test_k7_counts_the_instructions_from_when_the_mail_server_accepts_them(session, members):
    """The instructions are queued at DUE_FROM (49 hours before the start); the mail
    server accepts the first member's 20 minutes later (on time), the second's only at
    the 48-hour line plus a second. K7 counts from the first acceptance; a run meanwhile
    queues nothing twice."""
    assert joining_instructions_send(session_id=session.pk, now=DUE_FROM) == 2
    session.refresh_from_db()
    assert session.joining_instructions_sent_at is None  # queued is not sent
    assert joining_instructions_send(session_id=session.pk, now=DUE_FROM) == 0
    first, second = JoiningInstructionsSent.objects.filter(session=session).order_by("pk")
    accepted = DUE_FROM + dt.timedelta(minutes=20)
    assert outbox.deliver(first.email_id, now=accepted) == "sent"
    assert outbox.deliver(second.email_id, now=DEADLINE + ONE_SECOND) == "sent"
    session.refresh_from_db()
    assert session.joining_instructions_sent_at == accepted
    assert k7(session, DEADLINE + ONE_SECOND).outcome == Outcome.PASS


def test_instructions_accepted_after_the_48_hour_line_are_late(session, members):
    assert joining_instructions_send(session_id=session.pk, now=DUE_FROM) == 2
    """Queued in time, but the mail server was away until a second past the line."""
    for record in JoiningInstructionsSent.objects.filter(session=session):
        outbox.deliver(record.email_id, now=DEADLINE + ONE_SECOND)
    session.refresh_from_db()
    assert session.joining_instructions_sent_at == DEADLINE + ONE_SECOND
    assert k7(session, DEADLINE + ONE_SECOND).outcome == Outcome.FAIL


def test_beat_runs_the_job_every_15_minutes() -> None:
    from peernet.celery import app

    entry = app.conf.beat_schedule["joining-instructions-send-due"]
    assert entry["task"] == tasks.joining_instructions_send_due.name
    assert entry["schedule"] == 15 * 60.0
    assert "risk-scan-all-hubs" in app.conf.beat_schedule  # the others are kept


# --- wording that fits the session's mode, a preview and a personal message --------------


def test_an_in_person_session_speaks_of_the_room_not_a_connection(
    cohort, session, members, mailoutbox
):
    # The cohort meets in a room: no link, dial-in or connection back-up plan.
    JoiningInstructions.objects.filter(cohort=cohort).update(
        mode="in_person", platform="Salford Innovation Forum, room 2", link="", dial_in="",
        backup_plan="",
    )  # fmt: skip
    assert joining_instructions_send(session_id=session.pk, now=DUE_FROM) == 2
    for message in mailoutbox:
        assert "Where: Salford Innovation Forum, room 2" in message.body
        assert "connection" not in message.body.lower()
        assert (
            "If anything changes on the day: your facilitator will tell you by email or phone "
            "before the session." in message.body
        )
        assert "If you cannot come, or are running late, contact Sam Jones (07700 900123)." in (
            message.body
        )


def test_a_personal_message_goes_above_the_instructions(session, members, mailoutbox):
    note = "Looking forward to seeing you all: bring this month's cash-flow question."
    joining_instructions_send(session_id=session.pk, now=DUE_FROM, note=f"  {note}\n")
    for message in mailoutbox:
        assert message.body.index(note) < message.body.index("Here are the joining instructions")


def preview_url(session: GroupSession) -> str:
    return reverse(
        "facilitation:joining-instructions-preview", args=[session.cohort.hub.key, session.code]
    )


def test_the_preview_shows_the_email_with_the_message_and_sends_nothing(
    client, cohort, session, members, mailoutbox
):
    client.force_login(make_user(Role.FACILITATOR, cohort=cohort))
    with frozen(DUE_FROM):
        page = client.get(preview_url(session), {"note": "See you Monday."}).content.decode()
    assert "Dear Ann," in page and "See you Monday." in page
    assert "If the connection fails: If Zoom fails" in page
    assert "Send the joining instructions to 2 members" in page
    assert 'name="note" value="See you Monday."' in page
    assert mailoutbox == [] and not JoiningInstructionsSent.objects.exists()
    with frozen(DUE_FROM):
        client.post(send_now_url(session), {"note": "See you Monday."})
    assert len(mailoutbox) == 2
    assert all("See you Monday." in m.body for m in mailoutbox)


def test_a_message_too_long_is_refused_and_sends_nothing(
    client, cohort, session, members, mailoutbox
):
    client.force_login(make_user(Role.FACILITATOR, cohort=cohort))
    with frozen(DUE_FROM):
        response = client.get(preview_url(session), {"note": "x" * 2001})
        assert response.status_code == 400
        assert "The message must be 2,000 characters or fewer" in response.content.decode()
        client.post(send_now_url(session), {"note": "x" * 2001})
    assert mailoutbox == []
