"""Writes after the programme: continuing groups (started by the hub, joined and run by
their members through their links) and business support (the hub's schemes, the
participants' referrals). Each is one transaction and leaves an audit event; what a
participant does through a link is recorded with no staff actor, and says so.

Nothing here touches a programme session, its attendance or its hours: a continuing
group's meetings are not the programme's, and no figure of a return reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from alumni.links import GROUP, SUPPORT, group_link_issue, group_link_url
from alumni.models import (
    AlumniLink,
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
from participants.links import link_use
from participants.surveys.selectors import cohort_completed_on, completer_memberships
from peernet import audit, mail
from peernet.db import save_fields
from peernet.models import EmailKind
from sessions.action_cards import CardText, compose_actions

# --- continuing groups --------------------------------------------------------------------


@transaction.atomic
def continuing_group_start(
    *, cohort: Cohort, by: Any, now: dt.datetime | None = None
) -> ContinuingGroup:
    """The completed cohort becomes a continuing group; everyone who stayed to the end is
    invited (none is in until they opt in through their link)."""
    now = now or timezone.now()
    if cohort_completed_on(cohort) is None:
        raise ValidationError(
            f"{cohort.name} has not delivered the programme's "
            f"{cohort.programme.cohort_hours:g} hours yet: a cohort carries on as a "
            "continuing group once it has completed."
        )
    if ContinuingGroup.objects.filter(cohort=cohort).exists():
        raise ValidationError(f"{cohort.name} is already a continuing group.")
    group = ContinuingGroup.objects.create(
        hub=cohort.hub, cohort=cohort, started_at=now, started_by=by
    )
    stayed = completer_memberships([cohort.pk]).order_by("participant_id")
    GroupMember.objects.bulk_create(
        GroupMember(group=group, participant_id=m.participant_id) for m in stayed
    )
    audit.record(
        by,
        "create",
        group,
        hub=cohort.hub_id,
        summary=f"{cohort.name} started as a continuing group ({len(stayed)} invited)",
    )
    return group


@transaction.atomic
def group_links_send(*, group: ContinuingGroup, by: Any) -> int:
    """Email each member who has not withdrawn a link to their place in the group (a
    newer link replaces the one sent before). Returns how many were sent."""
    members = (
        group.members.filter(withdrawn_at__isnull=True, participant__email__gt="")
        .select_related("participant__hub")
        .order_by("pk")
    )
    sent = 0
    for member in members:
        token = group_link_issue(participant=member.participant, group=group)
        mail.send_to_participant(
            member.participant,
            kind=EmailKind.NOTICE,
            subject="Your continuing group",
            template="alumni/group_email.txt",
            context={
                "participant": member.participant,
                "group": group,
                "url": group_link_url(token),
                "days": GROUP.days,
            },
        )
        sent += 1
    audit.record(
        by, "update", group, hub=group.hub_id, summary=f"Continuing group links sent ({sent})"
    )
    return sent


@transaction.atomic
def member_opt_in(
    *,
    member: GroupMember,
    share_email: bool,
    share_phone: bool,
    share_business: bool,
    now: dt.datetime | None = None,
) -> GroupMember:
    """Through their link: the member is in, sharing what they chose (their consent,
    recorded with its time; choosing again records the new choice)."""
    now = now or timezone.now()
    first = not member.is_in
    save_fields(
        member,
        opted_in_at=now if first else member.opted_in_at,
        consent_at=now,
        withdrawn_at=None,
        share_email=share_email,
        share_phone=share_phone,
        share_business=share_business,
    )
    shared = [
        what
        for what, yes in (
            ("email", share_email),
            ("phone", share_phone),
            ("business", share_business),
        )
        if yes
    ]
    audit.record(
        None,
        "update",
        member,
        hub=member.group.hub_id,
        summary=("Opted in" if first else "Changed what they share")
        + f" through their link (shares: {', '.join(shared) or 'nothing'})",
    )
    return member


@transaction.atomic
def member_withdraw(*, member: GroupMember, now: dt.datetime | None = None) -> GroupMember:
    """Through their link: the member withdraws; the others no longer see their details,
    and a host hands the group back to the hub to choose another."""
    if not member.is_in:
        raise ValidationError("You are not in the group, so there is nothing to withdraw.")
    save_fields(
        member,
        withdrawn_at=now or timezone.now(),
        share_email=False,
        share_phone=False,
        share_business=False,
        host=False,
    )
    audit.record(
        None,
        "update",
        member,
        hub=member.group.hub_id,
        summary="Withdrew from the continuing group through their link",
    )
    return member


@transaction.atomic
def group_host_choose(*, group: ContinuingGroup, member: GroupMember, by: Any) -> GroupMember:
    """The member who hosts the group (schedules its meetings): one who has opted in."""
    member = GroupMember.objects.select_for_update().get(pk=member.pk, group=group)
    if not member.is_in:
        raise ValidationError(
            f"{member.participant.full_name} has not opted in to the group: only a member "
            "who has can host it."
        )
    group.members.filter(host=True).exclude(pk=member.pk).update(host=False)
    save_fields(member, host=True)
    audit.record(
        by,
        "update",
        group,
        hub=group.hub_id,
        summary=f"Host of the continuing group: member {member.pk}",
    )
    return member


@transaction.atomic
def group_meeting_schedule(
    *,
    member: GroupMember,
    starts_at: dt.datetime,
    place: str,
    topic: str = "",
    now: dt.datetime | None = None,
) -> GroupMeeting:
    """Through the host's link: a meeting of the group."""
    now = now or timezone.now()
    if not (member.host and member.is_in):
        raise ValidationError("Only the group's host can schedule its meetings.")
    if starts_at <= now:
        raise ValidationError("Enter a date and time in the future for the meeting")
    meeting = GroupMeeting.objects.create(
        group=member.group,
        starts_at=starts_at,
        place=place.strip(),
        topic=topic.strip(),
        scheduled_by=member,
        scheduled_at=now,
    )
    audit.record(
        None,
        "create",
        meeting,
        hub=member.group.hub_id,
        summary="Meeting scheduled by the continuing group's host through their link",
    )
    return meeting


