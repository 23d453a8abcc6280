"""The hub's one-to-ones list (/hub/<hub>/one-to-ones/) as a filtered list
(peernet.lists): each eligible participant's hours delivered by route against the 3.5
hour minimum; by provider, cohort, short of the minimum and name or business; sorted by
hours; bad values are messages and the whole list; the queries do not grow with rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Participant
from sessions.models import OneToOneRoute, SessionStatus
from tests.factories import (
    local,
    make_business,
    make_cohort_member,
    make_one_to_one,
    make_participant,
)
from tests.pages import list_refusing

pytestmark = pytest.mark.django_db

DELIVERED = SessionStatus.DELIVERED


def _url() -> str:
    return reverse("hub:one-to-ones", kwargs={"hub": "hub-a"})


def _world(personas):
    """participant_a (cohort A, the provider's): 1.5 programme + 2 existing delivered =
    3.5, met. participant_a2 (cohort A2, no provider assigned): 1 delivered (by the
    provider, standing in), 2 scheduled: short.
    `widget` (cohort A2, the provider's, of Widget Works): nothing: short. A pending
    registration and hub B's participant never show."""
    a, a2 = personas.participant_a, personas.participant_a2
    make_one_to_one(a, personas.provider, status=DELIVERED, hours=Decimal("1.5"))
    make_one_to_one(
        a,
        personas.provider,
        status=DELIVERED,
        hours=Decimal("2"),
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
        starts_at=local("2021-06-17T14:00"),
    )
    make_one_to_one(a2, personas.provider, status=DELIVERED, hours=Decimal("1"))
    make_one_to_one(
        a2,
        personas.provider,
        status=SessionStatus.SCHEDULED,
        hours=Decimal("2"),
        starts_at=local("2021-06-17T14:00"),
    )
    widget = make_cohort_member(
        personas.cohort_a2,
        last_name="Widget",
        business=make_business(name="Widget Works"),
        one_to_one_provider=personas.provider,
    )
    pending = make_participant(personas.hub_a, personas.programme, last_name="Pending")
    return widget, pending


def _rows(content: str, personas, widget, pending) -> list[str]:
    """Which participants are listed, in order, by their one-to-one page's address."""
    people = {
        "a": personas.participant_a,
        "a2": personas.participant_a2,
        "widget": widget,
        "pending": pending,
        "b": personas.participant_b,
    }
    found = []
    for name, person in people.items():
        url = reverse("hub:one-to-one", kwargs={"hub": person.hub.key, "code": person.code})
        if url in content:
            found.append((content.index(url), name))
    return [name for _, name in sorted(found)]


def test_hours_by_route_the_fewest_delivered_first(client, personas):
    widget, pending = _world(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_url()).content.decode()
    assert _rows(content, personas, widget, pending) == ["widget", "a2", "a"]
    assert "Showing 1 to 3 of 3" in content
    assert "No provider yet" in content  # participant_a2
    assert content.count(">Short</strong>") == 2


def test_filters_provider_cohort_short_and_search(client, personas):
    widget, pending = _world(personas)
    client.force_login(personas.hub_a_admin)
    for query, expected in (
        ({"provider": str(personas.provider.pk)}, ["widget", "a"]),
        ({"provider": "none"}, ["a2"]),
        ({"cohort": str(personas.cohort_a2.code)}, ["widget", "a2"]),
        ({"short": "yes"}, ["widget", "a2"]),
        ({"short": "yes", "provider": str(personas.provider.pk)}, ["widget"]),
        ({"q": "widget works"}, ["widget"]),
    ):
        content = client.get(_url(), query).content.decode()
        assert _rows(content, personas, widget, pending) == expected, query


def test_sorted_by_hours_and_the_state_round_trips_through_the_url(client, personas):
    widget, pending = _world(personas)
    client.force_login(personas.hub_a_admin)
    query = {"cohort": str(personas.cohort_a2.code), "sort": "-hours"}
    content = client.get(_url(), query).content.decode()
    assert _rows(content, personas, widget, pending) == ["a2", "widget"]
    assert 'aria-sort="descending"' in content
    assert f'href="?cohort={personas.cohort_a2.code}&amp;sort=hours"' in content
    assert f'value="{personas.cohort_a2.code}" selected' in content
    for n in range(55):
        make_cohort_member(personas.cohort_a2, last_name=f"More{n}")
    content = client.get(_url(), query).content.decode()
    assert "Showing 1 to 50 of 57" in content
    assert f"?cohort={personas.cohort_a2.code}&amp;sort=-hours&amp;page=2" in content
    page_two = client.get(_url(), {**query, "page": "2"}).content.decode()
    assert "Showing 51 to 57 of 57" in page_two
    # Ties (no hours) in the order's direction by record, the newest first: widget last.
    assert _rows(page_two, personas, widget, pending) == ["widget"]


def test_bad_values_are_messages_and_the_whole_list(client, personas):
    widget, pending = _world(personas)
    client.force_login(personas.hub_a_admin)
    for query, message in (
        ({"provider": str(personas.hub_b_admin.pk)}, "Select a provider from the list"),
        ({"cohort": str(personas.cohort_b.code)}, "Select a cohort from the list"),
        ({"short": "maybe"}, "Select whether short of the minimum hours"),
        ({"sort": "business"}, "Sort by one of the columns"),
    ):
        content = list_refusing(client, _url(), query, message)
        assert _rows(content, personas, widget, pending) == ["widget", "a2", "a"], query


def test_empty_states_say_what_to_do_next(client, personas):
    client.force_login(personas.hub_b_admin)
    empty_hub = reverse("hub:one-to-ones", kwargs={"hub": "hub-b"})
    Participant.objects.filter(pk=personas.participant_b.pk).update(
        eligibility_status="pending", eligibility_decided=None
    )
    content = client.get(empty_hub).content.decode()
    assert "No eligible participants yet. Decide eligibility" in content
    client.force_login(personas.hub_a_admin)
    content = client.get(_url(), {"q": "nobody by this name"}).content.decode()
    assert "No participants match these filters" in content


def test_queries_do_not_grow_with_rows(client, personas, django_assert_num_queries):
    _world(personas)
    client.force_login(personas.hub_a_admin)
    query = {"short": "yes", "sort": "hours"}
    with CaptureQueriesContext(connection) as before:
        assert client.get(_url(), query).status_code == 200
    for _ in range(4):  # the data doubled, and more
        person = make_cohort_member(personas.cohort_a, one_to_one_provider=personas.provider)
        make_one_to_one(person, personas.provider, status=DELIVERED)
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(_url(), query).status_code == 200
