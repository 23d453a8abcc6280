"""BEIS sees aggregates, never a name or an email, anywhere in the API (docs/api.md, docs/
security.md §7); the evaluator sees pseudonyms, and a name only where the person
consented. The walk reads every GET operation of the OpenAPI document (so a new endpoint
is walked without being listed here), with every hub's keys and objects in its path,
each query parameter's values, and every page of every list."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from participants.models import Participant
from peernet.calendar import LONDON
from peernet.models import User
from reporting import returns
from tests.factories import Personas, make_api_token

pytestmark = pytest.mark.django_db

QUERY_VALUES: dict[str, list[str]] = {
    "month": ["2021-10", "2021-08"],
    "scope": ["national", "cluster", "hub"],
    "kind": ["submitted", "draft", "baseline", "exit"],
    "registered_month": ["2021-10"],
}


def _path_values(personas: Personas) -> dict[str, list[str]]:
    people = Participant.objects.all()
    return {
        "hub": [personas.hub_a.key, personas.hub_b.key],
        "code": [str(p.code) for p in people]
        + [str(c.code) for c in (personas.cohort_a, personas.cohort_b)],
    }


def _urls(document: dict[str, Any], personas: Personas) -> list[str]:
    """Every GET operation, with every combination of its parameters' values."""
    values = _path_values(personas)
    keys = [personas.hub_a.key, personas.hub_b.key, "north", "midlands"]
    urls = []
    for route, item in document["paths"].items():
        if "get" not in item:
            continue
        params = item["get"].get("parameters", [])
        path_names = [p["name"] for p in params if p["in"] == "path"]
        query_names = [
            p["name"] for p in params if p["in"] == "query" and p["name"] in QUERY_VALUES
        ]
        if any(p["name"] == "key" for p in params):
            query_names.append("key")
        choices = {**QUERY_VALUES, **values, "key": keys}
        for combination in itertools.product(*(choices[n] for n in path_names + query_names)):
            chosen = dict(zip(path_names + query_names, combination, strict=True))
            url = route
            for name in path_names:
                url = url.replace(f"{{{name}}}", chosen[name])
            query = "&".join(f"{n}={chosen[n]}" for n in query_names)
            urls.append(f"{url}?{query}" if query else url)
    return urls


def _walk(client, header: str, urls: list[str]) -> dict[str, str]:
    """Every answer's text, by URL, following every list's cursors; and the statuses."""
    texts: dict[str, str] = {}
    for url in urls:
        answer = client.get(url, HTTP_AUTHORIZATION=header)
        assert answer.status_code < 500, url
        texts[url] = answer.content.decode()
        cursor = answer.json().get("next") if answer.status_code == 200 else None
        while cursor:
            more = client.get(url, {"cursor": cursor}, HTTP_AUTHORIZATION=header)
            texts[f"{url} (cursor {cursor})"] = more.content.decode()
            cursor = more.json().get("next")
    return texts


def _names_and_emails() -> dict[str, str]:
    found = {}
    for person in Participant.objects.all():
        found[person.full_name] = f"participant {person.pk}"
        found[person.email] = f"participant {person.pk}"
    for user in User.objects.all():
        found[user.name] = f"user {user.pk}"
        found[user.email] = f"user {user.pk}"
    return found


@pytest.fixture
def submitted(evaluated: Personas) -> Personas:
    """The evaluated world, with both hubs' October returns submitted."""
    for hub, admin in (
        (evaluated.hub_a, evaluated.hub_a_admin),
        (evaluated.hub_b, evaluated.hub_b_admin),
    ):
        returns.submit_return(
            returns.compile_draft(hub.pk, "2021-10"),
            admin,
            "October.",
            now=dt.datetime(2021, 11, 3, 10, 0, tzinfo=LONDON),
        )
    return evaluated


def test_beis_sees_no_name_or_email_anywhere(client, submitted):
    document = client.get("/api/v1/openapi.json").json()
    urls = _urls(document, submitted)
    texts = _walk(client, make_api_token(submitted.funder), urls)
    # BEIS reads something: the walk is not all 404s.
    read = [url for url, text in texts.items() if '"figures"' in text or '"months"' in text]
    assert len(read) >= 5
    forbidden = _names_and_emails()
    leaks = {
        url: [who for text_, who in forbidden.items() if text_ in text]
        for url, text in texts.items()
    }
    assert {url: who for url, who in leaks.items() if who} == {}


def test_the_evaluator_sees_pseudonyms_and_only_a_consenting_persons_name(client, submitted):
    document = client.get("/api/v1/openapi.json").json()
    texts = _walk(client, make_api_token(submitted.evaluator), _urls(document, submitted))
    consenting = submitted.participant_a
    forbidden = {
        text: who
        for text, who in _names_and_emails().items()
        if text not in (consenting.full_name, consenting.email)
    }
    leaks = {url: [w for t, w in forbidden.items() if t in text] for url, text in texts.items()}
    assert {url: who for url, who in leaks.items() if who} == {}
    # The consenting completer is named, in the completers list only.
    named = [url for url, text in texts.items() if consenting.email in text]
    assert named and all(url.startswith("/api/v1/evaluation/completers/") for url in named)


def test_the_walk_would_see_a_name(client, submitted):
    # The same walk with a hub administrator's token finds their participants' names.
    document = client.get("/api/v1/openapi.json").json()
    texts = _walk(client, make_api_token(submitted.hub_a_admin), _urls(document, submitted))
    assert any(submitted.participant_a.email in text for text in texts.values())
