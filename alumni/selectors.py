"""Reads after the programme: the hub's continuing groups and the cohorts that may become
one, a group's page for the hub and for a member, the business support on offer and the
referrals, each list in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from alumni.models import (
    ContinuingGroup,
    GroupMeeting,
    GroupMember,
    MeetingActionCard,
    MeetingReply,
    Referral,
    ReferralStatus,
    SupportScheme,
)
from alumni.schemes import NATIONAL_SCHEMES
from cohorts.models import Cohort
from participants.surveys.selectors import cohorts_completed_on
from peernet.models import Hub

_IN = Q(members__opted_in_at__isnull=False, members__withdrawn_at__isnull=True)


@dataclass(frozen=True)
class CompletedCohort:
    cohort: Cohort
    completed_on: object  # a date


def cohorts_ready_to_continue(hub: Hub) -> list[CompletedCohort]:
    """The hub's completed cohorts that are not a continuing group yet (two queries)."""
    cohorts = list(
        Cohort.objects.filter(hub=hub, continuing_group__isnull=True).order_by("name", "pk")
    )
    done = cohorts_completed_on(c.pk for c in cohorts)
    return [CompletedCohort(c, done[c.pk]) for c in cohorts if c.pk in done]


def hub_groups(hub: Hub) -> QuerySet[ContinuingGroup]:
    """The hub's continuing groups, with how many members are in, invited, and meetings."""
    return (
        ContinuingGroup.objects.filter(hub=hub)
        .select_related("cohort")
        .annotate(
            invited=Count("members", distinct=True),
            members_in=Count("members", filter=_IN, distinct=True),
            meeting_count=Count("meetings", distinct=True),
        )
        .order_by("cohort__name", "pk")
    )


def group_members(group: ContinuingGroup) -> list[GroupMember]:
    return list(group.members.select_related("participant__business"))


def group_meetings(group: ContinuingGroup) -> list[GroupMeeting]:
    """The group's meetings, each with its counts of answers and of action cards."""
    cards = (
        MeetingActionCard.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return list(
        group.meetings.annotate(
            coming_count=Count("replies", filter=Q(replies__coming=True)),
            attended_count=Count("replies", filter=Q(replies__attended=True)),
            card_count=Coalesce(Subquery(cards, output_field=IntegerField()), 0),
        ).order_by("starts_at", "pk")
    )


def member_for_link(link: object) -> GroupMember:
    """The member a group link opens (with their group, cohort and hub)."""
    return GroupMember.objects.select_related("group__cohort__hub", "participant").get(
        group_id=link.group_id,  # type: ignore[attr-defined]
        participant_id=link.participant_id,  # type: ignore[attr-defined]
    )


def fellow_members(member: GroupMember) -> list[GroupMember]:
    """The other members who are in, for a member's page: only what each chose to share
    is shown there (the template reads the `share_` flags)."""
    return list(
        member.group.members.filter(opted_in_at__isnull=False, withdrawn_at__isnull=True)
        .exclude(pk=member.pk)
        .select_related("participant__business")
    )


def member_meetings(member: GroupMember) -> list[GroupMeeting]:
    """The group's meetings, each with this member's own answer (`mine`, or none) and
    their own action card (`my_card`, or none)."""
    return list(
        member.group.meetings.prefetch_related(
            Prefetch(
                "replies", queryset=MeetingReply.objects.filter(member=member), to_attr="mine"
            ),
            Prefetch(
                "action_cards",
                queryset=MeetingActionCard.objects.filter(member=member),
                to_attr="my_card",
            ),
        ).order_by("starts_at", "pk")
    )


def member_meeting_cards(
    member: GroupMember, meeting_pk: int
) -> tuple[GroupMeeting, MeetingActionCard | None, MeetingActionCard | None]:
    """One of the member's group's meetings (GroupMeeting.DoesNotExist for any other),
    the member's card for it, and their card from the meeting before it, to report back
    on (the latest earlier meeting they kept one for). Three queries."""
    meeting = member.group.meetings.get(pk=meeting_pk)
    cards = MeetingActionCard.objects.filter(member=member).select_related("meeting")
    card = cards.filter(meeting=meeting).first()
    previous = (
        cards.filter(meeting__starts_at__lt=meeting.starts_at)
        .order_by("-meeting__starts_at", "-pk")
        .first()
    )
    return meeting, card, previous


# --- business support ----------------------------------------------------------------------


def hub_support_schemes(hub: Hub) -> list[SupportScheme]:
    """The hub's schemes; a national one the hub has not been given yet stands in unsaved
    (every hub starts with the national schemes offered)."""
    schemes = list(SupportScheme.objects.filter(hub=hub))
    have = {s.key for s in schemes if s.national}
    missing = [
        SupportScheme(hub=hub, national=True, **scheme)
        for scheme in NATIONAL_SCHEMES
        if scheme["key"] not in have
    ]
    return sorted(missing + schemes, key=lambda s: (not s.national, s.title.lower()))


def offered_schemes(hub: Hub) -> list[SupportScheme]:
    return [s for s in hub_support_schemes(hub) if s.offered]


@dataclass(frozen=True)
class SchemeCount:
    title: str
    counts: dict[str, int]
    total: int


def referral_counts(hub: Hub) -> list[SchemeCount]:
    """Referrals by scheme and status (one query)."""
    rows = (
        Referral.objects.filter(hub=hub)
        .values("scheme__title", "status")
        .annotate(n=Count("pk"))
        .order_by("scheme__title", "status")
    )
    by_scheme: dict[str, dict[str, int]] = {}
    for row in rows:
        by_scheme.setdefault(row["scheme__title"], dict.fromkeys(ReferralStatus.values, 0))[
            row["status"]
        ] = row["n"]
    return [SchemeCount(t, c, sum(c.values())) for t, c in by_scheme.items()]


def hub_referrals(hub: Hub) -> QuerySet[Referral]:
    return Referral.objects.filter(hub=hub).select_related("participant", "scheme")
