"""The registrations list as a filtered list (peernet.lists): search, status, sort and
pages, all in the URL; bad values refused with a message, never a 500."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from tests.factories import make_business, make_participant
from tests.pages import list_refusing

pytestmark = pytest.mark.django_db


def _list() -> str:
    return reverse("hub:registrations", kwargs={"hub": "hub-a"})


def _names(content: str) -> list[str]:
    """The names in the table's rows, in order."""
    return re.findall(r'/participants/[^"]+">([^<]+)</a></td>', content)


def _next_link(content: str) -> str:
    found = re.search(r'href="\?([^"]+)" rel="next"', content)
    assert found, "no next-page link"
    return html.unescape(found.group(1))


def _sixty_pending_nortons(personas) -> None:
    """60 pending registrations from businesses named 'Norton n' (n 10 to 69), and 5 from
    another business that the search must leave out."""
    for n in range(10, 70):
        business = make_business(name=f"Norton {n}", postcode=f"NR{n} 1AA")
        make_participant(personas.hub_a, personas.programme, business=business, last_name=f"N{n}")
    for n in range(5):
        make_participant(personas.hub_a, personas.programme, last_name=f"Other{n}")


def test_a_filtered_sorted_list_keeps_its_state_on_the_next_page(client, personas):
    _sixty_pending_nortons(personas)
    client.force_login(personas.hub_a_admin)
    response = client.get(_list(), {"q": "norton", "status": "pending", "sort": "-business"})
    content = response.content.decode()
    assert "Showing 1 to 50 of 60" in content
    names = _names(content)
    assert names[0] == "Alex N69" and names[49] == "Alex N20"  # Norton 69 down to Norton 20
    assert 'aria-sort="descending"' in content

    query = _next_link(content)
    assert "q=norton" in query and "status=pending" in query and "sort=-business" in query
    content = client.get(f"{_list()}?{query}").content.decode()
    assert "Showing 51 to 60 of 60" in content
    assert _names(content) == [f"Alex N{n}" for n in range(19, 9, -1)]
    assert not any(name.startswith("Alex Other") for name in _names(content))


def test_sort_headings_keep_the_filters_and_turn_the_order(client, personas):
    _sixty_pending_nortons(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_list(), {"q": "norton", "sort": "business"}).content.decode()
    assert 'aria-sort="ascending"' in content
    assert _names(content)[0] == "Alex N10"
    # The Business heading now sorts descending, keeping the search; the others sort
    # ascending.
    assert 'href="?q=norton&amp;sort=-business"' in content
    assert 'href="?q=norton&amp;sort=name"' in content
    assert content.count('aria-sort="none"') == 2  # name and registered; status does not sort


def test_search_finds_a_postcode(client, personas):
    _sixty_pending_nortons(personas)
    client.force_login(personas.hub_a_admin)
    content = client.get(_list(), {"q": "nr42"}).content.decode()
    assert _names(content) == ["Alex N42"]
    assert "Showing 1 to 1 of 1" in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sort": "hub__key"}, "Sort by one of the columns in the table"),
        ({"sort": "status"}, "Sort by one of the columns in the table"),  # not sortable
        ({"status": "nonsense", "q": "norton"}, "Select a status from the list"),
    ],
)
def test_a_bad_value_is_a_message_and_the_unfiltered_list(client, personas, query, message):
    _sixty_pending_nortons(personas)
    client.force_login(personas.hub_a_admin)
    content = list_refusing(client, _list(), query, message)
    total = personas.hub_a.participants.count()
    assert f"Showing 1 to 50 of {total}" in content  # the whole list, newest first


def test_an_empty_filtered_list_says_what_to_do(client, personas):
    client.force_login(personas.hub_a_admin)
    content = client.get(_list(), {"q": "no such words"}).content.decode()
    assert "No registrations match these filters" in content
    assert "clear the filters" in content


def test_another_hubs_rows_never_show(client, personas):
    client.force_login(personas.hub_a_admin)
    other = personas.participant_b
    content = client.get(_list(), {"q": other.last_name}).content.decode()
    assert other.full_name not in content
