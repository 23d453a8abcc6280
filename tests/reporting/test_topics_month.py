"""topics_month counts the topics facilitators record for their sessions on the notes
page (the one place a session's topics are recorded), hand-worked for October 2021."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reporting import kpi
from sessions.models import SessionStatus, Topic
from tests.factories import make_session

pytestmark = pytest.mark.django_db

NOTES = {
    "issues_brought": "Cash flow",
    "actions_agreed": "",
    "process_issues": "",
    "hot_topics": "",
}


def _record(client, personas, session, *keys: str) -> None:
    url = reverse("facilitation:notes", kwargs={"hub": "hub-a", "code": session.code})
    topics = [Topic.objects.get(key=key).pk for key in keys]
    response = client.post(url, {**NOTES, "topics": topics})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_topics_recorded_through_the_facilitators_pages_are_counted(client, personas):
    p = personas
    delivered = {"status": SessionStatus.DELIVERED}
    first = make_session(p.cohort_a, "2021-10-05T09:30", **delivered)
    second = make_session(p.cohort_a, "2021-10-19T09:30", **delivered)
    untagged = make_session(p.cohort_a, "2021-10-26T09:30", **delivered)
    september = make_session(p.cohort_a, "2021-09-21T09:30", **delivered)
    client.force_login(p.facilitator)
    # A finer topic counts under its core topic; a session counts once per core topic.
    _record(client, p, first, "finance", "cyber-security")
    _record(client, p, second, "finance", "hr", "technology-adoption", "cyber-security")
    _record(client, p, september, "finance")  # another month
    assert untagged.topics.count() == 0

    topics = kpi.compute_hub(p.hub_a, dt.date(2021, 10, 1))["breakdowns"]["topics_month"]
    digital = Topic.objects.get(key="cyber-security").parent.key
    # Hand-worked: first = finance, digital; second = finance, HR, digital; untagged =
    # not known. September's session is another month's.
    expected = dict.fromkeys(topics, 0)
    expected.update({"finance": 2, digital: 2, "hr": 1, kpi.NOT_KNOWN: 1})
    assert topics == expected

    # Changing the recorded topics changes the count: one place holds them.
    _record(client, p, second, "hr")
    topics = kpi.compute_hub(p.hub_a, dt.date(2021, 10, 1))["breakdowns"]["topics_month"]
    assert (topics["finance"], topics[digital], topics["hr"]) == (1, 1, 1)
