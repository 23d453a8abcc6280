"""The hub's sessions list (/hub/<hub>/sessions/) as a filtered list (peernet.lists):
cohort, status (register missing: delivered, no attendance), dates; sorted by date;
bad values are messages and the whole list; the queries do not grow with rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Attendance, SessionStatus
from tests.factories import make_session, session_edit_url
from tests.pages import list_refusing

pytestmark = pytest.mark.django_db


def _url(hub: str = "hub-a") -> str:
    return reverse("hub:sessions", kwargs={"hub": hub})


def _some(personas):
    """Cohort A: 1 June delivered with a register, 8 June delivered without (register
    missing), 15 June scheduled; cohort A2: 3 June cancelled; hub B: 2 June delivered."""
    a = personas.cohort_a
    recorded = make_session(a, "2021-06-01T09:30", status=SessionStatus.DELIVERED)
    Attendance.objects.create(
        session=recorded, participant=personas.participant_a, present=True, hours=3
    )
    missing = make_session(a, "2021-06-08T09:30", status=SessionStatus.DELIVERED)
    scheduled = make_session(a, "2021-06-15T09:30")
    cancelled = make_session(personas.cohort_a2, "2021-06-03T09:30", status="cancelled")
    other = make_session(personas.cohort_b, "2021-06-02T09:30", status=SessionStatus.DELIVERED)
    return recorded, missing, scheduled, cancelled, other


def _shown(content: str, *sessions) -> list[bool]:
    return [session_edit_url(s) in content for s in sessions]


def test_every_session_of_the_hub_newest_first_each_linked_to_its_edit_page(client, personas):
    recorded, missing, scheduled, cancelled, other = _some(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_url()).content.decode()
    assert _shown(content, recorded, missing, scheduled, cancelled, other) == [
        True,
        True,
        True,
        True,
        False,  # another hub's never shows
    ]
    assert content.index("15 Jun") < content.index("8 Jun") < content.index("3 Jun")
    assert "Showing 1 to 4 of 4" in content
    assert "1 present, 0 absent" in content


def test_filters_cohort_status_register_missing_and_dates(client, personas):
    recorded, missing, scheduled, cancelled, _ = _some(personas)
    client.force_login(personas.hub_a_admin)
    every = (recorded, missing, scheduled, cancelled)
    content = client.get(_url(), {"status": "register_missing"}).content.decode()
    assert _shown(content, *every) == [False, True, False, False]
    content = client.get(_url(), {"status": "delivered"}).content.decode()
    assert _shown(content, *every) == [True, True, False, False]
    content = client.get(_url(), {"cohort": str(personas.cohort_a2.code)}).content.decode()
    assert _shown(content, *every) == [False, False, False, True]
    # London days, both ends included: 3 June to 8 June.
    query = {"date_from": "2021-06-03", "date_to": "2021-06-08"}
    content = client.get(_url(), query).content.decode()
    assert _shown(content, *every) == [False, True, False, True]


def test_sorted_by_date_and_the_state_round_trips_through_the_url(client, personas):
    recorded, missing, scheduled, _, _ = _some(personas)
    for n in range(60):  # a second page
        make_session(personas.cohort_a, f"2021-0{7 + n // 28}-{1 + n % 28:02d}T18:00")
    client.force_login(personas.hub_a_admin)
    query = {"cohort": str(personas.cohort_a.code), "date_from": "2021-06-01", "sort": "when"}
    content = client.get(_url(), query).content.decode()
    assert 'aria-sort="ascending"' in content
    assert "Showing 1 to 50 of 63" in content
    assert content.index(session_edit_url(recorded)) < content.index(session_edit_url(missing))
    state = f"cohort={personas.cohort_a.code}&amp;date_from=2021-06-01&amp;sort=when"
    assert f"?{state}&amp;page=2" in content  # the next page keeps every filter
    assert f'href="?cohort={personas.cohort_a.code}&amp;date_from=2021-06-01&amp;sort=-when"' in (
        content
    )
    page_two = client.get(_url(), {**query, "page": "2"}).content.decode()
    assert "Showing 51 to 63 of 63" in page_two
    assert 'value="2021-06-01"' in page_two  # the filter form shows the state
    assert session_edit_url(recorded) not in page_two


def test_bad_values_are_messages_and_the_whole_list(client, personas):
    sessions = _some(personas)[:4]
    client.force_login(personas.hub_a_admin)
    for query, message in (
        ({"status": "lost"}, "Select a status from the list"),
        ({"cohort": str(personas.cohort_b.code)}, "Select a cohort from the list"),
        ({"date_from": "2021-02-31"}, "Enter the from date as a real date"),
        ({"date_to": "yesterday"}, "Enter the to date as a real date"),
        (
            {"date_from": "2021-06-10", "date_to": "2021-06-01"},
            "The to date must be the same as or after the from date",
        ),
        ({"sort": "status"}, "Sort by one of the columns"),
    ):
        content = list_refusing(client, _url(), query, message)
        assert _shown(content, *sessions) == [True] * 4, query


def test_empty_states_say_what_to_do_next(client, personas):
    client.force_login(personas.hub_a_admin)
    content = client.get(_url()).content.decode()
    assert "No sessions yet. Schedule a cohort" in content
    _some(personas)
    content = client.get(_url(), {"date_from": "2030-01-01"}).content.decode()
    assert "No sessions match these filters" in content and "clear the filters" in content


def test_the_cockpit_links_its_registers_missing_to_the_filtered_list(client, personas):
    _some(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(reverse("hub:home", kwargs={"hub": "hub-a"})).content.decode()
    assert f'href="{_url()}?status=register_missing"' in content
    assert "1 register missing" in content


def test_queries_do_not_grow_with_rows(client, personas, django_assert_num_queries):
    _some(personas)
    client.force_login(personas.hub_a_admin)
    query = {"status": "delivered", "sort": "-when"}
    with CaptureQueriesContext(connection) as before:
        assert client.get(_url(), query).status_code == 200
    for n in range(1, 6):  # the data doubled, and more
        session = make_session(personas.cohort_a2, f"2021-05-{n:02d}T09:30", status="delivered")
        Attendance.objects.create(
            session=session, participant=personas.participant_a2, present=False, hours=0
        )
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(_url(), query).status_code == 200
