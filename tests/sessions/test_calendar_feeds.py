"""Calendar feeds (docs/cockpit.md): a facilitator's and a provider's own sessions behind a
secret, revocable link; another's link, a stopped one or a tampered one is a 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peernet.models import AuditEvent, Role
from sessions.feeds import calendar_feed_issue, calendar_feed_token
from sessions.models import CalendarFeed, SessionStatus
from tests.factories import local, make_cohort, make_one_to_one, make_session, make_user

pytestmark = pytest.mark.django_db


def feed_url(token: str) -> str:
    return reverse("calendar-feed", kwargs={"token": token})


def test_a_facilitators_feed_holds_their_cohorts_sessions_only(client, personas):
    mine = make_session(personas.cohort_a, "2021-10-05T09:30")
    cancelled = make_session(personas.cohort_a, "2021-10-19T09:30", status=SessionStatus.CANCELLED)
    other = make_session(personas.cohort_a2, "2021-10-06T09:30")  # another facilitator's
    token = calendar_feed_issue(user=personas.facilitator)
    response = client.get(feed_url(token))  # no sign-in: the link is the authority
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    assert "METHOD:PUBLISH" in body
    assert f"UID:{mine.code}-feed@peernet" in body
    assert "DTSTART:20211005T083000Z" in body  # 09:30 in London, in summer time
    assert f"UID:{cancelled.code}-feed@peernet" in body and "STATUS:CANCELLED" in body
    assert str(other.code) not in body
    assert personas.participant_a.full_name not in body  # no participant in a group's


def test_a_providers_feed_holds_their_one_to_ones_only(client, personas):
    mine = make_one_to_one(personas.participant_a, personas.provider)
    someone_else = make_user(Role.ONE_TO_ONE_PROVIDER, hub=personas.hub_a)
    theirs = make_one_to_one(
        personas.participant_a2, someone_else, starts_at=local("2021-06-11T10:00")
    )
    body = client.get(feed_url(calendar_feed_issue(user=personas.provider))).content.decode()
    assert f"UID:{mine.key}-feed@peernet" in body
    assert f"One-to-one: {personas.participant_a.full_name}" in body
    assert theirs.key not in body and personas.participant_a2.full_name not in body


def test_a_new_link_stops_the_old_and_a_stopped_link_is_a_404(client, personas):
    client.force_login(personas.facilitator)
    first = calendar_feed_issue(user=personas.facilitator)
    client.post(reverse("facilitation:calendar-feed"), {"action": "issue"})
    second = calendar_feed_token(personas.facilitator)
    assert second and second != first
    assert client.get(feed_url(first)).status_code == 404
    assert client.get(feed_url(second)).status_code == 200
    client.post(reverse("facilitation:calendar-feed"), {"action": "revoke"})
    assert client.get(feed_url(second)).status_code == 404
    assert calendar_feed_token(personas.facilitator) is None
    assert CalendarFeed.objects.filter(user=personas.facilitator).count() == 2
    summaries = set(
        AuditEvent.objects.filter(actor=personas.facilitator).values_list("summary", flat=True)
    )
    assert {"Calendar feed link issued", "Calendar feed link revoked"} <= summaries


def test_a_tampered_link_or_another_purposes_token_is_a_404(client, personas):
    from participants.links import sign

    token = calendar_feed_issue(user=personas.facilitator)
    assert client.get(feed_url(token[:-2] + "xx")).status_code == 404
    feed = CalendarFeed.objects.get(user=personas.facilitator)
    assert client.get(feed_url(sign(feed.nonce, salt="another-purpose"))).status_code == 404


def test_another_facilitators_token_shows_only_theirs(client, personas):
    other = make_user(Role.FACILITATOR, cohort=personas.cohort_a2)
    make_session(personas.cohort_a, "2021-10-05T09:30")
    theirs = make_session(personas.cohort_a2, "2021-10-06T09:30")
    body = client.get(feed_url(calendar_feed_issue(user=other))).content.decode()
    assert str(theirs.code) in body and body.count("BEGIN:VEVENT") == 1


def test_a_facilitator_removed_from_the_cohort_or_deactivated_sees_nothing_of_it(client, personas):
    token = calendar_feed_issue(user=personas.facilitator)
    make_session(personas.cohort_a, "2021-10-05T09:30")
    personas.facilitator.role_assignments.filter(cohort=personas.cohort_a).delete()
    assert "BEGIN:VEVENT" not in client.get(feed_url(token)).content.decode()
    personas.facilitator.is_active = False
    personas.facilitator.save()
    assert client.get(feed_url(token)).status_code == 404


def test_the_home_page_shows_the_link(client, personas):
    client.force_login(personas.provider)
    assert "Get a calendar feed link" in client.get(reverse("one_to_one:home")).content.decode()
    client.post(reverse("one_to_one:calendar-feed"), {"action": "issue"})
    body = client.get(reverse("one_to_one:home")).content.decode()
    assert feed_url(calendar_feed_token(personas.provider)) in body
    assert "Stop the link" in body


def test_the_feed_queries_do_not_grow_with_the_sessions(client, personas):
    token = calendar_feed_issue(user=personas.facilitator)
    make_session(personas.cohort_a, "2021-10-05T09:30")
    with CaptureQueriesContext(connection) as few:
        client.get(feed_url(token))
    for day in range(10, 20):
        make_session(personas.cohort_a, f"2021-11-{day}T09:30")
    personas.facilitator.role_assignments.create(
        role=Role.FACILITATOR,
        hub=personas.hub_a,
        cohort=make_cohort(personas.hub_a, personas.programme),
    )
    with CaptureQueriesContext(connection) as many:
        body = client.get(feed_url(token)).content.decode()
    assert body.count("BEGIN:VEVENT") == 11
    assert len(many) == len(few)
