"""The cohorts list (/hub/<hub>/cohorts/) as a filtered list (peernet.lists): search by
name, state (forming, running, completed as `cohort_state` says), facilitator; sorted by
name, planned start, members and hours delivered; bad values are messages and the whole
list; the queries do not grow with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.selectors import CohortState, cohort_state, hub_cohort_list
from peernet.models import Role
from sessions.models import SessionStatus
from tests.factories import make_cohort, make_cohort_member, make_session, make_user
from tests.pages import list_refusing

pytestmark = pytest.mark.django_db

DELIVERED = SessionStatus.DELIVERED


def _url() -> str:
    return reverse("hub:cohorts", kwargs={"hub": "hub-a"})


def _world(personas):
    """Cohort A (the facilitator's): 3 hours delivered, running. Cohort A2: nothing,
    forming. `Done`: six sessions of 3 delivered, 18 hours, completed, two members and
    starting 1 June. Hub B's cohort never shows."""
    make_session(personas.cohort_a, status=DELIVERED)
    done = make_cohort(
        personas.hub_a, personas.programme, name="Done cohort", planned_start=dt.date(2021, 6, 1)
    )
    for day in range(1, 7):
        make_session(done, f"2021-06-{day:02}T09:30", status=DELIVERED)
    make_cohort_member(done)
    make_cohort_member(done)
    return done


def _order(content: str, personas, done) -> list[str]:
    cohorts = {"a": personas.cohort_a, "a2": personas.cohort_a2, "done": done}
    cohorts["b"] = personas.cohort_b
    found = []
    for name, cohort in cohorts.items():
        url = reverse("hub:cohort", kwargs={"hub": cohort.hub.key, "code": cohort.code})
        if f'href="{url}"' in content:
            found.append((content.index(f'href="{url}"'), name))
    return [name for _, name in sorted(found)]


def test_the_state_filter_agrees_with_cohort_state(personas):
    _world(personas)
    today = dt.date(2021, 11, 5)
    for state in (CohortState.FORMING, CohortState.RUNNING, CohortState.COMPLETED):
        chosen = hub_cohort_list(
            hub=personas.hub_a, user=personas.hub_a_admin, today=today, state=state
        )
        every = hub_cohort_list(hub=personas.hub_a, user=personas.hub_a_admin, today=today)
        said = {
            c.pk
            for c in every
            if cohort_state(delivered=c.delivered_hours, needed=c.programme.cohort_hours) == state
        }
        assert {c.pk for c in chosen} == said and len(said) == 1, state


def test_search_state_and_facilitator(client, personas):
    done = _world(personas)
    client.force_login(personas.hub_a_admin)
    for query, expected in (
        ({"q": "done"}, ["done"]),
        ({"state": "Forming"}, ["a2"]),
        ({"state": "Running"}, ["a"]),
        ({"state": "Completed"}, ["done"]),
        ({"facilitator": str(personas.facilitator.pk)}, ["a"]),
    ):
        content = client.get(_url(), query).content.decode()
        assert _order(content, personas, done) == expected, query


def test_sorted_and_the_state_round_trips_through_the_url(client, personas):
    done = _world(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_url(), {"sort": "-delivered"}).content.decode()
    assert _order(content, personas, done) == ["done", "a", "a2"]
    assert 'aria-sort="descending"' in content
    content = client.get(_url(), {"sort": "-members", "q": "cohort"}).content.decode()
    assert _order(content, personas, done)[0] == "done"  # two members
    assert 'href="?q=cohort&amp;sort=members"' in content
    assert 'value="cohort"' in content  # the search box keeps the words
    assert "Showing 1 to 3 of 3" in content


def test_bad_values_are_messages_and_the_whole_list(client, personas):
    done = _world(personas)
    client.force_login(personas.hub_a_admin)
    for query, message in (
        ({"state": "Paused"}, "Select a state from the list"),
        ({"facilitator": str(personas.provider.pk)}, "Select a facilitator from the list"),
        ({"sort": "schedule"}, "Sort by one of the columns"),
    ):
        content = list_refusing(client, _url(), query, message)
        assert sorted(_order(content, personas, done)) == ["a", "a2", "done"], query


def test_empty_states_say_what_to_do_next(client, personas):
    _world(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_url(), {"q": "no such cohort"}).content.decode()
    assert "No cohorts match these filters" in content and "clear the filters" in content


def test_queries_do_not_grow_with_rows(client, personas, django_assert_num_queries):
    _world(personas)
    client.force_login(personas.hub_a_admin)
    query = {"state": "Running", "sort": "-delivered"}
    with CaptureQueriesContext(connection) as before:
        assert client.get(_url(), query).status_code == 200
    for n in range(4):  # the data doubled, and more
        cohort = make_cohort(personas.hub_a, personas.programme, name=f"More {n}")
        make_session(cohort, status=DELIVERED)
        make_cohort_member(cohort)
        make_user(Role.FACILITATOR, cohort=cohort)
    with django_assert_num_queries(len(before.captured_queries)):
        content = client.get(_url(), query).content.decode()
    assert "Showing 1 to 5 of 5" in content
