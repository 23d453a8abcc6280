"""The API tested by a client nobody here wrote (docs/api.md "Tests"): schemathesis reads
the OpenAPI document from the live test server and, for every operation, generates
requests (property-based, through hypothesis) with each role's personal API token. No
answer may be a server error or break the document's schema, and none may hold a row of
another hub (for a hub's roles) or a person's name or email (for BEIS and the
evaluator).

Path parameters are drawn half from what the document allows (any text) and half from
the world's real keys and codes, of the token's hub and of the other, so the answers
with rows are tested as well as the 404s."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from django.db import connection
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from participants.models import Participant
from peernet.models import Role, User
from tests.factories import (
    Personas,
    make_api_token,
    make_one_to_one,
    make_session,
    make_user,
)
from tests.pages import ROLES
from tests.test_api_access import ENDPOINTS

pytestmark = pytest.mark.django_db(transaction=True)

# The live server's requests are committed, so the test is transactional; the flush after
# it empties the audit trail, which SQLite's append-only trigger refuses for recent rows
# (PostgreSQL's TRUNCATE is the flush `scripts/test` and CI run).
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a transactional test that writes audit events: run it on PostgreSQL (scripts/test)",
)

EXAMPLES = 8  # requests an operation, per role: the whole test within about 40 s


def _world(personas: Personas) -> dict[str, list[str]]:
    """Real values for each path and query parameter: both hubs'."""
    make_session(personas.cohort_a, starts_at="2021-10-05T09:30")
    make_session(personas.cohort_b, starts_at="2021-10-06T09:30")
    make_one_to_one(personas.participant_a, personas.provider)
    make_one_to_one(personas.participant_b, make_user(Role.ONE_TO_ONE_PROVIDER, hub=personas.hub_b))
    return {
        "hub": [personas.hub_a.key, personas.hub_b.key],
        "code": [
            str(code)
            for code in (
                personas.participant_a.code,
                personas.participant_b.code,
                personas.cohort_a.code,
                personas.cohort_b.code,
            )
        ],
        "key": [personas.hub_a.key, personas.hub_b.key, "north", "midlands"],
        "month": ["2021-10", "2021-06"],
    }


def _forbidden(personas: Personas, role: str) -> set[str]:
    """What an answer to `role` must never hold."""
    if role in ("funder", "evaluator"):  # aggregates only: no person's name or email
        people = Participant.objects.all()
        return (
            {p.email for p in people}
            | {f"{p.first_name} {p.last_name}" for p in people}
            | {u.email for u in User.objects.all()}
        )
    if role == "coordinator":
        return set()
    other = personas.hub_b if role != "hub_b_admin" else personas.hub_a
    people = Participant.objects.filter(hub=other)
    cohorts = other.cohorts.all()
    return (
        {str(p.code) for p in people}
        | {p.email for p in people}
        | {str(c.code) for c in cohorts}
        | {str(s.code) for c in cohorts for s in c.sessions.all()}
    )


def _run(operation: Any, base_url: str, header: str, world: dict, forbidden: set[str]) -> None:
    strategy = operation.as_strategy()

    @hypothesis.given(data=st.data())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(data: st.DataObject) -> None:
        case = data.draw(strategy)
        for where in (case.path_parameters, case.query):
            for name in list(where or {}):
                if name in world and data.draw(st.booleans()):
                    where[name] = data.draw(st.sampled_from(world[name]))
        response = case.call(base_url=base_url, headers={"Authorization": header}, timeout=30)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        leaked = sorted(text for text in forbidden if text in response.text)
        assert not leaked, f"{case.method} {case.formatted_path} {case.query}: {leaked}"

    check()


@pytest.fixture
def _open_api_limits(settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000


@ON_POSTGRESQL
@pytest.mark.usefixtures("_open_api_limits")
def test_schemathesis_finds_no_error_and_no_leak_for_any_role(live_server, personas):
    world = _world(personas)
    document = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(ENDPOINTS) - 2  # all but the document and its page
    for role in ROLES:
        header = make_api_token(getattr(personas, role))
        forbidden = _forbidden(personas, role)
        for operation in operations:
            _run(operation, live_server.url, header, world, forbidden)


@pytest.mark.django_db
def test_the_leak_check_can_fail(personas):
    # Hub A's administrator must not see hub B's participant: the check knows what to look for.
    assert personas.participant_b.email in _forbidden(personas, "hub_a_admin")
    assert personas.participant_a.email in _forbidden(personas, "funder")
    assert personas.participant_a.email not in _forbidden(personas, "hub_a_admin")
