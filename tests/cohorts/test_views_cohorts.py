"""The cohort list and the cohort builder: access, allocation, moves, creation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import Cohort, CohortMembership
from peernet.models import Role, RoleAssignment, RuleWarning
from tests.factories import (
    local,
    make_cohort,
    make_cohort_member,
    make_eligible,
    make_member,
    make_participant,
    make_session,
    make_user,
)
from tests.pages import HUB_OUTSIDERS, assert_pages_answer

pytestmark = pytest.mark.django_db

NOW = local("2021-06-15T10:00")


def _signed(participant):
    participant.charter_signed_at = local("2021-05-10T12:00")
    participant.charter_version = "2021-1"
    participant.save(update_fields=["charter_signed_at", "charter_version"])
    return participant


def _urls(p):
    hub, code = p.hub_a.key, p.cohort_a.code
    return [
        reverse("hub:cohorts", kwargs={"hub": hub}),
        reverse("hub:cohort", kwargs={"hub": hub, "code": code}),
        reverse("hub:cohort-schedule", kwargs={"hub": hub, "code": code}),
    ]


@time_machine.travel(NOW, tick=False)
def test_pages_for_the_hubs_admin(client, personas):
    assert_pages_answer(client, personas.hub_a_admin, _urls(personas), 200)


@pytest.mark.parametrize("who", HUB_OUTSIDERS)
def test_pages_are_404_for_others(client, personas, who):
    assert_pages_answer(client, getattr(personas, who), _urls(personas), 404)


def test_another_hubs_cohort_is_404(client, personas):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort", kwargs={"hub": "hub-a", "code": personas.cohort_b.code})
    assert client.get(url).status_code == 404


def test_anonymous_goes_to_log_in(client, personas):
    for url in _urls(personas):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_list_queries_do_not_grow_with_cohorts(client, personas, django_assert_num_queries):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohorts", kwargs={"hub": "hub-a"})
    client.get(url)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(4):
        cohort = make_cohort(personas.hub_a, personas.programme)
        make_session(cohort, status="delivered")
        make_cohort_member(cohort)
    # session, user, role scope, hub, facilitators (form), cohorts with hours and members.
    assert count() == before
    with django_assert_num_queries(before):
        client.get(url)


def test_list_shows_state_members_and_hours(client, personas):
    make_session(personas.cohort_a, hours=3, status="delivered")
    make_session(personas.cohort_a, "2021-06-15T09:30", hours=3)
    client.force_login(personas.hub_a_admin)
    page = client.get(reverse("hub:cohorts", kwargs={"hub": "hub-a"})).content.decode()
    assert personas.cohort_a.name in page
    assert "Running" in page and "Forming" in page
    assert "1 of 11" in page
    assert "At risk" in page
    assert personas.cohort_b.name not in page


def test_create_a_cohort_with_the_hubs_facilitator(client, personas):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohorts", kwargs={"hub": "hub-a"})
    response = client.post(url, {"name": "Salford spring", "facilitator": personas.facilitator.pk})
    cohort = Cohort.objects.get(name="Salford spring")
    assert response.status_code == 302
    assert cohort.hub == personas.hub_a and cohort.key.startswith("hub-a-")
    assert RoleAssignment.objects.filter(
        user=personas.facilitator, role=Role.FACILITATOR, cohort=cohort
    ).exists()


def test_create_refuses_another_hubs_facilitator_and_blank_name(client, personas):
    foreign = make_user(Role.FACILITATOR, cohort=personas.cohort_b)
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohorts", kwargs={"hub": "hub-a"})
    before = Cohort.objects.count()
    page = client.post(url, {"name": "X", "facilitator": foreign.pk}).content.decode()
    assert "Choose a facilitator of this hub" in page and "govuk-error-summary" in page
    page = client.post(url, {"name": "", "facilitator": ""}).content.decode()
    assert "Enter the cohort&#x27;s name" in page
    assert Cohort.objects.count() == before


@time_machine.travel(NOW, tick=False)
def test_waiting_list_and_balance(client, personas):
    waiting = make_eligible(make_participant(personas.hub_a, personas.programme))
    make_eligible(make_participant(personas.hub_b, personas.programme, last_name="Foreign"))
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    page = client.get(url).content.decode()
    assert waiting.full_name in page and "Not signed" in page
    assert "Foreign" not in page
    assert "10 to 49" in page  # the factory's business has 20 employees


@time_machine.travel(NOW, tick=False)
def test_allocate_from_the_waiting_list(client, personas):
    waiting = _signed(make_eligible(make_participant(personas.hub_a, personas.programme)))
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-allocate", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    response = client.post(url, {"participant": waiting.code})
    assert response.status_code == 302
    assert CohortMembership.objects.get(participant=waiting, left__isnull=True).cohort == (
        personas.cohort_a
    )


@time_machine.travel(NOW, tick=False)
def test_allocation_without_a_charter_is_refused_with_c1(client, personas):
    waiting = make_eligible(make_participant(personas.hub_a, personas.programme))
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-allocate", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    page = client.post(url, {"participant": waiting.code}).content.decode()
    assert "govuk-error-summary" in page
    assert "without a signed Participant Charter" in page
    assert not CohortMembership.objects.filter(participant=waiting).exists()


@time_machine.travel(NOW, tick=False)
def test_the_twelfth_is_refused_with_k1(client, personas):
    for _ in range(10):
        make_member(
            personas.cohort_a,
            _signed(make_eligible(make_participant(personas.hub_a, personas.programme))),
        )
    twelfth = _signed(make_eligible(make_participant(personas.hub_a, personas.programme)))
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-allocate", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    before = CohortMembership.objects.count()
    page = client.post(url, {"participant": twelfth.code}).content.decode()
    assert "has 12 participants; a cohort has at most 11." in page
    assert CohortMembership.objects.count() == before


@time_machine.travel(NOW, tick=False)
def test_another_hubs_participant_is_refused(client, personas):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-allocate", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    before = CohortMembership.objects.count()
    page = client.post(url, {"participant": personas.participant_b.code}).content.decode()
    assert "Choose a participant from the waiting list" in page
    assert CohortMembership.objects.count() == before


@time_machine.travel(NOW, tick=False)
def test_move_keeps_history_and_shows_k11(client, personas):
    _signed(personas.participant_a)
    make_session(personas.cohort_a2, "2021-06-01T09:30", status="delivered")
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-move", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    response = client.post(
        url,
        {"participant": personas.participant_a.code, "to_cohort": personas.cohort_a2.code},
        follow=True,
    )
    page = response.content.decode()
    spells = CohortMembership.objects.filter(participant=personas.participant_a).order_by("joined")
    assert [(s.cohort, s.left) for s in spells] == [
        (personas.cohort_a, dt.date(2021, 6, 15)),
        (personas.cohort_a2, None),
    ]
    assert "a moved participant joins a cohort at the start of its journey" in page
    assert RuleWarning.objects.filter(rule="K11").exists()


@time_machine.travel(NOW, tick=False)
def test_move_to_another_hubs_cohort_is_refused(client, personas):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohort-move", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    page = client.post(
        url, {"participant": personas.participant_a.code, "to_cohort": personas.cohort_b.code}
    ).content.decode()
    assert "Choose another cohort of this hub" in page
    assert CohortMembership.objects.get(participant=personas.participant_a).left is None


def test_a_cohort_is_created_with_its_delivery_partner_and_planned_start(client, personas):
    from peernet.models import DeliveryPartner

    partner = DeliveryPartner.objects.create(
        key="al-partners", hub=personas.hub_a, name="Action Learning Partners", service="both"
    )
    other = DeliveryPartner.objects.create(
        key="b-partners", hub=personas.hub_b, name="Hub B Partners", service="both"
    )
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:cohorts", kwargs={"hub": personas.hub_a.key})
    fields = {
        "name": "Salford 4",
        "planned_start_0": "11",
        "planned_start_1": "1",
        "planned_start_2": "2022",
    }
    # docs/security.md §4: another hub's partner is not a choice here.
    refused = client.post(url, {**fields, "delivery_partner": other.pk})
    assert "Choose a delivery partner of this hub" in refused.content.decode()
    assert not Cohort.objects.filter(name="Salford 4").exists()

    client.post(url, {**fields, "delivery_partner": partner.pk})
    cohort = Cohort.objects.get(name="Salford 4")
    assert cohort.delivery_partner == partner
    assert cohort.planned_start == dt.date(2022, 1, 11)
