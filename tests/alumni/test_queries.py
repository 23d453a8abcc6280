"""Every list after the programme asks the database a fixed number of questions, whatever
the number of groups, members, meetings, action cards and referrals: each page is counted, the data
doubled, and counted again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alumni import services
from alumni.events import services as events
from alumni.links import group_link_issue
from alumni.models import GroupMember
from sessions.action_cards import CardText
from tests.factories import (
    local,
    make_cohort,
    make_completed,
    make_eligible,
    make_member,
    make_participant,
    make_referral,
)

pytestmark = pytest.mark.django_db


def _grow(personas, groups: int, size: int) -> GroupMember:
    """`groups` more completed cohorts of hub A carrying on, each with `size` members in
    (the first hosts), `size` meetings answered by all, a referral from each member and
    an event inviting the cohort; then a completed cohort not carrying on yet. Returns a
    member of the last group."""
    p = personas
    member = None
    for _ in range(groups):
        cohort = make_cohort(p.hub_a, p.programme)
        people = [make_eligible(make_participant(p.hub_a, p.programme)) for _ in range(size)]
        for person in people:
            make_member(cohort, person)
            make_referral(person)
        make_completed(cohort)
        group = services.continuing_group_start(cohort=cohort, by=None)
        members = list(group.members.all())
        for member in members:
            services.member_opt_in(
                member=member, share_email=True, share_phone=True, share_business=True
            )
        services.group_host_choose(group=group, member=members[0], by=None)
        members[0].refresh_from_db()
        for day in range(size):
            meeting = services.group_meeting_schedule(
                member=members[0],
                starts_at=local(f"2022-01-{day + 10}T18:00"),
                place="Online",
                now=local("2022-01-01T09:00"),
            )
            for member in members:
                services.meeting_reply(
                    meeting=meeting, member=member, yes=True, now=local("2022-01-02T09:00")
                )
                services.meeting_action_card_write(
                    meeting=meeting,
                    member=member,
                    text=CardText("", "Call two suppliers", "Done"),
                    now=local("2022-02-01T09:00"),
                )
        event = events.alumni_event_publish(
            hub=p.hub_a,
            topic=f"Event {cohort.pk}",
            speaker="",
            starts_at=local("2031-01-10T18:00"),
            place="Online",
            by=None,
        )
        events.alumni_event_invite_cohort(event=event, cohort=cohort, by=None)
    ready = make_cohort(p.hub_a, p.programme)
    make_completed(ready)
    assert member is not None
    return member


def _counts(client, personas, member: GroupMember) -> dict[str, int]:
    hub = personas.hub_a.key
    pages = {
        "continuing-groups": reverse("hub:continuing-groups", kwargs={"hub": hub}),
        "continuing-group": reverse(
            "hub:continuing-group", kwargs={"hub": hub, "pk": member.group_id}
        ),
        "business-support": reverse("hub:business-support", kwargs={"hub": hub}),
        "referrals": reverse("hub:referrals", kwargs={"hub": hub}),
        "alumni-events": reverse("hub:alumni-events", kwargs={"hub": hub}),
        "alumni-event": reverse(
            "hub:alumni-event",
            kwargs={"hub": hub, "pk": member.participant.event_invitations.get().event_id},
        ),
    }
    counts = {}
    client.force_login(personas.hub_a_admin)
    client.get(pages["referrals"])  # the session and the second factor, once
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    client.logout()
    token = group_link_issue(participant=member.participant, group=member.group)
    client.get(reverse("public:group-link", kwargs={"token": token}))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("public:group"))
    assert page.status_code == 200 and "The other members" in page.text
    counts["member"] = len(queries)
    last = member.group.meetings.latest("starts_at")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("public:group-meeting-card", kwargs={"pk": last.pk}))
    assert page.status_code == 200 and "Call two suppliers" in page.text
    counts["member-card"] = len(queries)
    return counts


def test_each_page_takes_the_same_queries_with_twice_the_data(client, personas):
    small = _counts(client, personas, _grow(personas, groups=2, size=3))
    # Four groups, the last of six members and six meetings; twice the referrals.
    large = _counts(client, personas, _grow(personas, groups=2, size=6))
    assert large == small
    print(small)
