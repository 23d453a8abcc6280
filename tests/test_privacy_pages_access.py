"""Every page of the privacy area (/privacy/..., the `privacy` namespace): the audit trail,
breach register and registry are the national coordinator's only; a participant's subject
access and erasure pages are for the coordinator and that participant's hub
administrators. Everyone else gets a 404 and anyone signed out is sent to sign in
(docs/security.md §1).

The pages are found by walking the URL resolver, so a new page fails here until it is
added to PAGES below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse

from peernet.models import Breach
from tests.factories import Personas
from tests.pages import ROLES, area_page_names, assert_sent_to_sign_in

pytestmark = pytest.mark.django_db

COORDINATOR_ONLY = {"coordinator"}
PARTICIPANT_A = {"coordinator", "hub_a_admin"}


class World:
    def __init__(self, personas: Personas) -> None:
        self.p = personas
        self.breach = Breach.objects.create(
            discovered_at=dt.datetime(2021, 10, 5, 9, 0, tzinfo=dt.UTC),
            description="A spreadsheet was emailed to the wrong hub.",
            data_affected="Names and emails of 12 participants.",
        )


def _participant(w: World) -> dict:
    return {"code": w.p.participant_a.code}


# name -> (the URL's arguments, who gets a 200)
PAGES: dict[str, tuple[Callable[[World], dict], set[str]]] = {
    "home": (lambda w: {}, COORDINATOR_ONLY),
    "registry": (lambda w: {}, COORDINATOR_ONLY),
    "audit": (lambda w: {}, COORDINATOR_ONLY),
    "breaches": (lambda w: {}, COORDINATOR_ONLY),
    "breach-new": (lambda w: {}, COORDINATOR_ONLY),
    "breach": (lambda w: {"reference": w.breach.reference}, COORDINATOR_ONLY),
    "participant": (_participant, PARTICIPANT_A),
    "export-json": (_participant, PARTICIPANT_A),
    "export-pdf": (_participant, PARTICIPANT_A),
    "erase": (_participant, PARTICIPANT_A),
}


def test_every_privacy_page_is_covered():
    missing = sorted(set(area_page_names("privacy")) - set(PAGES))
    assert not missing, f"Add these privacy pages to PAGES in this file: {missing}"


NAMES = sorted(set(area_page_names("privacy")) & set(PAGES))


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def _url(name: str, world: World) -> str:
    kwargs, _ = PAGES[name]
    return reverse(f"privacy:{name}", kwargs=kwargs(world))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", NAMES)
def test_each_role_gets_the_page_or_a_404(client, world, name, role):
    client.force_login(getattr(world.p, role))
    response = client.get(_url(name, world))
    assert response.status_code == (200 if role in PAGES[name][1] else 404)


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_sign_in(client, world, name):
    assert_sent_to_sign_in(client.get(_url(name, world)))


@pytest.mark.parametrize("name", ["participant", "export-json", "export-pdf", "erase"])
def test_another_hubs_participant_is_a_404_for_a_hub_administrator(client, world, name):
    client.force_login(world.p.hub_a_admin)
    url = reverse(f"privacy:{name}", kwargs={"code": world.p.participant_b.code})
    assert client.get(url).status_code == 404


def test_erasure_by_post_is_refused_to_another_hub(client, world):
    client.force_login(world.p.hub_b_admin)
    code = world.p.participant_a.code
    response = client.post(
        reverse("privacy:erase", kwargs={"code": code}),
        {"confirm_code": str(code), "reason": "Asked to be forgotten"},
    )
    assert response.status_code == 404
    world.p.participant_a.refresh_from_db()
    assert not world.p.participant_a.email.endswith("erased.invalid")
