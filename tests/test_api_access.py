"""The data API's access matrix, /api/v1/ (namespace `api`; docs/api.md, docs/security.md
1): every endpoint with every role's personal API token, with no token, and from a
signed-in browser session (which is no token: the API answers 401).

The endpoints are found by walking the URL resolver, so a new one fails here until it
is added to ENDPOINTS. tests/test_access_matrix.py adds them to the project's matrix and
probes every hub A object endpoint with hub B's administrator's token.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from tests.factories import Personas, make_api_token
from tests.pages import ROLES, area_page_names

pytestmark = pytest.mark.django_db

NATIONAL = {"coordinator": 200, "funder": 200, "evaluator": 200}
HUB_A = {"coordinator": 200, "hub_a_admin": 200}  # hub A's administrators, and the coordinator
EVALUATOR = {"coordinator": 200, "evaluator": 200}
EVERYONE = dict.fromkeys(ROLES, 200)


def _none(personas: Personas) -> dict[str, str]:
    return {}


def _hub_a(personas: Personas) -> dict[str, str]:
    return {"hub": personas.hub_a.key}


def _participant_a(personas: Personas) -> dict[str, str]:
    return {"hub": personas.hub_a.key, "code": str(personas.participant_a.code)}


def _cohort_a(personas: Personas) -> dict[str, str]:
    return {"hub": personas.hub_a.key, "code": str(personas.cohort_a.code)}


# name -> (the URL's arguments, query, {role: status with their token}, status with no
# token). Roles left out answer 404: never a 403 that gives away that something exists.
ENDPOINTS: dict[str, tuple[Callable[[Personas], dict[str, str]], str, dict[str, int], int]] = {
    # The document and its reference page name nobody: open to anyone.
    "openapi-json": (_none, "", EVERYONE, 200),
    "reference": (_none, "", EVERYONE, 200),
    # Hub A's draft: the coordinator's and hub A's administrators' (as their pages).
    "returns": (_none, "?month=2021-10&scope=hub&key=hub-a&kind=draft", HUB_A, 401),
    "timeliness": (_none, "", NATIONAL, 401),
    # The hubs each may see (names only): every role has at least one.
    "hubs": (_none, "", EVERYONE, 401),
    "participants": (_hub_a, "", HUB_A, 401),
    "participant": (_participant_a, "", HUB_A, 401),
    "cohorts": (_hub_a, "", HUB_A, 401),
    "cohort": (_cohort_a, "", HUB_A, 401),
    "sessions": (_hub_a, "?month=2021-10", HUB_A, 401),
    "one-to-ones": (_hub_a, "", HUB_A, 401),
    # The evaluator's (and the coordinator's, who answers for it): not BEIS's.
    "evaluation-surveys": (_none, "?kind=baseline", EVALUATOR, 401),
    "evaluation-completers": (_none, "", EVALUATOR, 401),
    # Writes (POSTS): an empty registration is the form's 400 for those who may write.
    "registrations": (_hub_a, "", {"coordinator": 400, "hub_a_admin": 400}, 401),
}
POSTS = {"registrations"}


def endpoint_url(name: str, personas: Personas) -> str:
    kwargs, query, _, _ = ENDPOINTS[name]
    return reverse(f"api:{name}", kwargs=kwargs(personas)) + query


def ask(client, name: str, personas: Personas, **headers: str):
    url = endpoint_url(name, personas)
    if name in POSTS:
        return client.post(
            url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="matrix", **headers
        )
    return client.get(url, **headers)


def test_every_api_endpoint_is_in_the_matrix():
    names = set(area_page_names("api", "api/v1/"))
    assert names == set(ENDPOINTS), f"Add to ENDPOINTS: {sorted(names - set(ENDPOINTS))}"


CASES = [(name, role) for name in sorted(ENDPOINTS) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_every_role_with_its_token(client, personas: Personas, name, role):
    statuses = ENDPOINTS[name][2]
    header = make_api_token(getattr(personas, role))
    response = ask(client, name, personas, HTTP_AUTHORIZATION=header)
    assert response.status_code == statuses.get(role, 404)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_no_token(client, personas, name):
    assert ask(client, name, personas).status_code == ENDPOINTS[name][3]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_a_signed_in_session_is_not_a_token(client, personas, name):
    client.force_login(personas.coordinator)
    assert ask(client, name, personas).status_code == ENDPOINTS[name][3]


def hub_a_object_urls(personas: Personas) -> list[str]:
    """Every endpoint that reads hub A's objects or lists, with hub A's keys (the write's
    probe is tests/api/test_registrations_api.py)."""
    return [
        endpoint_url(name, personas)
        for name, (_, _, statuses, _) in ENDPOINTS.items()
        if statuses is HUB_A
    ]
