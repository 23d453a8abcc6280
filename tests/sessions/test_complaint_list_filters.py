"""The complaints list as a filtered list (peernet.lists): search, kind, open or closed,
sorted by date received; bad values are messages; the queries do not grow with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Complaint
from tests.pages import list_refusing

pytestmark = pytest.mark.django_db


def _url() -> str:
    return reverse("hub:complaints", kwargs={"hub": "hub-a"})


def _complaint(hub, n: int, *, kind="complaint", resolved=None, received_from="", summary=""):
    return Complaint.objects.create(
        key=f"c-{hub.key}-{n}",
        hub=hub,
        kind=kind,
        received=dt.date(2021, 6, 1) + dt.timedelta(days=n),
        received_from=received_from,
        summary=summary or f"Summary number {n}",
        action_taken="Called back" if resolved else "",
        resolved=resolved,
    )


def _some(personas):
    _complaint(personas.hub_a, 1, summary="The room was cold", received_from="Ann Ames")
    _complaint(personas.hub_a, 2, kind="compliment", summary="A lovely session")
    _complaint(
        personas.hub_a, 3, summary="Late start", resolved=dt.date(2021, 6, 20), received_from="Bo"
    )
    _complaint(personas.hub_b, 4, summary="The room was cold in hub B")


def test_search_kind_and_state(client, personas):
    _some(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_url(), {"q": "cold"}).content.decode()
    assert "The room was cold" in content and "Late start" not in content
    assert "hub B" not in content  # another hub's never shows
    content = client.get(_url(), {"q": "ann ames"}).content.decode()
    assert "The room was cold" in content and "A lovely session" not in content
    content = client.get(_url(), {"kind": "compliment"}).content.decode()
    assert "A lovely session" in content and "The room was cold" not in content
    content = client.get(_url(), {"state": "closed"}).content.decode()
    assert "Late start" in content and "The room was cold" not in content
    assert "3 recorded, 2 open." in content  # the counts are the hub's, not the filter's


def test_sorted_by_date_received_keeps_the_filter(client, personas):
    _some(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_url(), {"kind": "complaint", "sort": "-received"}).content.decode()
    assert content.index("Late start") < content.index("The room was cold")
    assert 'aria-sort="descending"' in content
    assert 'href="?kind=complaint&amp;sort=received"' in content
    content = client.get(_url(), {"kind": "complaint", "sort": "received"}).content.decode()
    assert content.index("The room was cold") < content.index("Late start")


def test_bad_values_are_messages_and_the_whole_list(client, personas):
    _some(personas)
    client.force_login(personas.hub_a_admin)
    sort = list_refusing(client, _url(), {"sort": "summary"}, "Sort by one of the columns")
    state = list_refusing(client, _url(), {"state": "deleted"}, "Select open, closed or both")
    for content in (sort, state):
        assert "Late start" in content and "A lovely session" in content


def test_empty_states(client, personas):
    client.force_login(personas.hub_a_admin)
    assert "No complaints or compliments have been recorded" in client.get(_url()).content.decode()
    _some(personas)
    content = client.get(_url(), {"q": "nothing like this"}).content.decode()
    assert "None match these filters" in content


def test_queries_do_not_grow_with_rows(client, personas, django_assert_num_queries):
    _some(personas)
    client.force_login(personas.hub_a_admin)
    client.get(_url())
    with CaptureQueriesContext(connection) as before:
        assert client.get(_url(), {"q": "o", "sort": "received"}).status_code == 200
    for n in range(10, 40):
        _complaint(personas.hub_a, n, summary=f"Another one {n}")
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(_url(), {"q": "o", "sort": "received"}).status_code == 200
