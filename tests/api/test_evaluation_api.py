"""The evaluator's endpoints, /api/v1/evaluation/... (docs/api.md): pseudonyms, never a
name, except a completer who consented to the evaluator's contact (G3); the same rows as
the evaluator's baseline export; BEIS and the hubs' roles get a 404."""

from __future__ import annotations

import pytest

from peernet.privacy.pseudonyms import evaluator_pseudonym
from tests.factories import make_api_token

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=make_api_token(user))


def test_the_baseline_rows_are_pseudonymous_with_the_exports_questions(client, evaluated):
    answer = get(client, evaluated.evaluator, "/api/v1/evaluation/surveys/", kind="baseline")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    a, other = evaluated.participant_a, evaluated.other
    assert [row["pseudonym"] for row in rows] == [
        evaluator_pseudonym(a.code),
        evaluator_pseudonym(other.code),
    ]
    first = rows[0]
    assert first["hub"] == evaluated.hub_a.key and first["cohort"] == evaluated.cohort_a.key
    assert first["completed"] == "2021-05-25"
    # The export's questions: set answers (scale, choice, yes/no), never a number or text.
    assert {"resilience", "business_plan", "evaluator_consent"} <= set(first["answers"])
    assert "employees_now" not in first["answers"]
    assert first["answers"]["resilience"] == 3 and rows[1]["answers"]["resilience"] == 5
    text = answer.content.decode()
    for person in (a, other):
        assert person.last_name not in text and person.email not in text
        assert str(person.code) not in text


def test_completers_are_named_only_with_consent(client, evaluated):
    answer = get(client, evaluated.evaluator, "/api/v1/evaluation/completers/")
    assert answer.status_code == 200
    rows = {row["pseudonym"]: row for row in answer.json()["results"]}
    a, other = evaluated.participant_a, evaluated.other
    consented = rows[evaluator_pseudonym(a.code)]
    assert consented == {
        "pseudonym": evaluator_pseudonym(a.code),
        "hub": evaluated.hub_a.key,
        "cohort": evaluated.cohort_a.name,
        "completed": "2021-08-31",
        "six_month_survey_due": "2022-02-28",
        "consent": True,
        "name": a.full_name,
        "email": a.email,
    }
    declined = rows[evaluator_pseudonym(other.code)]
    assert (declined["consent"], declined["name"], declined["email"]) == (False, None, None)
    assert other.last_name not in answer.content.decode()


def test_the_completers_page_by_cursor(client, evaluated):
    header = make_api_token(evaluated.evaluator)
    first = client.get("/api/v1/evaluation/completers/?limit=1", HTTP_AUTHORIZATION=header)
    assert len(first.json()["results"]) == 1 and first.json()["next"]
    second = client.get(
        f"/api/v1/evaluation/completers/?limit=1&cursor={first.json()['next']}",
        HTTP_AUTHORIZATION=header,
    )
    assert second.json()["next"] is None
    seen = {r["pseudonym"] for r in first.json()["results"] + second.json()["results"]}
    assert len(seen) == 2


@pytest.mark.parametrize("role", ["funder", "hub_a_admin", "facilitator", "provider"])
def test_no_one_else_reads_them(client, evaluated, role):
    for url in ("/api/v1/evaluation/surveys/", "/api/v1/evaluation/completers/"):
        assert get(client, getattr(evaluated, role), url).status_code == 404
