"""Action cards carry on in a continuing group (issue 19, 1): each member keeps a card for
each of the group's meetings through their link, as in the programme (the programme's card
text, form and page), reporting back on the last meeting's actions; the hub counts them;
no return reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alumni import services
from alumni.links import group_link_issue
from alumni.models import GroupMeeting, GroupMember, MeetingActionCard
from peernet.models import AuditEvent
from reporting import kpi
from sessions.action_cards import CardText, compose_actions
from tests.factories import local, make_cohort, make_cohort_member, make_continuing_group

pytestmark = pytest.mark.django_db

FIRST, SECOND = local("2022-01-10T18:00"), local("2022-02-10T18:00")
SCHEDULED = local("2022-01-01T09:00")


@pytest.fixture
def group(personas):
    """Cohort A carrying on: participant A hosts, Bea is in, both meetings scheduled."""
    bea = make_cohort_member(personas.cohort_a, first_name="Bea")
    group = make_continuing_group(personas.cohort_a)
    for person in (personas.participant_a, bea):
        services.member_opt_in(
            member=group.members.get(participant=person),
            share_email=False,
            share_phone=False,
            share_business=False,
        )
    host = group.members.get(participant=personas.participant_a)
    services.group_host_choose(group=group, member=host, by=None)
    host.refresh_from_db()
    for when in (FIRST, SECOND):
        services.group_meeting_schedule(member=host, starts_at=when, place="Online", now=SCHEDULED)
    return group


def _member(group, first_name: str) -> GroupMember:
    return group.members.get(participant__first_name=first_name)


def _meetings(group) -> list[GroupMeeting]:
    return list(group.meetings.order_by("starts_at"))


def test_a_card_is_written_once_the_meeting_has_begun_and_rewritten(personas, group):
    bea = _member(group, "Bea")
    first, _ = _meetings(group)
    text = CardText("Cash flow", "Ask the bank for an overdraft", "")
    with pytest.raises(ValidationError) as early:
        services.meeting_action_card_write(
            meeting=first, member=bea, text=text, now=FIRST - dt.timedelta(minutes=1)
        )
    assert early.value.messages == ["You can write your action card once the meeting has begun."]
    with pytest.raises(ValidationError) as empty:
        services.meeting_action_card_write(
            meeting=first, member=bea, text=CardText("Cash flow", " ", ""), now=FIRST
        )
    assert empty.value.messages == ["Enter the actions you agreed"]
    assert not MeetingActionCard.objects.exists()

    card = services.meeting_action_card_write(meeting=first, member=bea, text=text, now=FIRST)
    # The programme's composition of the problem and the actions.
    assert card.actions == compose_actions("Cash flow", "Ask the bank for an overdraft")
    again = services.meeting_action_card_write(
        meeting=first, member=bea, text=CardText("", "Ask two banks", "Asked one"), now=FIRST
    )
    assert (again.pk, again.actions, again.report_back) == (card.pk, "Ask two banks", "Asked one")
    events = AuditEvent.objects.filter(object_type="alumni.meetingactioncard").order_by("pk")
    assert [(e.action, e.actor) for e in events] == [("create", None), ("update", None)]


def test_only_a_member_who_is_in_of_that_group_keeps_one(personas, group):
    bea = _member(group, "Bea")
    first, _ = _meetings(group)
    services.member_withdraw(member=bea)
    bea.refresh_from_db()
    with pytest.raises(ValidationError) as out:
        services.meeting_action_card_write(
            meeting=first, member=bea, text=CardText("", "Anything", ""), now=FIRST
        )
    assert out.value.messages == ["Opt in to the group to keep action cards for its meetings."]
    assert not MeetingActionCard.objects.exists()


def _open(client, participant, group) -> None:
    token = group_link_issue(participant=participant, group=group)
    client.get(reverse("public:group-link", kwargs={"token": token}))


def test_through_the_link_with_last_meeting_s_actions_and_the_hub_counts_them(
    client, personas, group
):
    first, second = _meetings(group)
    bea = _member(group, "Bea")
    _open(client, bea.participant, group)
    page = client.get(reverse("public:group")).text
    assert "Write your action card" in page  # both meetings are long past
    url = reverse("public:group-meeting-card", kwargs={"pk": first.pk})
    shown = client.get(url)
    assert shown.status_code == 200
    assert "Report back on last meeting's actions" in shown.text
    assert "There is no action card from the last meeting." in shown.text
    refused = client.post(url, {"problem": "Cash flow", "actions": ""})
    assert refused.status_code == 400 and "Enter the actions you agreed" in refused.text
    saved = client.post(url, {"problem": "Cash flow", "actions": "Ask the bank"})
    assert saved["Location"] == reverse("public:group")
    assert "Your action card was saved." in client.get(saved["Location"]).text
    # The link is not spent: the next meeting's card shows what was agreed at the first.
    following = client.get(reverse("public:group-meeting-card", kwargs={"pk": second.pk}))
    assert "Ask the bank" in following.text and "10 January 2022" in following.text
    client.post(
        reverse("public:group-meeting-card", kwargs={"pk": second.pk}),
        {"actions": "Hire a bookkeeper", "report_back": "The bank said yes"},
    )
    assert MeetingActionCard.objects.get(meeting=second).report_back == "The bank said yes"

    client.force_login(personas.hub_a_admin)
    hub_page = client.get(
        reverse("hub:continuing-group", kwargs={"hub": "hub-a", "pk": group.pk})
    ).text
    assert "Action cards" in hub_page


def test_another_group_s_meeting_is_a_404(client, personas, group):
    other_cohort = make_cohort(personas.hub_a, personas.programme, name="Other")
    make_cohort_member(other_cohort, first_name="Oli")
    other = make_continuing_group(other_cohort)
    oli = other.members.get()
    services.member_opt_in(member=oli, share_email=False, share_phone=False, share_business=False)
    _open(client, oli.participant, other)
    first, _ = _meetings(group)
    url = reverse("public:group-meeting-card", kwargs={"pk": first.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"actions": "Sneak in"}).status_code == 404
    assert not MeetingActionCard.objects.exists()


def test_no_return_reads_a_group_s_action_cards(personas, group):
    hubs = [personas.hub_a, personas.hub_b]
    months = [dt.date(2021, 7, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1)]
    before = {m: kpi.compute_hubs(hubs, m) for m in months}
    for meeting in _meetings(group):
        for member in group.members.all():
            services.meeting_action_card_write(
                meeting=meeting,
                member=member,
                text=CardText("", "Act", "Reported"),
                now=meeting.starts_at,
            )
    assert MeetingActionCard.objects.count() == 4
    assert {m: kpi.compute_hubs(hubs, m) for m in months} == before
