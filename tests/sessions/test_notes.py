"""Facilitator notes (K9) and the hot topics roll-up."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rules import Outcome, run_rules
from sessions.models import FacilitatorNote, GroupSession, SessionStatus, Topic
from sessions.selectors import hot_topics
from sessions.services import session_write_notes
from tests.factories import (
    AFTER_THE_SESSION,
    facilitation_url,
    local,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(delivered):
    p = delivered
    p.url = facilitation_url("notes", p.session)
    p.finance = Topic.objects.get(key="finance")
    p.cyber = Topic.objects.get(key="cyber-security")
    return p


def _k9(session):
    judged = GroupSession.objects.select_related("cohort__programme", "facilitator_note").get(
        pk=session.pk
    )
    (result,) = run_rules(judged, ["K9"], as_of=AFTER_THE_SESSION)
    return result


NOTES = {
    "issues_brought": "Cash flow in the winter",
    "actions_agreed": "Bea: talk to the bank",
    "process_issues": "",
    "hot_topics": "Energy prices",
}


def test_the_service_writes_the_notes_and_their_tags(world):
    assert _k9(world.session).outcome == Outcome.WARN
    session_write_notes(
        session=world.session,
        by=world.facilitator,
        topics=[world.finance, world.cyber],
        as_of=AFTER_THE_SESSION,
        **NOTES,
    )
    note = FacilitatorNote.objects.get(session=world.session)
    assert note.issues_brought == "Cash flow in the winter" and note.author == world.facilitator
    assert set(note.session.topics.all()) == {world.finance, world.cyber}
    assert _k9(world.session).outcome == Outcome.PASS
    # Rewriting keeps one note and replaces the tags.
    session_write_notes(
        session=world.session,
        by=world.facilitator,
        topics=[world.finance],
        as_of=AFTER_THE_SESSION,
        **NOTES,
    )
    assert FacilitatorNote.objects.count() == 1
    assert list(note.session.topics.all()) == [world.finance]


def test_notes_for_a_session_in_the_future_are_refused(world):
    with pytest.raises(ValidationError, match="has not started yet"):
        session_write_notes(
            session=world.session, by=world.facilitator, as_of=local("2021-10-01T09:00"), **NOTES
        )
    assert not FacilitatorNote.objects.exists()


def test_the_page_shows_k9_until_the_notes_are_written(client, world):
    client.force_login(world.facilitator)
    html = client.get(world.url).content.decode()
    assert "are not written yet" in html
    assert "Cyber security" in html and "Finance" in html  # the tags to choose from

    response = client.post(world.url, {**NOTES, "topics": [world.finance.pk, world.cyber.pk]})
    assert response.status_code == 302
    note = FacilitatorNote.objects.get(session=world.session)
    assert note.actions_agreed == "Bea: talk to the bank"
    assert set(note.session.topics.all()) == {world.finance, world.cyber}
    assert _k9(world.session).outcome == Outcome.PASS

    html = client.get(world.url).content.decode()
    assert "are not written yet" not in html
    assert "Cash flow in the winter</textarea>" in html
    for topic in (world.finance, world.cyber):
        assert re.search(rf'value="{topic.pk}"\s*checked="checked"', html)
    assert html.count('checked="checked"') == 2


def test_markup_in_the_notes_is_escaped(client, world):
    client.force_login(world.facilitator)
    markup = '<script>alert("x")</script>'
    client.post(world.url, dict.fromkeys(NOTES, markup))
    session = reverse(
        "facilitation:session", kwargs={"hub": world.hub_a.key, "code": world.session.code}
    )
    next_session = make_session(world.cohort_a, "2021-10-19T09:30")
    next_url = reverse(
        "facilitation:session", kwargs={"hub": world.hub_a.key, "code": next_session.code}
    )
    for url in (world.url, session, next_url):
        html = client.get(url).content.decode()
        assert markup not in html
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in client.get(next_url).content.decode()
    )


def test_an_unknown_topic_is_a_gov_uk_error_and_nothing_is_written(client, world):
    client.force_login(world.facilitator)
    response = client.post(world.url, {**NOTES, "topics": ["999999"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Choose topics from the list" in html
    assert not FacilitatorNote.objects.exists()


def test_hot_topics_roll_up_by_cohorts_by_hub_and_nationally(world, django_assert_num_queries):
    other = make_session(world.cohort_a2, "2021-10-06T09:30", status=SessionStatus.DELIVERED)
    in_b = make_session(world.cohort_b, "2021-10-06T09:30", status=SessionStatus.DELIVERED)
    for session, tags in (
        (world.session, [world.finance, world.cyber]),
        (other, [world.finance]),
        (in_b, [world.finance, world.cyber]),
    ):
        session_write_notes(
            session=session,
            by=world.coordinator,
            topics=tags,
            as_of=local("2021-10-07T12:00"),
            **NOTES,
        )

    def counts(rows):
        return [(row.name, row.count) for row in rows]

    with django_assert_num_queries(1):
        national = hot_topics()
    assert counts(national) == [
        ("Finance", 3),
        ("Digital (adoption and implementation of technology, cyber security): Cyber security", 2),
    ]
    assert counts(hot_topics(world.hub_a)) == [
        ("Finance", 2),
        ("Digital (adoption and implementation of technology, cyber security): Cyber security", 1),
    ]
    assert counts(hot_topics(world.hub_b)) == [
        ("Finance", 1),
        ("Digital (adoption and implementation of technology, cyber security): Cyber security", 1),
    ]
    assert counts(hot_topics(cohorts=[world.cohort_a2.pk])) == [("Finance", 1)]
