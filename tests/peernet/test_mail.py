"""Every kind of email, as a mail client reads it (issue 22; peernet.mail): parsed with
Python's `email` package and its calendar with `icalendar`. From names the hub ("<hub>
via Peer Networks") at the service's address; the words come as plain text and as the
same words in HTML; a session's invite is a `text/calendar; method=REQUEST` (or CANCEL)
alternative part, as RFC 6047 asks, and the `.ics` attachment; where the words ask the
reader to reply, Reply-To is the person who answers."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from decimal import Decimal
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser

import icalendar
import pytest
from django.conf import settings
from django.core import mail as outbox_mail
from django.urls import reverse

from participants.services import participant_send_charter
from participants.surveys import survey_invitation_send
from peernet import mail
from peernet.models import Role
from peernet.staff import staff_invite
from reporting.returns import send_reminder
from sessions.action_card_links import action_card_links_send
from sessions.attendance.services import participant_record_dropout
from sessions.joining import (
    cohort_schedule_send,
    joining_instructions_send,
    one_to_one_change_notify,
    one_to_one_joining_instructions_send,
    session_change_notify,
)
from sessions.models import Attendance, OneToOneRoute, SessionStatus
from sessions.quality import observation_book_and_notify
from tests.factories import (
    local,
    make_one_to_one,
    make_session,
    make_survey_invitation,
    make_user,
)

pytestmark = pytest.mark.django_db

NOW = local("2021-10-29T10:00")
SERVICE_ADDRESS = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


class _Words(HTMLParser):
    """The text of an HTML part, and its document's language and title."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.lang = ""
        self.title = ""
        self._in_title = False
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        self._in_title = tag == "title"
        if tag == "a":
            self.links.append(attrs["href"])

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        else:
            self.words += data.split()


