"""The hub endpoints, /api/v1/hubs/... (docs/api.md): what a hub's administrators' pages
show, no more; pages of a stable cursor; a fixed number of queries a page, whatever the
amount of data; another hub's objects are a 404 (and tests/test_access_matrix.py probes
every one)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    Personas,
    make_api_token,
    make_cohort,
    make_eligible,
    make_member,
    make_one_to_one,
    make_participant,
    make_session,
)

pytestmark = pytest.mark.django_db


def get(client, header: str, url: str, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=header)


def walk(client, header: str, url: str, cursor: str = "", **params) -> list[dict]:
    """Every row of a list from `cursor` on, page by page through the cursors."""
    rows: list[dict] = []
    for _ in range(50):
        page = get(client, header, url, cursor=cursor, **params)
        assert page.status_code == 200, page.content
        rows += page.json()["results"]
        cursor = page.json()["next"]
        if cursor is None:
            return rows
    raise AssertionError("the cursors never end")


def test_a_hub_admin_lists_their_hubs_participants_only(client, personas: Personas):
    header = make_api_token(personas.hub_a_admin)
    rows = walk(client, header, f"/api/v1/hubs/{personas.hub_a.key}/participants/")
    codes = {row["code"] for row in rows}
    assert codes == {str(personas.participant_a.code), str(personas.participant_a2.code)}
    row = next(r for r in rows if r["code"] == str(personas.participant_a.code))
    assert row["first_name"] == personas.participant_a.first_name
    assert row["email"] == personas.participant_a.email
    assert row["business"] == personas.participant_a.business.name
    assert row["cohort"] == str(personas.cohort_a.code)
    assert row["one_to_one_provider"] == personas.provider.name
    assert row["eligibility_status"] == "eligible"


def test_hub_bs_participant_is_a_404_through_hub_as_key_too(client, personas):
    header = make_api_token(personas.hub_a_admin)
    url = f"/api/v1/hubs/{personas.hub_a.key}/participants/{personas.participant_b.code}/"
    assert get(client, header, url).status_code == 404
    mine = f"/api/v1/hubs/{personas.hub_a.key}/participants/{personas.participant_a.code}/"
    assert get(client, header, mine).json()["last_name"] == personas.participant_a.last_name


def test_cursors_walk_every_row_once_in_a_stable_order(client, personas):
    extra = [make_participant(personas.hub_a, personas.programme) for _ in range(5)]
    header = make_api_token(personas.hub_a_admin)
    url = f"/api/v1/hubs/{personas.hub_a.key}/participants/"
    first = get(client, header, url, limit=3).json()
    assert len(first["results"]) == 3 and first["next"]
    # A registration arriving between two pages does not shift the next page.
    late = make_participant(personas.hub_a, personas.programme)
    rest = walk(client, header, url, limit=3, cursor=first["next"])
    codes = [r["code"] for r in first["results"] + rest]
    people = [personas.participant_a, personas.participant_a2, *extra, late]
    assert codes == [str(p.code) for p in sorted(people, key=lambda p: p.pk)]


@pytest.mark.parametrize("cursor", ["nonsense!", "YWZ0ZXI6eA", "x" * 60])
def test_a_cursor_this_api_did_not_give_is_a_clear_400(client, personas, cursor):
    header = make_api_token(personas.hub_a_admin)
    answer = get(client, header, f"/api/v1/hubs/{personas.hub_a.key}/participants/", cursor=cursor)
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "cursor: use the `next` value of the page before, as it was given."
    }


def test_filters_by_month_and_status(client, personas):
    header = make_api_token(personas.hub_a_admin)
    hub = personas.hub_a
    make_session(personas.cohort_a, starts_at="2021-10-31T23:30")  # 31 October, London
    make_session(personas.cohort_a, starts_at="2021-11-01T00:30")
    october = walk(client, header, f"/api/v1/hubs/{hub.key}/sessions/", month="2021-10")
    assert {row["starts_at"][:10] for row in october} <= {
        f"2021-10-{day:02d}" for day in range(1, 32)
    }
    assert any(row["starts_at"].startswith("2021-10-31T23:30") for row in october)
    assert not any(row["starts_at"].startswith("2021-11") for row in october)
    pending = walk(client, header, f"/api/v1/hubs/{hub.key}/participants/", status="pending")
    assert pending == []


def _grow(personas: Personas, n: int) -> None:
    """n more of everything in hub A: participants in new cohorts, sessions, one-to-ones."""
    for _ in range(n):
        cohort = make_cohort(personas.hub_a, personas.programme)
        person = make_eligible(
            make_participant(
                personas.hub_a, personas.programme, one_to_one_provider=personas.provider
            )
        )
        make_member(cohort, person)
        make_session(cohort)
        make_one_to_one(person, personas.provider)


LISTS = ["participants", "cohorts", "sessions", "one-to-ones"]


@pytest.mark.parametrize("name", LISTS)
def test_a_page_takes_the_same_number_of_queries_whatever_the_data(client, personas, name):
    header = make_api_token(personas.hub_a_admin)
    url = f"/api/v1/hubs/{personas.hub_a.key}/{name}/"

    def count() -> tuple[int, int]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            answer = get(client, header, url, limit=200)
        assert answer.status_code == 200
        return len(queries), len(answer.json()["results"])

    _grow(personas, 3)
    small, small_rows = count()
    _grow(personas, 12)
    large, large_rows = count()
    assert large_rows >= small_rows + 12
    assert small == large
    # The token (1) and its last use (1), the user's roles (1), the hub (1), the page
    # (1), and the audit event (1): a fixed six.
    assert small == 6
