"""Every page of the facilitators' action learning sets (/learning-sets/, the
`learning_sets` namespace) is for the national coordinator and the lead of the cluster
whose set it is; every other role (a hub's administrator, a facilitator, BEIS, the
evaluator) gets a 404, and anyone signed out is sent to sign in. The cluster leads' page
is the coordinator's alone.

The pages are found by walking the URL resolver, so a new page fails here until it is
added to KWARGS below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from alumni.learning_sets import services
from peernet.models import Role
from tests.factories import Personas, local, make_user
from tests.pages import ROLES, area_page_names, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db


class World:
    """Hub A's cluster, led by Lee (also hub A's administrator), with a set of its
    facilitators and a session."""

    def __init__(self, p: Personas) -> None:
        self.p = p
        self.lead = make_user(Role.HUB_ADMIN, hub=p.hub_a, email="lee@example.org")
        cluster = p.hub_a.cluster
        services.cluster_lead_appoint(cluster=cluster, user=self.lead, by=p.coordinator)
        other = make_user(Role.FACILITATOR, hub=p.hub_a)
        self.set = services.learning_set_form(
            cluster=cluster, name="Set 1", members=[p.facilitator.pk, other.pk], by=self.lead
        )
        self.session = services.learning_set_session_schedule(
            learning_set=self.set,
            starts_at=local("2031-01-10T14:00"),
            joining_instructions="Room 2",
            by=self.lead,
        )


KWARGS: dict[str, Callable[[World], dict]] = {
    "home": lambda w: {},
    "leads": lambda w: {},
    "set-new": lambda w: {"cluster": w.p.hub_a.cluster.key},
    "set": lambda w: {"pk": w.set.pk},
    "session": lambda w: {"pk": w.session.pk},
}
COORDINATOR_ONLY = {"leads"}
COVERED = frozenset(KWARGS)


def test_every_learning_set_page_is_covered():
    missing = sorted(set(area_page_names("learning_sets", "learning-sets/")) - set(KWARGS))
    assert not missing, f"Add these pages to KWARGS in this file: {missing}"


NAMES = sorted(set(area_page_names("learning_sets", "learning-sets/")) & set(KWARGS))


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def _url(name: str, world: World) -> str:
    return reverse(f"learning_sets:{name}", kwargs=KWARGS[name](world))


@pytest.mark.parametrize("name", NAMES)
def test_the_coordinator_and_the_cluster_s_lead_can_open_it(client, world, name):
    client.force_login(world.p.coordinator)
    assert client.get(_url(name, world)).status_code == 200
    client.force_login(world.lead)
    assert client.get(_url(name, world)).status_code == (404 if name in COORDINATOR_ONLY else 200)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "coordinator"])
@pytest.mark.parametrize("name", NAMES)
def test_every_other_role_gets_a_404(client, world, name, role):
    # hub_a_admin administers a hub of the cluster, but does not lead it.
    client.force_login(getattr(world.p, role))
    assert client.get(_url(name, world)).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_sign_in(client, world, name):
    assert_sent_to_sign_in(client.get(_url(name, world)))
