"""After the programme (issue 19), in Chromium: the hub administrator starts a completed
cohort as a continuing group and sends its members their links; Ada opts in (choosing
what the others see) and, made host, schedules a meeting through her link; Ben opts in
and says he is coming, and keeps his action card for a meeting held; then Ben, offered
business support at the end of the programme, asks for Help to Grow: Management, and the
hub follows the referral up; last, invited to an alumni event by his business's sector,
Ben says he is coming. The hub sees
each step. Every page is checked by axe, at 320 px and at 200% zoom.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alumni.events.services import alumni_event_publish
from alumni.links import support_link_issue
from alumni.models import GroupMeeting, GroupMember, MeetingActionCard, MeetingReply, Referral
from tests.e2e.conftest import assert_error_summary, expect_text, greater_manchester, sign_in
from tests.factories import make_completed

pytestmark = pytest.mark.django_db(transaction=True)


def _link(address: str) -> str:
    (email,) = [m for m in mail.outbox if m.to == [address]]
    return re.search(r"https?://\S+?(/p/group/\S+/)", email.body).group(1)


def _opt_in(phone, run, name: str, *shares: str) -> None:
    expect_text(phone, "Join the group")
    for label in shares:
        phone.get_by_label(label).check()
    phone.get_by_label(re.compile("I agree that the members")).check()
    phone.get_by_role("button", name="Save and join the group").click()
    expect_text(phone, "Your choices were saved: you are in the group.")
    run.check(phone, f"{name} in the group")


def test_a_completed_cohort_carries_on_and_a_member_is_referred_to_help_to_grow(journey):
    today = timezone.localdate()
    gm = greater_manchester(
        today - dt.timedelta(days=400), today + dt.timedelta(days=200), admin=True
    )
    ada, ben = gm.join(
        ["Ada Ames", "Ben Bright"],
        registered=today - dt.timedelta(days=390),
        joined=today - dt.timedelta(days=380),
        emails=True,
    )
    make_completed(gm.cohort, f"{today - dt.timedelta(days=370)}T09:30")
    run = journey("after-the-programme")

    # 1. Hana starts Salford autumn as a continuing group and sends the links.
    page = run.new_page()
    sign_in(page, gm.admin)
    page.get_by_role("link", name="After the programme").click()
    run.check(page, "continuing groups")
    page.get_by_role("button", name="Start Salford autumn as a continuing group").click()
    expect_text(page, "Salford autumn is now a continuing group.")
    run.check(page, "continuing group started")
    page.get_by_role("button", name="Send the members their links").click()
    expect_text(page, "Links were sent to 2 members.")

    # 2. Ada opts in through her link, sharing her email; the token leaves the address.
    ada_phone = run.new_page(phone=True)
    ada_phone.goto(_link("ada@example.org"))
    assert ada_phone.url.endswith("/p/group/")
    run.check(ada_phone, "join the group")
    ada_phone.get_by_role("button", name="Save and join the group").click()  # no consent
    assert_error_summary(
        ada_phone, "Tick the box to agree, or close this page to stay out", "id_consent"
    )
    _opt_in(ada_phone, run, "Ada", "My email address")

    # 3. Hana makes Ada the host.
    page.reload()
    page.get_by_label("Host").select_option(label="Ada Ames")
    page.get_by_role("button", name="Make them the host").click()
    expect_text(page, "The host was saved.")
    run.check(page, "continuing group with a host")

    # 4. Ada schedules a meeting through her link.
    day = today + dt.timedelta(days=30)
    ada_phone.reload()
    ada_phone.get_by_label("Day").fill(str(day.day))
    ada_phone.get_by_label("Month").fill(str(day.month))
    ada_phone.get_by_label("Year").fill(str(day.year))
    ada_phone.get_by_label("Start time").select_option("18:30")
    ada_phone.get_by_label("Where").fill("Salford Innovation Forum")
    ada_phone.get_by_label("Topic (optional)").fill("Hiring our first managers")
    ada_phone.get_by_role("button", name="Schedule the meeting").click()
    expect_text(ada_phone, "The meeting was scheduled.")
    run.check(ada_phone, "meeting scheduled")

    # 5. Ben opts in (sharing nothing), sees Ada's email and says he is coming.
    ben_phone = run.new_page(phone=True)
    ben_phone.goto(_link("ben@example.org"))
    _opt_in(ben_phone, run, "Ben")
    expect_text(ben_phone, "ada@example.org")
    ben_phone.get_by_role("button", name=re.compile("I am coming")).click()
    expect_text(ben_phone, "Your answer was saved.")
    expect_text(ben_phone, "You said: yes.")
    run.check(ben_phone, "coming to the meeting")
    assert MeetingReply.objects.get(member__participant=ben).coming is True
    assert GroupMember.objects.get(participant=ben).consent_at is not None

    # 5b. A meeting held last week (scheduled before): Ben keeps his action card for it,
    # as in the programme, through the same link.
    held = GroupMeeting.objects.create(
        group=GroupMember.objects.get(participant=ben).group,
        starts_at=timezone.now() - dt.timedelta(days=7),
        place="Salford Innovation Forum",
        scheduled_at=timezone.now() - dt.timedelta(days=20),
    )
    ben_phone.reload()
    ben_phone.get_by_role("link", name=re.compile("Write your action card")).click()
    run.check(ben_phone, "action card for a group meeting")
    ben_phone.get_by_role("button", name="Save my action card").click()
    assert_error_summary(ben_phone, "Enter the actions you agreed", "id_actions")
    ben_phone.get_by_label("Actions agreed").fill("Draft the first manager's job description")
    ben_phone.get_by_role("button", name="Save my action card").click()
    expect_text(ben_phone, "Your action card was saved.")
    assert MeetingActionCard.objects.get(meeting=held).actions.startswith("Draft the first")

    # 6. Hana sees who is in, the host, one coming to the meeting and one action card.
    page.reload()
    expect_text(page, "Hiring our first managers")
    meetings = page.get_by_role("table", name="Meetings")
    assert meetings.get_by_role("cell", name="1", exact=True).count() == 2
    run.check(page, "continuing group with a meeting")

    # 7. Ben, offered business support at the end of the programme, asks for Help to
    # Grow: Management (the link the end of his exit survey gives him).
    token = support_link_issue(participant=ben)
    ben_phone.goto(reverse("public:support-link", kwargs={"token": token}))
    assert ben_phone.url.endswith("/p/support/")
    run.check(ben_phone, "business support on offer")
    ben_phone.get_by_role("button", name="Ask for an introduction").click()
    assert_error_summary(ben_phone, "Select the support you are interested in", "id_schemes_1")
    ben_phone.get_by_label("Help to Grow: Management").check()
    ben_phone.get_by_role("button", name="Ask for an introduction").click()
    expect_text(ben_phone, "Introduction asked for")
    run.check(ben_phone, "introduction asked for")

    # 8. Hana sees the referral, counted by scheme, and follows it up.
    page.get_by_role("link", name="After the programme").click()
    page.get_by_role("link", name="Referrals").click()
    expect_text(page, "Ben Bright")
    run.check(page, "referrals")
    page.get_by_role("link", name="Ben Bright").click()
    run.check(page, "referral")
    page.get_by_label("Contacted").check()
    page.get_by_role("button", name="Save").click()
    expect_text(page, "The referral was saved.")
    assert Referral.objects.get(participant=ben).status == "contacted"
    assert not Referral.objects.filter(participant=ada).exists()

    # 9. Hana invites the completers in Ben's sector to an alumni event (by sector, not
    # by cohort); Ben says he is coming through his link; Hana sees it.
    event = alumni_event_publish(
        hub=gm.hub,
        topic="Growing through exports",
        speaker="Dee Expert",
        starts_at=timezone.now() + dt.timedelta(days=40),
        place="Salford Innovation Forum",
        by=gm.admin,
    )
    page.goto(reverse("hub:alumni-event", kwargs={"hub": gm.hub.key, "pk": event.pk}))
    page.get_by_role("button", name="Send the invitations").click()
    assert_error_summary(page, "Choose a cohort, a sector or a topic to invite", "id_cohort")
    page.get_by_label("Whose business is in the sector").select_option(ben.business.sector)
    page.get_by_role("button", name="Send the invitations").click()
    expect_text(page, "The invitations were sent.")
    run.check(page, "alumni event invited by sector")
    (invitation,) = [
        m for m in mail.outbox if m.to == ["ben@example.org"] and "invitation" in m.subject
    ]
    ben_phone.goto(re.search(r"https?://\S+?(/p/event/\S+/)", invitation.body).group(1))
    assert ben_phone.url.endswith("/p/event/")
    run.check(ben_phone, "alumni event invitation")
    ben_phone.get_by_role("button", name="I am coming").click()
    expect_text(ben_phone, "Your answer was saved.")
    page.reload()
    row = page.get_by_role("row").filter(has_text="Ben Bright")
    assert "Coming" in row.inner_text()
