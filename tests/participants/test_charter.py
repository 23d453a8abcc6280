"""The Participant Charter (C1): sent by a signed, expiring link, signed in the browser."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.links import CHARTER
from participants.services import (
    CHARTER_VERSION,
    participant_charter_link_issue,
    participant_send_charter,
)
from rules import CHECKS, Outcome
from tests.factories import local
from tests.pages import HUB_OUTSIDERS

pytestmark = pytest.mark.django_db


def status_url(participant) -> str:
    return reverse("hub:charter", kwargs={"hub": participant.hub.key, "code": participant.code})


def send_url(participant) -> str:
    return reverse(
        "hub:charter-send", kwargs={"hub": participant.hub.key, "code": participant.code}
    )


SIGN = "/p/charter/"


@pytest.fixture
def participant(personas):
    p = personas.participant_a2
    p.memberships.all().delete()  # not yet allocated
    return p


def test_the_hubs_administrator_sees_the_status_and_sends_the_link(client, personas, participant):
    client.force_login(personas.hub_a_admin)
    page = client.get(status_url(participant))
    assert page.status_code == 200
    assert "Not signed" in page.content.decode()
    response = client.post(send_url(participant))
    assert response.status_code == 302
    assert response["Location"] == status_url(participant)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [participant.email]
    link = re.search(r"http://testserver/p/charter/\S+/", message.body)
    assert link is not None
    assert "14 days" in message.body


@pytest.mark.parametrize("who", HUB_OUTSIDERS)
def test_anyone_but_the_hubs_administrator_gets_404(client, personas, participant, who):
    client.force_login(getattr(personas, who))
    assert client.get(status_url(participant)).status_code == 404
    assert client.post(send_url(participant)).status_code == 404
    assert mail.outbox == []


def test_anonymous_is_sent_to_sign_in(client, participant):
    for response in (client.get(status_url(participant)), client.post(send_url(participant))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_sending_is_post_only(client, personas, participant):
    client.force_login(personas.hub_a_admin)
    assert client.get(send_url(participant)).status_code == 405


def landing(token: str) -> str:
    return reverse("public:charter", kwargs={"token": token})


def test_the_participant_signs_through_a_clean_url(client, participant, caplog):
    caplog.set_level(logging.DEBUG)
    token = participant_charter_link_issue(participant=participant)
    response = client.get(landing(token))
    assert response.status_code == 302
    assert response["Location"] == SIGN
    assert response["Referrer-Policy"] == "no-referrer"

    page = client.get(SIGN)
    assert page.status_code == 200
    # The clean URL carries no token; `no-referrer` here would make browsers post the form
    # with `Origin: null`, which the CSRF check refuses (participants/links.py).
    assert page["Referrer-Policy"] == "same-origin"
    body = page.content.decode()
    assert participant.full_name in body
    assert "I agree to the Participant Charter" in body
    assert "18 hours" in body
    assert token not in body

    # Not ticking the box: a GOV.UK error, nothing stored.
    refused = client.post(SIGN, {})
    assert refused.status_code == 200
    assert 'href="#id_agree"' in refused.content.decode()
    assert "Tick the box to agree to the Participant Charter" in refused.content.decode()
    participant.refresh_from_db()
    assert participant.charter_signed_at is None

    before = dt.datetime.now(dt.UTC)
    done = client.post(SIGN, {"agree": "on"})
    assert done.status_code == 302
    assert done["Location"] == reverse("public:charter-signed")
    participant.refresh_from_db()
    assert participant.charter_version == CHARTER_VERSION == "2021-1"
    assert participant.charter_signed_at >= before
    assert "You have signed" in client.get(done["Location"]).content.decode()

    # C1 now passes, so the participant may be allocated.
    result = CHECKS["C1"](participant, as_of=local("2021-06-01T09:00"))
    assert result.outcome == Outcome.PASS

    # The link is spent: a clear page, nothing changed.
    signed_at = participant.charter_signed_at
    client.get(landing(token))
    again = client.get(SIGN)
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()
    participant.refresh_from_db()
    assert participant.charter_signed_at == signed_at
    assert token not in caplog.text


def bad_tokens(participant) -> dict[str, tuple[str, int, str]]:
    good = participant_charter_link_issue(participant=participant)
    return {
        "tampered": (
            good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
            400,
            "does not work",
        ),
        "another purpose": (
            signing.dumps({"p": str(participant.code)}, salt="peernet.survey"),
            400,
            "does not work",
        ),
        "not a link": (
            signing.dumps({"i": "nope"}, salt=CHARTER.salt),
            400,
            "does not work",
        ),
    }


def assert_signing_refused(client, participant, status: int, words: str):
    """The signing page says `words` with `status`, its form is refused the same way, and the
    charter stays unsigned. Returns the page."""
    page = client.get(SIGN)
    assert page.status_code == status
    assert words in page.content.decode()
    assert client.post(SIGN, {"agree": "on"}).status_code == status
    participant.refresh_from_db()
    assert participant.charter_signed_at is None
    return page


@pytest.mark.parametrize("case", ["tampered", "another purpose", "not a link"])
def test_a_bad_token_gets_a_clear_page_and_changes_nothing(client, participant, caplog, case):
    caplog.set_level(logging.DEBUG)
    token, status, words = bad_tokens(participant)[case]
    assert client.get(landing(token)).status_code == 302
    page = assert_signing_refused(client, participant, status, words)
    assert page["Referrer-Policy"] == "no-referrer"
    assert token not in caplog.text


SENT = dt.datetime(2021, 6, 1, 9, 0, tzinfo=dt.UTC)


def test_the_link_works_to_the_last_second_of_its_14_days(client, participant):
    with time_machine.travel(SENT, tick=False):
        token = participant_charter_link_issue(participant=participant)
    with time_machine.travel(SENT + dt.timedelta(days=14, seconds=-1), tick=False):
        client.get(landing(token))
        assert client.get(SIGN).status_code == 200


def test_an_expired_token_gets_a_clear_page(client, participant):
    with time_machine.travel(SENT, tick=False):
        token = participant_charter_link_issue(participant=participant)
    with time_machine.travel(SENT + dt.timedelta(days=14), tick=False):
        client.get(landing(token))
        assert_signing_refused(client, participant, 410, "This link has expired")


def test_sending_the_charter_again_stops_the_first_link(client, personas, participant):
    # docs/security.md §14: a link works for its one invitation; the newer one supersedes it.
    client.force_login(personas.hub_a_admin)
    client.post(send_url(participant))
    client.post(send_url(participant))
    first, second = (
        re.search(r"http://testserver(/p/charter/\S+/)", m.body).group(1) for m in mail.outbox
    )
    client.logout()
    client.get(first)
    assert_signing_refused(client, participant, 410, "This link has been replaced")

    client.get(second)
    assert client.post(SIGN, {"agree": "on"}).status_code == 302
    participant.refresh_from_db()
    assert participant.charter_signed_at is not None


def test_a_charter_signed_another_way_closes_every_link(client, participant):
    from participants.services import participant_sign_charter

    token = participant_charter_link_issue(participant=participant)
    participant_sign_charter(participant=participant, version="2021-1", signed_at=SENT)
    client.get(landing(token))
    page = client.get(SIGN)
    assert page.status_code == 410
    assert "You signed the Participant Charter on 1 June 2021" in page.content.decode()


def test_no_token_in_the_session_gets_a_clear_page(client):
    page = client.get(SIGN)
    assert page.status_code == 400
    assert "This link does not work" in page.content.decode()


@pytest.mark.parametrize(
    ("status", "why"),
    [
        ("pending", "{name}&#x27;s eligibility is not yet decided"),
        ("ineligible", "{name} was found not eligible"),
    ],
)
def test_the_charter_is_not_sent_to_someone_not_eligible(
    client, personas, participant, status, why
):
    participant.eligibility_status = status
    if status == "pending":
        participant.eligibility_decided = None
    participant.save(update_fields=["eligibility_status", "eligibility_decided"])
    client.force_login(personas.hub_a_admin)
    sentence = "The charter is sent only to eligible participants: " + why.format(
        name=participant.full_name
    )
    page = client.get(status_url(participant)).content.decode()
    assert sentence in page
    assert "Send the charter link" not in page
    response = client.post(send_url(participant), follow=True)
    assert sentence in response.content.decode()
    assert mail.outbox == []
    assert not participant.links.exists()


def test_the_service_refuses_the_charter_to_someone_not_eligible(participant):
    participant.eligibility_status = "ineligible"
    participant.save(update_fields=["eligibility_status"])
    with pytest.raises(ValidationError, match="was found not eligible"):
        participant_send_charter(participant=participant, link=lambda token: token)
    assert mail.outbox == []
