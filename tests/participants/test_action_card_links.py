"""K10: the participant fills their own action card through an emailed, signed, expiring
link (no password) that works once, for its one invitation (docs/security.md §14)."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.core import mail, signing

from participants.links import ACTION_CARD
from participants.services import participant_charter_link_issue
from sessions.action_card_links import (
    action_card_link_issue,
    action_card_links_send,
)
from sessions.action_cards import split_actions
from sessions.models import ActionCard, Attendance, SessionStatus
from tests.factories import make_cohort_member, make_session

pytestmark = pytest.mark.django_db

EDIT = "/p/action-card/"


def landing(token: str) -> str:
    return f"/p/action-card/{token}/"


def _present(session, participant, present=True):
    Attendance.objects.create(
        session=session,
        participant=participant,
        present=present,
        hours=session.hours if present else 0,
    )


@pytest.fixture
def world(personas):
    p = personas
    p.earlier = make_session(p.cohort_a, "2021-09-21T09:30", status=SessionStatus.DELIVERED)
    p.session = make_session(p.cohort_a, "2021-10-05T09:30", status=SessionStatus.DELIVERED)
    p.participant = p.participant_a
    _present(p.session, p.participant)
    return p


def _link(client, participant, session):
    return client.get(landing(action_card_link_issue(participant, session)))


def test_each_member_present_is_emailed_a_working_link(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    absent = make_cohort_member(world.cohort_a)
    _present(world.session, absent, present=False)

    sent = action_card_links_send(
        session=world.session, by=world.facilitator, link=lambda t: f"http://testserver{landing(t)}"
    )
    assert sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.participant.email]
    assert "14 days" in message.body
    url = re.search(r"http://testserver(/p/action-card/\S+/)", message.body).group(1)
    token = url.split("/")[-2]

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == EDIT  # the token is out of the URL
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(EDIT)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"  # no token here (participants/links.py)
    body = page.content.decode()
    assert world.participant.full_name in body
    assert "Actions agreed" in body
    assert token not in body
    assert token not in caplog.text


def test_fill_the_card_once_then_a_new_link_updates_it(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    ActionCard.objects.create(
        session=world.earlier, participant=world.participant, actions="Talk to the bank"
    )
    token = action_card_link_issue(world.participant, world.session)
    client.get(landing(token))
    page = client.get(EDIT)
    assert "Talk to the bank" in page.content.decode()  # last session's actions

    refused = client.post(EDIT, {"problem": "Cash flow", "actions": ""})
    assert refused.status_code == 200
    assert "Enter the actions you agreed" in refused.content.decode()
    assert not ActionCard.objects.filter(session=world.session).exists()

    done = client.post(
        EDIT, {"report_back": "Bank said no", "problem": "Cash flow", "actions": "Ring them"}
    )
    assert done.status_code == 302
    assert done["Location"] == EDIT
    card = ActionCard.objects.get(session=world.session)
    assert split_actions(card.actions) == ("Cash flow", "Ring them")
    assert card.report_back == "Bank said no"
    saved = client.get(EDIT).content.decode()
    assert "Your action card has been saved" in saved
    assert "Ring them" in saved and "Bank said no" in saved  # what was saved

    # docs/security.md §14: the link is spent. Opening it again, reading or writing, is refused.
    client.get(landing(token))
    again = client.get(EDIT)
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()
    assert "Ring them" not in again.content.decode()
    assert client.post(EDIT, {"actions": "Overwritten"}).status_code == 410
    assert split_actions(ActionCard.objects.get(session=world.session).actions)[1] == "Ring them"

    # A new link from the facilitator opens the same card, prefilled, to update it.
    client.get(landing(action_card_link_issue(world.participant, world.session)))
    assert "Ring them" in client.get(EDIT).content.decode()
    client.post(EDIT, {"report_back": "Bank said no", "problem": "Cash flow", "actions": "Ask"})
    card = ActionCard.objects.get(session=world.session)
    assert split_actions(card.actions)[1] == "Ask"
    assert ActionCard.objects.filter(session=world.session).count() == 1
    assert token not in caplog.text


def test_sending_the_links_again_stops_the_first_ones(client, world):
    def send():
        action_card_links_send(
            session=world.session,
            by=world.facilitator,
            link=lambda t: f"http://testserver{landing(t)}",
        )
        return re.search(r"http://testserver(/p/action-card/\S+/)", mail.outbox[-1].body).group(1)

    first, second = send(), send()
    client.get(first)
    page = client.get(EDIT)
    assert page.status_code == 410
    assert "This link has been replaced" in page.content.decode()
    assert world.participant.full_name not in page.content.decode()  # nothing read through it
    assert client.post(EDIT, {"actions": "Anything"}).status_code == 410
    assert not ActionCard.objects.exists()

    client.get(second)
    assert client.post(EDIT, {"actions": "Ring the bank"}).status_code == 302
    assert ActionCard.objects.get().actions.endswith("Ring the bank")


def test_markup_is_escaped(client, world):
    ActionCard.objects.create(
        session=world.earlier, participant=world.participant, actions="<script>x()</script>"
    )
    _link(client, world.participant, world.session)
    body = client.get(EDIT).content.decode()
    assert "<script>x()" not in body and "&lt;script&gt;x()" in body
    client.post(EDIT, {"problem": "<b>bold</b>", "actions": "<i>it</i>"})
    body = client.get(EDIT).content.decode()  # what was saved
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "<i>it</i>" not in body and "&lt;i&gt;it&lt;/i&gt;" in body


def bad_tokens(world) -> dict[str, str]:
    good = action_card_link_issue(world.participant, world.session)
    other_session = make_session(world.cohort_b, "2021-10-06T09:30", status="delivered")
    return {
        "tampered": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        "charter token": participant_charter_link_issue(participant=world.participant),
        "another purpose": signing.dumps(
            {"p": str(world.participant.code), "s": str(world.session.code)},
            salt="peernet.survey",
        ),
        "another session": action_card_link_issue(world.participant, other_session),
        "absent": action_card_link_issue(world.participant, world.earlier),
        "malformed": signing.dumps({"i": "nope"}, salt=ACTION_CARD.salt),
    }


@pytest.mark.parametrize(
    "case",
    ["tampered", "charter token", "another purpose", "another session", "absent", "malformed"],
)
def test_a_bad_token_gets_a_clear_page_and_writes_nothing(client, world, caplog, case):
    caplog.set_level(logging.DEBUG)
    if case == "absent":
        _present(world.earlier, world.participant, present=False)
    token = bad_tokens(world)[case]
    assert client.get(landing(token)).status_code == 302
    page = client.get(EDIT)
    assert page.status_code == 400
    assert "This link does not work" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert client.post(EDIT, {"actions": "Anything"}).status_code == 400
    assert not ActionCard.objects.exists()
    assert token not in caplog.text


SENT = dt.datetime(2021, 10, 5, 13, 0, tzinfo=dt.UTC)


def test_the_link_works_to_the_last_second_of_its_14_days(client, world):
    with time_machine.travel(SENT, tick=False):
        token = action_card_link_issue(world.participant, world.session)
    with time_machine.travel(SENT + dt.timedelta(days=14, seconds=-1), tick=False):
        client.get(landing(token))
        assert client.get(EDIT).status_code == 200


def test_an_expired_token_gets_a_clear_page(client, world):
    with time_machine.travel(SENT, tick=False):
        token = action_card_link_issue(world.participant, world.session)
    with time_machine.travel(SENT + dt.timedelta(days=14), tick=False):
        client.get(landing(token))
        page = client.get(EDIT)
        assert page.status_code == 410
        assert "This link has expired" in page.content.decode()
        assert client.post(EDIT, {"actions": "Anything"}).status_code == 410
    assert not ActionCard.objects.exists()


def test_no_token_in_the_session_gets_a_clear_page(client):
    page = client.get(EDIT)
    assert page.status_code == 400
    assert "This link does not work" in page.content.decode()
