"""Continuing groups (issue 19, 1): a completed cohort carries on, self-facilitated; its
members opt in through their links, choosing what the others see; the host schedules
meetings through theirs; members answer them. Nothing of it reaches a return."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alumni import selectors, services
from alumni.links import group_link_issue
from alumni.models import ContinuingGroup, GroupMember, MeetingReply
from peernet.models import AuditEvent
from reporting import kpi
from tests.factories import (
    local,
    make_completed,
    make_continuing_group,
    make_eligible,
    make_member,
    make_participant,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(personas):
    """Cohort A with three members: participant A, Bea (who shares her email only) and
    Cal, who dropped out."""
    p = personas
    bea = make_eligible(
        make_participant(p.hub_a, p.programme, first_name="Bea", email="bea@example.org")
    )
    cal = make_eligible(make_participant(p.hub_a, p.programme, first_name="Cal"))
    make_member(p.cohort_a, bea)
    make_member(p.cohort_a, cal)
    cal.dropped_out_on = dt.date(2021, 6, 10)
    cal.save(update_fields=["dropped_out_on"])
    return p.cohort_a


def _member(group: ContinuingGroup, participant) -> GroupMember:
    return group.members.get(participant=participant)


def test_an_incomplete_cohort_cannot_carry_on_and_nothing_is_written(personas, cohort):
    make_session(cohort, status="delivered")  # 3 of 18 hours
    with pytest.raises(ValidationError) as refusal:
        services.continuing_group_start(cohort=cohort, by=personas.hub_a_admin)
    assert refusal.value.messages == [
        f"{cohort.name} has not delivered the programme's 18 hours yet: a cohort carries on "
        "as a continuing group once it has completed."
    ]
    assert not ContinuingGroup.objects.exists()
    assert not GroupMember.objects.exists()


def test_a_completed_cohort_invites_those_who_stayed_to_the_end(personas, cohort):
    group = make_continuing_group(cohort, by=personas.hub_a_admin)
    invited = sorted(m.participant.first_name for m in group.members.all())
    assert invited == sorted([personas.participant_a.first_name, "Bea"])  # not Cal
    assert not any(m.is_in for m in group.members.all())  # none is in until they opt in
    event = AuditEvent.objects.get(object_type="alumni.continuinggroup")
    assert event.actor == personas.hub_a_admin and "2 invited" in event.summary
    with pytest.raises(ValidationError, match="already a continuing group"):
        services.continuing_group_start(cohort=cohort, by=personas.hub_a_admin)


def test_opting_in_records_consent_and_the_others_see_only_what_was_shared(personas, cohort):
    group = make_continuing_group(cohort)
    ada, bea = (
        _member(group, personas.participant_a),
        group.members.get(participant__first_name="Bea"),
    )
    at = timezone.now()
    services.member_opt_in(
        member=bea, share_email=True, share_phone=False, share_business=False, now=at
    )
    services.member_opt_in(
        member=ada, share_email=False, share_phone=False, share_business=True, now=at
    )
    bea.refresh_from_db()
    assert (bea.opted_in_at, bea.consent_at, bea.withdrawn_at) == (at, at, None)
    assert [f.participant.first_name for f in selectors.fellow_members(ada)] == ["Bea"]
    later = at + dt.timedelta(days=3)
    services.member_withdraw(member=bea, now=later)
    bea.refresh_from_db()
    assert bea.withdrawn_at == later and not bea.share_email and not bea.is_in
    assert selectors.fellow_members(ada) == []
    summaries = list(
        AuditEvent.objects.filter(object_type="alumni.groupmember")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "Opted in through their link (shares: email)",
        "Opted in through their link (shares: business)",
        "Withdrew from the continuing group through their link",
    ]


def test_only_a_member_who_is_in_can_host_and_only_the_host_schedules(personas, cohort):
    group = make_continuing_group(cohort)
    ada = _member(group, personas.participant_a)
    with pytest.raises(ValidationError, match="has not opted in"):
        services.group_host_choose(group=group, member=ada, by=personas.hub_a_admin)
    services.member_opt_in(member=ada, share_email=True, share_phone=True, share_business=True)
    now = local("2022-01-10T12:00")
    with pytest.raises(ValidationError, match="Only the group's host"):
        services.group_meeting_schedule(
            member=ada, starts_at=local("2022-01-20T18:00"), place="The Lowry", now=now
        )
    services.group_host_choose(group=group, member=ada, by=personas.hub_a_admin)
    ada.refresh_from_db()
    with pytest.raises(ValidationError, match="in the future"):
        services.group_meeting_schedule(
            member=ada, starts_at=local("2022-01-09T18:00"), place="The Lowry", now=now
        )
    meeting = services.group_meeting_schedule(
        member=ada, starts_at=local("2022-01-20T18:00"), place=" The Lowry ", now=now
    )
    assert (meeting.place, meeting.scheduled_by) == ("The Lowry", ada)


def test_a_member_answers_coming_before_and_came_after(personas, cohort):
    group = make_continuing_group(cohort)
    ada = _member(group, personas.participant_a)
    services.member_opt_in(member=ada, share_email=False, share_phone=False, share_business=False)
    services.group_host_choose(group=group, member=ada, by=None)
    ada.refresh_from_db()
    starts = local("2022-01-20T18:00")
    meeting = services.group_meeting_schedule(
        member=ada, starts_at=starts, place="Online", now=local("2022-01-01T09:00")
    )
    services.meeting_reply(meeting=meeting, member=ada, yes=True, now=local("2022-01-19T09:00"))
    services.meeting_reply(meeting=meeting, member=ada, yes=False, now=local("2022-01-20T20:00"))
    reply = MeetingReply.objects.get()
    assert (reply.coming, reply.attended) == (True, False)
    counts = selectors.group_meetings(group)[0]
    assert (counts.coming_count, counts.attended_count) == (1, 0)
    bea = group.members.get(participant__first_name="Bea")  # not opted in
    with pytest.raises(ValidationError, match="Opt in"):
        services.meeting_reply(meeting=meeting, member=bea, yes=True)


def test_nothing_of_a_continuing_group_changes_a_return(personas, cohort):
    make_completed(cohort)
    hubs = [personas.hub_a, personas.hub_b]
    months = [dt.date(2021, 7, 1), dt.date(2022, 1, 1)]
    before = {m: kpi.compute_hubs(hubs, m) for m in months}
    group = services.continuing_group_start(cohort=cohort, by=None)
    ada = _member(group, personas.participant_a)
    services.member_opt_in(member=ada, share_email=True, share_phone=True, share_business=True)
    services.group_host_choose(group=group, member=ada, by=None)
    ada.refresh_from_db()
    meeting = services.group_meeting_schedule(
        member=ada,
        starts_at=local("2022-01-05T18:00"),
        place="Online",
        now=local("2021-12-01T09:00"),
    )
    services.meeting_reply(meeting=meeting, member=ada, yes=True, now=local("2022-01-05T20:00"))
    after = {m: kpi.compute_hubs(hubs, m) for m in months}
    assert after == before
    # The figures this could have moved, had it counted: hours delivered in July.
    assert before[months[0]][personas.hub_a.pk]["figures"]


# --- through the member's link ---------------------------------------------------------------


def _open(client, participant, group) -> None:
    token = group_link_issue(participant=participant, group=group)
    landing = client.get(reverse("public:group-link", kwargs={"token": token}))
    assert landing["Location"] == reverse("public:group")


def test_a_member_opts_in_through_their_link_and_sees_what_others_share(client, personas, cohort):
    group = make_continuing_group(cohort)
    bea = group.members.get(participant__first_name="Bea")
    services.member_opt_in(member=bea, share_email=True, share_phone=True, share_business=False)
    _open(client, personas.participant_a, group)
    page = client.get(reverse("public:group"))
    assert page.status_code == 200 and "Join the group" in page.text
    assert "bea@example.org" not in page.text  # not until they are in themselves
    refused = client.post(reverse("public:group"), {"form": "share", "share_email": "on"})
    assert refused.status_code == 400
    assert "Tick the box to agree, or close this page to stay out" in refused.text
    assert not _member(group, personas.participant_a).is_in
    done = client.post(reverse("public:group"), {"form": "share", "consent": "on"})
    assert done["Location"] == reverse("public:group")
    page = client.get(reverse("public:group"))
    assert "bea@example.org" in page.text
    assert bea.participant.business.name not in page.text  # she did not share it
    assert _member(group, personas.participant_a).is_in


def test_a_link_for_another_group_or_a_forged_one_opens_nothing(client, personas, cohort):
    client.get(reverse("public:group-link", kwargs={"token": "forged:token"}))
    assert client.get(reverse("public:group")).status_code == 400
    group = make_continuing_group(cohort)
    token = group_link_issue(participant=personas.participant_a, group=group)
    group_link_issue(participant=personas.participant_a, group=group)  # a newer one
    client.get(reverse("public:group-link", kwargs={"token": token}))
    assert client.get(reverse("public:group")).status_code == 410


def test_the_cohort_s_facilitator_starts_it_from_their_home(client, personas, cohort):
    url = reverse(
        "facilitation:continuing-group-start",
        kwargs={"hub": "hub-a", "cohort": personas.cohort_a.code},
    )
    client.force_login(personas.facilitator)
    assert "Carry on as a continuing group" not in client.get(reverse("facilitation:home")).text
    client.post(url)
    assert not ContinuingGroup.objects.exists()  # not completed: refused, with the sentence
    make_completed(cohort)
    home = client.get(reverse("facilitation:home"))
    assert "Carry on as a continuing group" in home.text
    assert client.post(url)["Location"] == reverse("facilitation:home")
    group = ContinuingGroup.objects.get()
    assert (group.cohort, group.started_by) == (cohort, personas.facilitator)
    client.force_login(personas.hub_b_admin)
    assert client.post(url).status_code == 404