def parse(message) -> EmailMessage:
    """The message as it leaves Django, read back as a mail client would."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def assert_readable(message, *, hub, reply_to: list[str] | None = None) -> EmailMessage:
    """From the hub at the service's address, Reply-To as given (or none), and a plain
    text part with an HTML part of the same words."""
    parsed = parse(message)
    [sender] = parsed["From"].addresses
    expected = f"{hub.name} via Peer Networks" if hub is not None else "Peer Networks"
    assert (sender.display_name, sender.addr_spec) == (expected, SERVICE_ADDRESS)
    if reply_to:
        assert [a.addr_spec for a in parsed["Reply-To"].addresses] == reply_to
    else:
        assert parsed["Reply-To"] is None
    alternative = next(p for p in parsed.walk() if p.get_content_type() == "multipart/alternative")
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds[:2] == ["text/plain", "text/html"]
    text = alternative.get_body(("plain",)).get_content()
    html = _Words()
    html.feed(alternative.get_body(("html",)).get_content())
    assert html.lang == "en-GB"
    assert html.title.split() == str(parsed["Subject"]).split()
    # The same words in the same order, a list's "- " marks being the HTML's list items.
    assert html.words == [word for word in text.split() if word != "-"]
    return parsed


def calendar_parts(parsed: EmailMessage) -> tuple[EmailMessage | None, EmailMessage]:
    """(the text/calendar alternative part or None, the .ics attachment)."""
    alternative = next(p for p in parsed.walk() if p.get_content_type() == "multipart/alternative")
    inline = [p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar"]
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_content_disposition() == "attachment"
    return (inline[0] if inline else None), attachment


def assert_invite(parsed: EmailMessage, method: str, *, status: str, sequence: int):
    """An iMIP invitation: the alternative part's method parameter is the calendar's
    METHOD (RFC 6047 2.4), the attachment holds the same calendar, one event."""
    inline, attachment = calendar_parts(parsed)
    assert inline is not None, "no text/calendar alternative part"
    assert inline.get_param("method") == method
    assert inline.get_content() == attachment.get_content()
    assert attachment.get_filename() == "invite.ics"
    calendar = icalendar.Calendar.from_ical(inline.get_content())
    assert calendar["METHOD"] == method
    [event] = calendar.walk("VEVENT")
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == (status, sequence)
    return event


@pytest.fixture
def future(personas):
    """Two sessions of cohort A to come, its facilitator and a hub administrator."""
    personas.hub_a.name = "Greater Manchester Growth Hub"
    personas.hub_a.save()
    personas.cohort_a.refresh_from_db()
    first = make_session(personas.cohort_a, "2021-11-01T09:30")
    second = make_session(personas.cohort_a, "2021-11-15T09:30")
    return personas, first, second


def test_a_session_invite_its_update_and_its_cancellation(future, mailoutbox):
    p, first, _ = future
    hub = p.hub_a
    assert joining_instructions_send(session_id=first.pk, now=NOW) == 1
    [message] = mailoutbox
    parsed = assert_readable(message, hub=hub)
    event = assert_invite(parsed, "REQUEST", status="CONFIRMED", sequence=0)
    assert event.decoded("DTSTART") == local("2021-11-01T09:30")
    assert str(event["ORGANIZER"]) == f"mailto:{SERVICE_ADDRESS}"
    assert str(event["ATTENDEE"]) == f"mailto:{p.participant_a.email}"

    # Moved: an update, the same UID, a higher SEQUENCE.
    first.starts_at, first.sequence = local("2021-11-02T09:30"), 1
    first.save(update_fields=["starts_at", "sequence"])
    assert session_change_notify(session_id=first.pk, sequence=1, now=NOW) == 1
    moved = assert_invite(
        assert_readable(mailoutbox[-1], hub=hub), "REQUEST", status="CONFIRMED", sequence=1
    )
    assert str(moved["UID"]) == str(event["UID"])

    # Cancelled: METHOD:CANCEL on the part and in the calendar.
    first.status, first.sequence = SessionStatus.CANCELLED, 2
    first.save(update_fields=["status", "sequence"])
    assert session_change_notify(session_id=first.pk, sequence=2, now=NOW) == 1
    cancelled = assert_invite(
        assert_readable(mailoutbox[-1], hub=hub), "CANCEL", status="CANCELLED", sequence=2
    )
    assert str(cancelled["UID"]) == str(event["UID"])


def test_the_schedule_is_an_attachment_of_every_session(future, mailoutbox):
    p, first, second = future
    assert cohort_schedule_send(cohort_id=p.cohort_a.pk, now=NOW) == 1
    [message] = mailoutbox
    parsed = assert_readable(message, hub=p.hub_a)
    inline, attachment = calendar_parts(parsed)
    # Several events are not one iTIP request: the calendar is offered to import.
    assert inline is None
    assert attachment.get_filename() == "schedule.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    starts = sorted(e.decoded("DTSTART") for e in calendar.walk("VEVENT"))
    assert starts == [first.starts_at, second.starts_at]


def test_a_one_to_one_asks_for_replies_to_its_provider(future, mailoutbox):
    p = future[0]
    one_to_one = make_one_to_one(
        p.participant_a, p.provider, starts_at=local("2021-11-01T14:00"), hours=Decimal("1.5")
    )
    assert one_to_one_joining_instructions_send(one_to_one_id=one_to_one.pk, now=NOW) == 1
    [message] = mailoutbox
    assert "reply to this email" in message.body
    parsed = assert_readable(message, hub=p.hub_a, reply_to=[p.provider.email])
    assert [a.addr_spec for a in parsed["Cc"].addresses] == [p.provider.email]
    event = assert_invite(parsed, "REQUEST", status="CONFIRMED", sequence=0)
    assert str(event["ORGANIZER"]) == f"mailto:{p.provider.email}"

    one_to_one.status, one_to_one.sequence = SessionStatus.CANCELLED, 1
    one_to_one.save(update_fields=["status", "sequence"])
    assert one_to_one_change_notify(one_to_one_id=one_to_one.pk, sequence=1, now=NOW) == 1
    parsed = assert_readable(mailoutbox[-1], hub=p.hub_a, reply_to=[p.provider.email])
    assert_invite(parsed, "CANCEL", status="CANCELLED", sequence=1)


def test_without_a_provider_replies_go_to_the_hub(future, mailoutbox):
    p = future[0]
    one_to_one = make_one_to_one(
        p.participant_a,
        None,
        starts_at=local("2021-11-01T14:00"),
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
    )
    assert one_to_one_joining_instructions_send(one_to_one_id=one_to_one.pk, now=NOW) == 1
    assert_readable(mailoutbox[0], hub=p.hub_a, reply_to=[p.hub_a_admin.email])


def test_an_observation_notice_asks_for_replies_to_the_hub(future, mailoutbox):
    p, first, _ = future
    observation_book_and_notify(
        session=first,
        observer=p.hub_a_admin,
        share_privacy_statement=True,
        by=p.hub_a_admin,
        now=NOW,
    )
    notice, statement = mailoutbox
    assert "reply to Greater Manchester Growth Hub" in notice.body
    assert_readable(notice, hub=p.hub_a, reply_to=[p.hub_a_admin.email])
    parsed = assert_readable(statement, hub=p.hub_a)
    # A list in the text is a list in the HTML.
    html = parsed.get_body(("html",)).get_content()
    assert html.count("<li>") == statement.body.count("\n- ")


def test_emails_with_links_and_no_calendar(future, mailoutbox):
    p = future[0]
    participant_send_charter(
        participant=p.participant_a, link=lambda token: f"https://x.test/{token}"
    )
    invitation = make_survey_invitation(
        p.participant_a, expires_at=dt.datetime(2021, 12, 1, tzinfo=dt.UTC)
    )
    assert survey_invitation_send(invitation_id=invitation.pk, now=NOW)
    assert send_reminder(p.hub_a.pk, "2021-10", now=local("2021-11-05T09:00")) == 1
    charter, survey, reminder = mailoutbox
    for message in (charter, survey, reminder):
        parsed = assert_readable(message, hub=p.hub_a)
        assert list(parsed.iter_attachments()) == []
        html = _Words()
        html.feed(parsed.get_body(("html",)).get_content())
        # Every web address in the words is a link in the HTML.
        assert html.links and all(link in message.body for link in html.links)


def test_the_password_reset_email_is_from_the_service(client, mailoutbox, personas):
    user = make_user("hub_admin", hub=personas.hub_a)
    user.set_password("correct horse battery staple")
    user.save()
    response = client.post(reverse("account:password-reset"), {"email": user.email})
    assert response.status_code == 302
    [message] = mailoutbox
    assert_readable(message, hub=None)


def test_the_sender_is_the_hub_via_the_service_at_its_address(personas, settings):
    settings.DEFAULT_FROM_EMAIL = "Peer Networks <peer-networks@example.org>"
    personas.hub_a.name = 'Zoë\'s "Growth" Hub'
    message = mail.message(subject="Hello", body="Hello.", to=["a@example.org"], hub=personas.hub_a)
    outbox_mail.outbox = []
    message.send()
    [sender] = parse(outbox_mail.outbox[0])["From"].addresses
    assert sender.display_name == 'Zoë\'s "Growth" Hub via Peer Networks'
    assert sender.addr_spec == "peer-networks@example.org"
    assert mail.address() == "peer-networks@example.org"


def test_the_html_part_escapes_and_links_the_words():
    html = mail.html_from_text(
        "Dear <b>Ann</b> & co,\n\nOpen https://x.test/p/a?b=1&c=2.\n- one\n- two\n\nBye",
        title="A & B",
    )
    assert "<title>A &amp; B</title>" in html
    assert "<p>Dear &lt;b&gt;Ann&lt;/b&gt; &amp; co,</p>" in html
    assert '<a href="https://x.test/p/a?b=1&amp;c=2">https://x.test/p/a?b=1&amp;c=2</a>.' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html


def test_staff_action_card_and_drop_out_emails(
    future, mailoutbox, django_capture_on_commit_callbacks
):
    p, first, _ = future
    with django_capture_on_commit_callbacks(execute=True):
        staff_invite(
            hub=p.hub_a,
            name="Nia Newcomer",
            email="nia@example.org",
            role=Role.HUB_ADMIN,
            by=p.hub_a_admin,
            absolute=lambda path: f"https://x.test{path}",
        )
    first.status = SessionStatus.DELIVERED
    first.save(update_fields=["status"])
    Attendance.objects.create(
        session=first, participant=p.participant_a, present=True, hours=Decimal("3")
    )
    assert (
        action_card_links_send(
            session=first, by=p.facilitator, link=lambda t: f"https://x.test/{t}"
        )
        == 1
    )
    participant_record_dropout(
        participant=p.participant_a,
        on=dt.date(2021, 11, 2),
        cause="other",
        reason="Moved abroad",
        by=p.hub_a_admin,
        today=dt.date(2021, 11, 3),
    )
    invitation, card, dropout = mailoutbox[:3]
    assert invitation.to == ["nia@example.org"] and card.to == [p.participant_a.email]
    assert p.hub_a_admin.email in dropout.to
    for message in (invitation, card, dropout):
        assert_readable(message, hub=p.hub_a)