@transaction.atomic
def meeting_reply(
    *, meeting: GroupMeeting, member: GroupMember, yes: bool, now: dt.datetime | None = None
) -> MeetingReply:
    """Through a member's link: before the meeting, whether they are coming; once it has
    begun, whether they came."""
    now = now or timezone.now()
    if meeting.group_id != member.group_id or not member.is_in:
        raise ValidationError("Opt in to the group to answer its meetings.")
    answer = {"attended": yes} if meeting.starts_at <= now else {"coming": yes}
    reply, _ = MeetingReply.objects.update_or_create(
        meeting=meeting, member=member, defaults={**answer, "answered_at": now}
    )
    what = "attended" if "attended" in answer else "coming"
    audit.record(
        None,
        "update",
        reply,
        hub=member.group.hub_id,
        summary=f"Answered a group meeting through their link ({what}: {'yes' if yes else 'no'})",
    )
    return reply


@transaction.atomic
def meeting_action_card_write(
    *,
    meeting: GroupMeeting,
    member: GroupMember,
    text: CardText,
    now: dt.datetime | None = None,
) -> MeetingActionCard:
    """Through a member's link: their action card for one of the group's meetings, once
    it has begun, kept as the programme's cards are (`sessions.action_cards`: the problem
    and the actions composed into one text, and the report back). Written again as often
    as they like; not the programme's K10, and no return reads it."""
    now = now or timezone.now()
    if meeting.group_id != member.group_id or not member.is_in:
        raise ValidationError("Opt in to the group to keep action cards for its meetings.")
    if meeting.starts_at > now:
        raise ValidationError("You can write your action card once the meeting has begun.")
    problem, actions, report_back = (part.strip() for part in CardText(*text))
    if not actions:
        raise ValidationError("Enter the actions you agreed")
    card, created = MeetingActionCard.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={"actions": compose_actions(problem, actions), "report_back": report_back},
    )
    audit.record(
        None,
        "create" if created else "update",
        card,
        hub=member.group.hub_id,
        summary="Action card for a group meeting written through the member's link",
    )
    return card


