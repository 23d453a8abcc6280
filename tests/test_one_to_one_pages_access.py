"""Every page of the one-to-one provider's area (/one-to-one/..., the `one_to_one`
namespace) is for the provider assigned to the participant, and for those who stand in
for them: the hub's administrators and the national coordinator (they log hours, write
the plan and print the Participant Action Record when the provider cannot). Another
provider (even of the same hub), the facilitator of the participant's own cohort,
another hub's administrator, BEIS and the evaluator get a 404, and anyone signed out is
sent to sign in (docs/security.md §1, §5).

The provider's home page (/one-to-one/) is for anyone who holds the provider role;
everyone else gets a 404 there (the stand-ins work from the hub's participant page).

The pages are found by walking the URL resolver, so a new page fails here until it is
added to KWARGS below with the objects its URL needs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from peernet.models import Role, RoleAssignment
from tests.factories import Personas, make_one_to_one, make_user
from tests.pages import area_page_names, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db

OUTSIDERS = ["hub_b_admin", "facilitator", "funder", "evaluator"]
STAND_INS = ["hub_a_admin", "coordinator"]


class World:
    def __init__(self, personas: Personas) -> None:
        self.p = personas
        self.one_to_one = make_one_to_one(personas.participant_a, personas.provider)
        self.other_provider = make_user(Role.ONE_TO_ONE_PROVIDER, hub=personas.hub_a)


def _participant(w: World) -> dict:
    return {"hub": w.p.hub_a.key, "code": w.p.participant_a.code}


KWARGS: dict[str, Callable[[World], dict]] = {
    "home": lambda w: {},
    "calendar-feed": lambda w: {},
    "participant": _participant,
    "log": _participant,
    "check": _participant,
    "session": lambda w: {**_participant(w), "key": w.one_to_one.key},
    "action-plan": _participant,
    "declaration": _participant,
    "action-record": _participant,
}
HOME_PAGES = {"home", "calendar-feed"}  # the provider's own, not a participant's
PARTICIPANT_PAGES = sorted(set(KWARGS) - HOME_PAGES)
POST_ONLY = {"calendar-feed"}  # a plain visit is 405; a POST is the test
GET_ONLY = {"participant", "check", "action-record"}  # a POST is 405 before anything is looked up


def test_every_one_to_one_page_is_covered():
    missing = sorted(set(area_page_names("one_to_one", "one-to-one/")) - set(KWARGS))
    assert not missing, f"Add these one-to-one pages to KWARGS in this file: {missing}"


def _url(name: str, world: World) -> str:
    return reverse(f"one_to_one:{name}", kwargs=KWARGS[name](world))


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


@pytest.mark.parametrize("name", sorted(KWARGS))
def test_the_participants_provider_can_open_it(client, world, name):
    client.force_login(world.p.provider)
    if name in POST_ONLY:
        assert client.post(_url(name, world)).status_code == 302
        return
    response = client.get(_url(name, world))
    assert response.status_code == 200
    if name == "action-record":
        assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("role", STAND_INS)
@pytest.mark.parametrize("name", PARTICIPANT_PAGES)
def test_the_hubs_administrator_and_the_coordinator_stand_in(client, world, name, role):
    client.force_login(getattr(world.p, role))
    assert client.get(_url(name, world)).status_code == 200


@pytest.mark.parametrize("role", [*OUTSIDERS, "other_provider"])
@pytest.mark.parametrize("name", PARTICIPANT_PAGES)
def test_anyone_else_gets_a_404_on_a_participant(client, world, name, role):
    user = world.other_provider if role == "other_provider" else getattr(world.p, role)
    client.force_login(user)
    assert client.get(_url(name, world)).status_code == 404
    assert client.post(_url(name, world)).status_code == (405 if name in GET_ONLY else 404)


@pytest.mark.parametrize("name", sorted(HOME_PAGES))
@pytest.mark.parametrize("role", [*OUTSIDERS, *STAND_INS])
def test_the_home_page_is_for_providers_only(client, world, role, name):
    client.force_login(getattr(world.p, role))
    visit = client.post if name in POST_ONLY else client.get
    assert visit(_url(name, world)).status_code == 404


@pytest.mark.parametrize("name", sorted(KWARGS))
def test_anonymous_is_sent_to_sign_in(client, world, name):
    assert_sent_to_sign_in(client.get(_url(name, world)))


def test_another_hubs_participant_is_a_404_for_the_provider(client, world):
    client.force_login(world.p.provider)
    for hub, participant in (("hub-b", world.p.participant_b), ("hub-b", world.p.participant_a)):
        url = reverse("one_to_one:participant", kwargs={"hub": hub, "code": participant.code})
        assert client.get(url).status_code == 404


def test_a_stand_in_cannot_declare_for_the_provider(client, world):
    client.force_login(world.p.hub_a_admin)
    assert client.post(_url("declaration", world), {"has_conflict": "no"}).status_code == 404


@pytest.mark.parametrize("name", PARTICIPANT_PAGES)
def test_unassigning_the_provider_stops_the_next_request(client, world, name):
    client.force_login(world.p.provider)
    url = _url(name, world)
    assert client.get(url).status_code == 200
    world.p.participant_a.one_to_one_provider = world.other_provider
    world.p.participant_a.save(update_fields=["one_to_one_provider"])
    assert client.get(url).status_code == 404


def test_removing_the_provider_role_stops_the_next_request(client, world):
    client.force_login(world.p.provider)
    url = _url("participant", world)
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=world.p.provider).delete()
    assert client.get(url).status_code == 404
    assert client.get(_url("home", world)).status_code == 404
