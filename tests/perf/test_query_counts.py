"""Issue 10 (4): every list and dashboard page asks the database a fixed number of
questions, whatever the amount of data.

Each page is opened in a small world built by the scale generator (`demo/scale`,
N participants across the 38 hubs), with its query count asserted; then the world is
rebuilt with twice the participants (so the hub under test has about twice the
registrations, cohorts, sessions, attendance and one-to-ones, and its facilitator twice
the cohorts) and the same page must take exactly the same number of queries.

The counts include the session, user and role look-ups every signed-in page makes. A
change that adds a query to a page fails here: check that it is one query whatever the
data (not one per row), then update the number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Cohort
from demo.scale.world import build
from participants.models import Participant
from peernet.models import Hub, User
from sessions.models import GroupSession

pytestmark = pytest.mark.django_db

SMALL = 2 * 38 * 11  # 22 registrations a hub on average: two or so cohorts each
HUB = "north-east-4"  # a hub of average size (weight 1.1 of 0.6 to 1.6)


@dataclass
class Page:
    user: Callable[[], User]
    url: Callable[[], str]
    queries: int
    # Text the page shows only when it has rows, so an empty page cannot pass.
    shows: Callable[[], str]


def _hub() -> Hub:
    return Hub.objects.get(key=HUB)


def _admin() -> User:
    return User.objects.get(email=f"admin@{HUB}.example.org")


def _facilitator() -> User:
    return User.objects.get(email=f"facilitator1@{HUB}.example.org")


def _cohort() -> Cohort:
    return Cohort.objects.get(key=f"{HUB}-c1")


def _session() -> GroupSession:
    return GroupSession.objects.get(key=f"{HUB}-c1-s3")


def _member() -> Participant:
    return (
        Participant.objects.filter(memberships__cohort=_cohort(), dropped_out_on__isnull=True)
        .order_by("key")
        .first()
    )


def _hub_url(name: str, **kwargs: object) -> Callable[[], str]:
    return lambda: reverse(f"hub:{name}", kwargs={"hub": HUB, **kwargs})


PAGES: dict[str, Page] = {
    "hub dashboard": Page(_admin, _hub_url("home"), 17, lambda: _hub().name),
    "registrations list": Page(_admin, _hub_url("registrations"), 11, lambda: _member().last_name),
    # A filtered list (peernet.lists): the filter's facilitators and the list's count.
    "cohorts list": Page(_admin, _hub_url("cohorts"), 12, lambda: _cohort().name),
    "sessions list": Page(
        _admin,
        lambda: _hub_url("sessions")() + "?status=delivered&sort=when",
        10,
        lambda: _cohort().name,
    ),
    "one-to-ones list": Page(
        _admin,
        lambda: _hub_url("one-to-ones")() + "?short=yes&sort=hours",
        13,  # the programme year's minimum, for the "short" filter's words (2)
        lambda: "Showing 1 to",
    ),
    "cohort page": Page(
        _admin,
        lambda: reverse("hub:cohort", kwargs={"hub": HUB, "code": _cohort().code}),
        19,  # with the members' equality data for K12 (1) and each session's attendance (1)
        lambda: _member().last_name,
    ),
    "schedule planner": Page(
        _admin,
        lambda: reverse("hub:cohort-schedule", kwargs={"hub": HUB, "code": _cohort().code}),
        8,
        lambda: _cohort().name,
    ),
    "participant page": Page(
        _admin,
        lambda: reverse("hub:participant", kwargs={"hub": HUB, "code": _member().code}),
        19,  # with the view's audit event (2), E9's possible matches (1), the emails (1)
        lambda: _member().last_name,
    ),
    "complaints list": Page(_admin, _hub_url("complaints"), 10, lambda: "Session moved"),
    "observations list": Page(_admin, _hub_url("observations"), 17, lambda: _cohort().name),
    "facilitation home": Page(
        _facilitator, lambda: reverse("facilitation:home"), 12, lambda: _cohort().name
    ),
    "facilitation session": Page(
        _facilitator,
        lambda: reverse("facilitation:session", kwargs={"hub": HUB, "code": _session().code}),
        22,  # with the observations booked (Q2)
        lambda: _member().last_name,
    ),
    "attendance register": Page(
        _facilitator,
        lambda: reverse("facilitation:attendance", kwargs={"hub": HUB, "code": _session().code}),
        9,
        lambda: _member().last_name,
    ),
    "facilitation member": Page(
        _facilitator,
        lambda: reverse(
            "facilitation:member",
            kwargs={"hub": HUB, "cohort": _cohort().code, "participant": _member().code},
        ),
        20,  # with the view's audit event (2) and the absence follow-ups (K13, 2)
        lambda: _member().last_name,
    ),
}


def _open(client, page: Page) -> tuple[int, list[str]]:
    """The page's query count (and SQL), after checking that it shows its rows."""
    client.force_login(page.user())
    url = page.url()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert page.shows() in response.content.decode(), f"{url} shows no rows"
    return len(queries), [query["sql"] for query in queries.captured_queries]


def test_query_counts_are_fixed_and_do_not_grow(client):
    """Every page in PAGES: its expected count in the small world, and the same count
    with twice the data. (One test for all the pages, so the worlds are built once;
    every page that fails is named.)"""
    build(SMALL)
    small = _counts()
    before = {name: _open(client, page) for name, page in PAGES.items()}

    build(2 * SMALL, flush=True)
    # The data really doubled where the pages look.
    large = _counts()
    assert large["participants"] >= 1.8 * small["participants"]
    assert large["cohorts"] >= 2 * small["cohorts"] - 1
    assert large["facilitator cohorts"] > small["facilitator cohorts"]
    after = {name: _open(client, page) for name, page in PAGES.items()}

    problems = []
    for name, page in PAGES.items():
        (n_small, sql_small), (n_large, sql_large) = before[name], after[name]
        if n_small != page.queries:
            problems.append(
                f"{name}: expected {page.queries} queries, {n_small} were done:\n  "
                + "\n  ".join(sql_small)
            )
        if n_large != n_small:
            problems.append(
                f"{name}: {n_small} queries, {n_large} with twice the data:\n  "
                + "\n  ".join(sql_large)
            )
    assert not problems, "\n\n".join(problems)


def _counts() -> dict[str, int]:
    return {
        "participants": Participant.objects.filter(hub__key=HUB).count(),
        "cohorts": Cohort.objects.filter(hub__key=HUB).count(),
        "facilitator cohorts": _facilitator().role_assignments.count(),
    }