# --- business support --------------------------------------------------------------------


def support_schemes_seed(*, hub: Any) -> None:
    """The national schemes, offered, for a hub that has not got them yet (inside the
    caller's transaction)."""
    have = set(SupportScheme.objects.filter(hub=hub, national=True).values_list("key", flat=True))
    SupportScheme.objects.bulk_create(
        SupportScheme(hub=hub, national=True, **scheme)
        for scheme in NATIONAL_SCHEMES
        if scheme["key"] not in have
    )


@transaction.atomic
def support_scheme_add(*, hub: Any, title: str, blurb: str, url: str, by: Any) -> SupportScheme:
    """A local scheme the hub offers."""
    support_schemes_seed(hub=hub)
    key = slugify(title)[:60]
    if (
        SupportScheme.objects.filter(hub=hub, key=key).exists()
        or SupportScheme.objects.filter(hub=hub, title__iexact=title.strip()).exists()
    ):
        raise ValidationError(f"The hub already offers a scheme called {title.strip()}.")
    scheme = SupportScheme.objects.create(
        hub=hub, key=key, title=title.strip(), blurb=blurb.strip(), url=url
    )
    audit.record(by, "create", scheme, hub=hub, summary=f"Business support added: {scheme.title}")
    return scheme


@transaction.atomic
def support_scheme_offer(*, hub: Any, key: str, offered: bool, by: Any) -> SupportScheme:
    """Offer a scheme at the end of the programme, or stop offering it."""
    support_schemes_seed(hub=hub)
    scheme = SupportScheme.objects.filter(hub=hub, key=key).first()
    if scheme is None:
        raise ValidationError("Choose a scheme the hub has.")
    save_fields(scheme, offered=offered)
    audit.record(
        by,
        "update",
        scheme,
        hub=hub,
        summary=f"{scheme.title}: {'offered' if offered else 'no longer offered'}",
    )
    return scheme


@transaction.atomic
def referrals_record(
    *, link: AlumniLink, keys: Iterable[str], now: dt.datetime | None = None
) -> list[Referral]:
    """Through the participant's support link: a referral for each offered scheme they
    are interested in. The link is spent."""
    now = now or timezone.now()
    participant = link.participant
    support_schemes_seed(hub=participant.hub)
    schemes = list(
        SupportScheme.objects.filter(hub=participant.hub, offered=True, key__in=set(keys))
    )
    if not schemes:
        raise ValidationError("Select the support you are interested in")
    link_use(link, kind=SUPPORT, now=now)
    referrals = []
    for scheme in schemes:
        referral, created = Referral.objects.get_or_create(
            participant=participant,
            scheme=scheme,
            defaults={"hub": participant.hub, "created_at": now, "updated_at": now},
        )
        if created:
            audit.record(
                None,
                "create",
                referral,
                hub=participant.hub_id,
                summary=f"Interested in {scheme.title}, through their link",
            )
        referrals.append(referral)
    return referrals


@transaction.atomic
def referral_status_set(*, referral: Referral, status: str, by: Any) -> Referral:
    """The hub's follow-up of a referral."""
    if status not in ReferralStatus.values:
        raise ValidationError("Choose a status")
    before = referral.status
    save_fields(referral, status=status, updated_at=timezone.now(), updated_by=by)
    audit.record(
        by,
        "update",
        referral,
        hub=referral.hub_id,
        summary=f"Referral to {referral.scheme.title}: {before} to {status}",
        before={"status": before},
        after={"status": status},
    )
    return referral
