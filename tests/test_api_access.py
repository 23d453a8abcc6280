"""The data API's access matrix, /api/v1/ (namespace `api`; docs/api.md, docs/security.md
1): every endpoint with every role's personal API token, with no token, and from a
signed-in browser session (which is no token: the API answers 401).

The endpoints are found by walking the URL resolver, so a new one fails here until it
is added to ENDPOINTS. tests/test_access_matrix.py adds them to the project's matrix and
probes every hub A object endpoint with hub B's administrator's token.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import Personas, make_api_token
from tests.pages import ROLES, area_page_names

pytestmark = pytest.mark.django_db

NATIONAL = {"coordinator": 200, "funder": 200, "evaluator": 200}
NOT_FOUND = dict.fromkeys(ROLES, 404)
EVERYONE = dict.fromkeys(ROLES, 200)

# name -> (query, {role: status with their token}, status with no token). Roles left out
# answer 404: never a 403 that gives away that something exists.
ENDPOINTS: dict[str, tuple[str, dict[str, int], int]] = {
    # The document and its reference page name nobody: open to anyone.
    "openapi-json": ("", EVERYONE, 200),
    "reference": ("", EVERYONE, 200),
    # Hub A's draft: the coordinator's and hub A's administrators' (as their pages).
    "returns": (
        "?month=2021-10&scope=hub&key=hub-a&kind=draft",
        {"coordinator": 200, "hub_a_admin": 200},
        401,
    ),
    "timeliness": ("", NATIONAL, 401),
}


def endpoint_url(name: str) -> str:
    return reverse(f"api:{name}") + ENDPOINTS[name][0]


def test_every_api_endpoint_is_in_the_matrix():
    names = set(area_page_names("api", "api/v1/"))
    assert names == set(ENDPOINTS), f"Add to ENDPOINTS: {sorted(names - set(ENDPOINTS))}"


CASES = [(name, role) for name in sorted(ENDPOINTS) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_every_role_with_its_token(client, personas: Personas, name, role):
    _, statuses, _ = ENDPOINTS[name]
    header = make_api_token(getattr(personas, role))
    response = client.get(endpoint_url(name), HTTP_AUTHORIZATION=header)
    assert response.status_code == statuses.get(role, 404)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_no_token(client, personas, name):
    assert client.get(endpoint_url(name)).status_code == ENDPOINTS[name][2]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_a_signed_in_session_is_not_a_token(client, personas, name):
    client.force_login(personas.coordinator)
    assert client.get(endpoint_url(name)).status_code == ENDPOINTS[name][2]


def hub_a_object_urls(personas: Personas) -> list[str]:
    """Every endpoint that reads one of hub A's objects or lists, with hub A's keys."""
    return [f"{reverse('api:returns')}?month=2021-10&scope=hub&key={personas.hub_a.key}"]
