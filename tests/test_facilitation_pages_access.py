"""Every page of the facilitator's area (/facilitation/..., the `facilitation` namespace)
is for the facilitators of the session's cohort, and for those who stand in for them: the
hub's administrators and the national coordinator. The facilitator of another cohort,
another hub's administrator and every other role get a 404, and anyone signed out is
sent to sign in (docs/security.md §1, §5).

The facilitator's home page is for anyone who holds the facilitator role; others get a
404 there too.

The pages are found by walking the URL resolver, so a new page fails here until it is
added to KWARGS below with the objects its URL needs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from peernet.models import Role, RoleAssignment
from tests.factories import Personas, make_session, make_user
from tests.pages import area_page_names, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db

# Besides the facilitator of another cohort of the same hub (below).
OUTSIDERS = ["hub_b_admin", "provider", "funder", "evaluator"]
STAND_INS = ["hub_a_admin", "coordinator"]


class World:
    def __init__(self, personas: Personas) -> None:
        self.p = personas
        self.session = make_session(personas.cohort_a, "2021-10-05T09:30")
        self.other_facilitator = make_user(Role.FACILITATOR, cohort=personas.cohort_a2)


def _session(w: World) -> dict:
    return {"hub": w.p.hub_a.key, "code": w.session.code}


KWARGS: dict[str, Callable[[World], dict]] = {
    "home": lambda w: {},
    "calendar-feed": lambda w: {},
    "session": _session,
    "attendance": _session,
    "notes": _session,
    "joining-instructions-send-now": _session,
    "joining-instructions-preview": _session,
    "action-cards": _session,
    "action-card-links-send": _session,
    "joining-details": lambda w: {"hub": w.p.hub_a.key, "cohort": w.p.cohort_a.code},
    # After the programme (alumni/): the cohort carries on as a continuing group.
    "continuing-group-start": lambda w: {"hub": w.p.hub_a.key, "cohort": w.p.cohort_a.code},
    "member": lambda w: {
        "hub": w.p.hub_a.key,
        "cohort": w.p.cohort_a.code,
        "participant": w.p.participant_a.code,
    },
}
HOME_PAGES = {"home", "calendar-feed"}  # the facilitator's own, not a session's
SESSION_PAGES = sorted(set(KWARGS) - HOME_PAGES)
POST_ONLY = {
    "joining-instructions-send-now",
    "action-card-links-send",
    "continuing-group-start",
    "calendar-feed",
}  # a plain visit is 405; a POST is the test


def _visit(client, name: str, url: str):
    return client.post(url) if name in POST_ONLY else client.get(url)


def test_every_facilitation_page_is_covered():
    missing = sorted(set(area_page_names("facilitation", "facilitation/")) - set(KWARGS))
    assert not missing, f"Add these facilitation pages to KWARGS in this file: {missing}"


def _url(name: str, world: World) -> str:
    return reverse(f"facilitation:{name}", kwargs=KWARGS[name](world))


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


@pytest.mark.parametrize("name", sorted(KWARGS))
def test_the_cohorts_facilitator_can_open_it(client, world, name):
    client.force_login(world.p.facilitator)
    assert _visit(client, name, _url(name, world)).status_code in (
        (302,) if name in POST_ONLY else (200,)
    )


@pytest.mark.parametrize("role", STAND_INS)
@pytest.mark.parametrize("name", SESSION_PAGES)
def test_the_hubs_administrator_and_the_coordinator_can_open_a_session(client, world, name, role):
    client.force_login(getattr(world.p, role))
    assert _visit(client, name, _url(name, world)).status_code in (
        (302,) if name in POST_ONLY else (200,)
    )


@pytest.mark.parametrize("role", [*OUTSIDERS, "other_facilitator"])
@pytest.mark.parametrize("name", SESSION_PAGES)
def test_anyone_else_gets_a_404_on_a_session(client, world, name, role):
    user = world.other_facilitator if role == "other_facilitator" else getattr(world.p, role)
    client.force_login(user)
    assert client.get(_url(name, world)).status_code == (405 if name in POST_ONLY else 404)
    assert client.post(_url(name, world)).status_code in (404, 405)
    if name in POST_ONLY:
        assert client.post(_url(name, world)).status_code == 404


@pytest.mark.parametrize("name", sorted(HOME_PAGES))
@pytest.mark.parametrize("role", [*OUTSIDERS, *STAND_INS])
def test_the_home_page_is_for_facilitators_only(client, world, role, name):
    client.force_login(getattr(world.p, role))
    assert _visit(client, name, _url(name, world)).status_code == 404


@pytest.mark.parametrize("name", sorted(KWARGS))
def test_anonymous_is_sent_to_sign_in(client, world, name):
    assert_sent_to_sign_in(client.get(_url(name, world)))


@pytest.mark.parametrize("name", SESSION_PAGES)
def test_removing_the_facilitator_from_the_cohort_stops_the_next_request(client, world, name):
    client.force_login(world.p.facilitator)
    url = _url(name, world)
    assert _visit(client, name, url).status_code in ((302,) if name in POST_ONLY else (200,))
    RoleAssignment.objects.filter(user=world.p.facilitator, cohort=world.p.cohort_a).delete()
    assert _visit(client, name, url).status_code == 404


def test_a_session_under_another_hubs_key_is_a_404(client, world):
    client.force_login(world.p.facilitator)
    url = reverse("facilitation:session", kwargs={"hub": "hub-b", "code": world.session.code})
    assert client.get(url).status_code == 404


def test_a_deactivated_facilitator_is_signed_out(client, world):
    client.force_login(world.p.facilitator)
    world.p.facilitator.is_active = False
    world.p.facilitator.save()
    response = client.get(_url("session", world))
    assert response.status_code == 302
