"""A cohort's joining details (K7), set on the hub's page or the facilitator's, carried by
every session's joining instructions and calendar invite (issue 15)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cohorts.models import JoiningInstructions
from cohorts.services import BACKUP_PLAN_DEFAULT
from peernet.models import AuditEvent
from sessions.joining import joining_instructions_send
from tests.factories import local, make_session

pytestmark = pytest.mark.django_db

DETAILS = {
    "mode": "online",
    "platform": "Microsoft Teams",
    "link": "https://teams.example.org/meet/abc",
    "dial_in": "0161 555 0100, code 123 456",
    "backup_plan": BACKUP_PLAN_DEFAULT,
    "contact_name": "Hana Admin",
    "contact_details": "0161 555 0199",
}


def _hub_url(p) -> str:
    return reverse("hub:joining-details", kwargs={"hub": "hub-a", "code": p.cohort_a.code})


def test_the_hub_sets_the_details_and_the_instructions_carry_them(client, personas):
    p = personas
    client.force_login(p.hub_a_admin)
    page = client.get(_hub_url(p)).content.decode()
    assert "first rejoin on the same link" in page  # the Playbook's protocol, to adapt

    response = client.post(_hub_url(p), DETAILS)
    assert response.status_code == 302
    details = JoiningInstructions.objects.get(cohort=p.cohort_a)
    assert (details.mode, details.link) == ("online", DETAILS["link"])
    assert AuditEvent.objects.filter(summary__startswith="Joining details of").exists()

    session = make_session(p.cohort_a, "2021-10-19T09:30")
    assert joining_instructions_send(session_id=session.pk, now=local("2021-10-16T12:00")) == 1
    (message,) = mail.outbox
    assert "How: Online" in message.body and DETAILS["link"] in message.body
    assert "0161 555 0100, code 123 456" in message.body
    assert "first rejoin on the same link" in message.body
    assert "Hana Admin (0161 555 0199)" in message.body
    invite = message.attachments[0][1].replace("\r\n ", "")
    assert f"URL:{DETAILS['link']}" in invite


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "online", "link": "", "dial_in": ""}, "Give the link to join, or a dial-in"),
        ({"mode": "in_person", "platform": ""}, "Give the place where the sessions are held"),
        ({"mode": "hybrid", "platform": ""}, "Give the place where the sessions are held"),
        ({"link": "teams dot com"}, "Enter the link in full, starting https://"),
        ({"backup_plan": ""}, "Say what to do if the session fails"),
        ({"contact_details": ""}, "Enter the contact&#x27;s phone number or email"),
    ],
)
def test_incomplete_details_are_refused_and_nothing_is_saved(client, personas, changes, message):
    client.force_login(personas.hub_a_admin)
    response = client.post(_hub_url(personas), {**DETAILS, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not JoiningInstructions.objects.exists()


def test_the_cohorts_facilitator_sets_them_too(client, personas):
    p = personas
    client.force_login(p.facilitator)
    url = reverse(
        "facilitation:joining-details", kwargs={"hub": "hub-a", "cohort": p.cohort_a.code}
    )
    home = client.get(reverse("facilitation:home")).content.decode()
    assert url in home
    assert (
        client.post(url, {**DETAILS, "mode": "in_person", "platform": "Salford Forum"}).status_code
        == 302
    )
    assert JoiningInstructions.objects.get(cohort=p.cohort_a).platform == "Salford Forum"
    # Another cohort's: a 404.
    other = reverse(
        "facilitation:joining-details", kwargs={"hub": "hub-a", "cohort": p.cohort_a2.code}
    )
    assert client.get(other).status_code == 404
