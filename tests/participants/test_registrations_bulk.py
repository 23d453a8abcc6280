"""Bulk actions from the registrations list (participants.bulk, bulk_views): a
confirmation first, then each person done or refused on their own, with the reason; an
audit event; nothing written for a refused person; another hub's people never reached."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from cohorts.models import CohortMembership
from peernet.models import AuditEvent
from tests.factories import local, make_eligible, make_member, make_participant
from tests.pages import HUB_OUTSIDERS

pytestmark = pytest.mark.django_db
NOW = local("2021-06-15T10:00")


def _url() -> str:
    return reverse("hub:registrations-bulk", kwargs={"hub": "hub-a"})


def _signed(participant):
    participant.charter_signed_at = local("2021-05-10T12:00")
    participant.charter_version = "2021-1"
    participant.save(update_fields=["charter_signed_at", "charter_version"])
    return participant


def _post(client, people, action, *, cohort=None, confirmed=False):
    data = {"participant": [str(p.code) for p in people], "action": action}
    if cohort is not None:
        data["cohort"] = str(cohort.code)
    if confirmed:
        data["confirmed"] = "True"
    return client.post(_url(), data)


def test_the_list_has_a_checkbox_a_row_and_the_actions(client, personas):
    client.force_login(personas.hub_a_admin)
    content = client.get(reverse("hub:registrations", kwargs={"hub": "hub-a"})).content.decode()
    assert f'name="participant" type="checkbox" value="{personas.participant_a.code}"' in content
    assert "Send the Participant Charter" in content and "Allocate to a cohort" in content
    assert f'action="{_url()}"' in content and "csrfmiddlewaretoken" in content


def test_charter_to_several_asks_first_then_sends_to_the_eligible_only(client, personas):
    eligible = [make_eligible(make_participant(personas.hub_a, personas.programme)) for _ in "ab"]
    pending = make_participant(personas.hub_a, personas.programme, last_name="Pending")
    signed = _signed(make_eligible(make_participant(personas.hub_a, personas.programme)))
    client.force_login(personas.hub_a_admin)
    people = [*eligible, pending, signed]

    page = _post(client, people, "charter").content.decode()
    assert "Send the Participant Charter to 4?" in page
    assert mail.outbox == []  # nothing is sent before the confirmation

    events = AuditEvent.objects.count()
    page = _post(client, people, "charter", confirmed=True).content.decode()
    assert 'data-done="2"' in page and 'data-refused="2"' in page
    assert f"{pending.full_name} is not eligible (their eligibility is not yet decided)." in page
    assert f"{signed.full_name} has already signed the Participant Charter." in page
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in eligible)
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == events + 1
    assert event.summary == "Participant Charter sent to 2 at once from the list (2 refused)"
    assert event.actor == personas.hub_a_admin


@time_machine.travel(NOW, tick=False)
def test_allocate_several_with_a_c1_and_a_k1_refusal(client, personas):
    cohort = personas.cohort_a2  # has participant_a2: room for 10 more
    for _ in range(9):
        make_member(
            cohort, _signed(make_eligible(make_participant(personas.hub_a, personas.programme)))
        )
    first = _signed(
        make_eligible(make_participant(personas.hub_a, personas.programme, last_name="Aa"))
    )
    unsigned = make_eligible(make_participant(personas.hub_a, personas.programme, last_name="Bb"))
    twelfth = _signed(
        make_eligible(make_participant(personas.hub_a, personas.programme, last_name="Cc"))
    )
    client.force_login(personas.hub_a_admin)
    people = [first, unsigned, twelfth]

    page = _post(client, people, "allocate", cohort=cohort).content.decode()
    assert f"Allocate 3 to {cohort.name}?" in page
    assert not CohortMembership.objects.filter(participant__in=people).exists()

    page = _post(client, people, "allocate", cohort=cohort, confirmed=True).content.decode()
    assert 'data-done="1"' in page and 'data-refused="2"' in page
    assert "without a signed Participant Charter" in page  # C1 for Bb
    assert "has 12 participants; a cohort has at most 11." in page  # K1 for Cc, the twelfth
    assert CohortMembership.objects.get(participant=first).cohort == cohort
    assert not CohortMembership.objects.filter(participant__in=[unsigned, twelfth]).exists()
    assert AuditEvent.objects.filter(
        summary=f"1 allocated to {cohort.name} at once from the list (2 refused)"
    ).exists()


def test_another_hubs_person_is_refused_and_nothing_is_done(client, personas):
    mine = make_eligible(make_participant(personas.hub_a, personas.programme))
    client.force_login(personas.hub_a_admin)
    response = _post(client, [mine, personas.participant_b], "charter", confirmed=True)
    assert response.status_code == 400
    assert "Select registrations from this hub&#x27;s list" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "charter"}, "Select at least one registration"),
        ({"action": "erase", "participant": "x"}, "Select an action from the list"),
        ({"action": "allocate"}, "Select the cohort to allocate them to"),
    ],
)
def test_bad_posts_are_clear_messages_and_change_nothing(client, personas, data, message):
    if "participant" in data or data["action"] == "allocate":
        data = {**data, "participant": str(personas.participant_a.code), "confirmed": "True"}
    client.force_login(personas.hub_a_admin)
    events = AuditEvent.objects.count()
    response = client.post(_url(), data)
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert AuditEvent.objects.count() == events and mail.outbox == []


@pytest.mark.parametrize("role", HUB_OUTSIDERS)
def test_the_bulk_page_is_404_for_others(client, personas, role):
    client.force_login(getattr(personas, role))
    response = _post(client, [personas.participant_a], "charter", confirmed=True)
    assert response.status_code == 404 and mail.outbox == []
