"""The registrations list's filters by eligibility decision, cohort and risk (the
return's two at-risk figures, as the cockpit and the return count them); the cockpit's
at-risk counts link to the filtered list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import EligibilityStatus
from reporting import kpi
from sessions.models import SessionStatus
from tests.factories import (
    local,
    make_cohort_member,
    make_one_to_one,
    make_participant,
    make_session,
)
from tests.pages import list_refusing

pytestmark = pytest.mark.django_db

NOVEMBER = local("2021-11-05T09:00")


def _list() -> str:
    return reverse("hub:registrations", kwargs={"hub": "hub-a"})


def _world(personas):
    """Cohort A has its 18 hours (six delivered sessions of 3); cohort A2 has none.
    participant_a (cohort A) has 3.5 one-to-one hours booked, participant_a2 (A2) none;
    `short` (cohort A) none; `booked` (A2) 3.5 hours; `pending` is in no cohort.
    So at risk of missing 3.5 hours: participant_a2 and short; members of cohorts at risk
    of missing 18 hours: participant_a2 and booked."""
    for day in range(1, 7):
        make_session(personas.cohort_a, f"2021-06-{day:02}T09:30", status=SessionStatus.DELIVERED)
    short = make_cohort_member(personas.cohort_a, last_name="Short")
    booked = make_cohort_member(personas.cohort_a2, last_name="Booked")
    for person in (personas.participant_a, booked):
        make_one_to_one(person, personas.provider, hours=Decimal("3.5"))
    pending = make_participant(personas.hub_a, personas.programme, last_name="Pending")
    return short, booked, pending


def _shown(content: str, *people) -> list[bool]:
    return [
        reverse("hub:participant", kwargs={"hub": "hub-a", "code": p.code}) in content
        for p in people
    ]


def test_the_risk_filters_hold_what_the_return_counts(client, personas):
    short, booked, pending = _world(personas)
    people = (personas.participant_a, personas.participant_a2, short, booked, pending)
    client.force_login(personas.hub_a_admin)
    with time_machine.travel(NOVEMBER, tick=False):
        figures = kpi.compute_hub(personas.hub_a, dt.date(2021, 11, 1))["figures"]
        one_to_one = client.get(_list(), {"risk": "one_to_one"}).content.decode()
        group = client.get(_list(), {"risk": "group"}).content.decode()
    assert figures["participants_at_risk_one_to_one"] == 2
    assert figures["cohorts_at_risk"] == 1  # cohort A2
    assert _shown(one_to_one, *people) == [False, True, True, False, False]
    assert "Showing 1 to 2 of 2" in one_to_one
    assert _shown(group, *people) == [False, True, False, True, False]


def test_outside_the_delivery_window_no_one_is_at_risk(client, personas):
    _world(personas)
    with time_machine.travel(local("2030-01-10T09:00"), tick=False):
        client.force_login(personas.hub_a_admin)
        content = client.get(_list(), {"risk": "one_to_one"}).content.decode()
    assert "No registrations match these filters" in content


def test_the_cockpit_links_its_at_risk_counts_to_the_filtered_list(client, personas):
    _world(personas)
    client.force_login(personas.hub_a_admin)
    with time_machine.travel(NOVEMBER, tick=False):
        content = client.get(reverse("hub:home", kwargs={"hub": "hub-a"})).content.decode()
    assert f'href="{_list()}?risk=one_to_one" data-people="participants_at_risk_one_to_one"' in (
        content
    )
    assert f'href="{_list()}?risk=group" data-people="cohorts_at_risk"' in content


def test_eligibility_and_cohort_filters_and_the_state_round_trips(client, personas):
    short, booked, pending = _world(personas)
    people = (personas.participant_a, personas.participant_a2, short, booked, pending)
    client.force_login(personas.hub_a_admin)
    content = client.get(_list(), {"eligibility": EligibilityStatus.PENDING}).content.decode()
    assert _shown(content, *people) == [False, False, False, False, True]
    query = {"cohort": str(personas.cohort_a2.code), "eligibility": "eligible", "sort": "name"}
    content = client.get(_list(), query).content.decode()
    assert _shown(content, *people) == [False, True, False, True, False]
    # Booked before Smith (participant_a2's last name), and the headings keep the filters.
    assert content.index("Alex Booked") < content.index(personas.participant_a2.full_name)
    state = f"eligibility=eligible&amp;cohort={personas.cohort_a2.code}"
    assert f'href="?{state}&amp;sort=-name"' in content
    assert f'value="{personas.cohort_a2.code}" selected' in content


def test_bad_values_are_messages_and_the_whole_list(client, personas):
    people = (personas.participant_a, personas.participant_a2, *_world(personas))
    client.force_login(personas.hub_a_admin)
    for query, message in (
        ({"risk": "everyone"}, "Select a risk from the list"),
        ({"cohort": str(personas.cohort_b.code)}, "Select a cohort from the list"),
        ({"eligibility": "maybe"}, "Select an eligibility decision from the list"),
    ):
        content = list_refusing(client, _list(), query, message)
        assert _shown(content, *people) == [True] * 5, query


def test_queries_do_not_grow_with_rows(client, personas, django_assert_num_queries):
    _world(personas)
    client.force_login(personas.hub_a_admin)
    query = {"risk": "group", "eligibility": "eligible", "sort": "name"}
    with time_machine.travel(NOVEMBER, tick=False):
        with CaptureQueriesContext(connection) as before:
            assert client.get(_list(), query).status_code == 200
        for n in range(6):  # the data doubled, and more
            make_cohort_member(personas.cohort_a2, last_name=f"More{n}")
        with django_assert_num_queries(len(before.captured_queries)):
            content = client.get(_list(), query).content.decode()
    assert "Showing 1 to 8 of 8" in content
