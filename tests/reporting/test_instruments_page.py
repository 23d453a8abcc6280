"""Survey instrument versions published from a page by the national coordinator (issue 15):
the next version starts from the current one; bad JSON or bad questions are refused with
what is wrong, and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from participants.models import SurveyInstrument
from peernet.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = reverse("national:instrument-new", kwargs={"kind": "session_feedback"})


def test_the_coordinator_publishes_the_next_version(client, personas):
    current = SurveyInstrument.objects.get(kind="session_feedback", active=True)
    client.force_login(personas.coordinator)
    listing = client.get(reverse("national:instruments")).content.decode()
    assert f"Version {current.version}: {current.title}" in listing
    page = client.get(NEW).content.decode()
    assert current.questions[0]["key"] in page  # starts from the current version

    questions = [
        *current.questions,
        {"key": "next_step", "text": "What will you do next?", "type": "text"},
    ]
    response = client.post(
        NEW, {"title": "Session feedback (2)", "questions": json.dumps(questions)}
    )
    assert response.status_code == 302
    published = SurveyInstrument.objects.get(kind="session_feedback", active=True)
    assert published.version == current.version + 1
    assert published.questions[-1]["key"] == "next_step"
    current.refresh_from_db()
    assert not current.active and current.questions != published.questions  # kept, retired
    event = AuditEvent.objects.get(
        object_type="participants.surveyinstrument", object_id=str(published.pk)
    )
    assert event.actor == personas.coordinator


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ('[{"key": "a", "text": "A?", "type": "text"', "The questions are not valid JSON"),
        ("[]", "An instrument needs at least one question."),
        (
            '[{"key": "a", "text": "A?", "type": "text"},'
            ' {"key": "a", "text": "B?", "type": "text"}]',
            "is used twice",
        ),
        ('[{"key": "a", "text": "A?", "type": "scale"}]', "needs a scale from a lower"),
    ],
    ids=["bad-json", "none", "twice", "scale"],
)
def test_bad_questions_are_refused_and_nothing_changes(client, personas, questions, message):
    before = list(SurveyInstrument.objects.values_list("pk", "active"))
    client.force_login(personas.coordinator)
    response = client.post(NEW, {"title": "Broken", "questions": questions})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"')
    assert '<a href="#id_questions">' in response.content.decode()  # the summary links to it
    assert list(SurveyInstrument.objects.values_list("pk", "active")) == before


def test_beis_and_the_evaluator_cannot_publish(client, personas):
    for role in ("funder", "evaluator", "hub_a_admin"):
        client.force_login(getattr(personas, role))
        assert client.get(NEW).status_code == 404
        assert client.post(NEW, {"title": "x", "questions": "[]"}).status_code == 404
