"""Calendar feeds (docs/cockpit.md): a facilitator's and a provider's own sessions as an
iCalendar feed (`sessions/ics.py`) their calendar app subscribes to, behind a secret link.

The link is a token signed over a stored nonce (`participants.links.sign`, the one home of
signed links), so it can be revoked: issuing a new one revokes the old, and a revoked,
tampered or unknown token is a 404. A feed holds only what its owner already sees on
their pages, read afresh on each fetch from their role assignments: a facilitator's the
group sessions of the cohorts they facilitate (cohort and time, no participant), a
provider's the one-to-ones they give (the participant's name, as on their home page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from participants.links import read, sign
from peernet import audit, mail
from peernet.access import facilitated_cohort_ids
from peernet.hours import ends_at
from peernet.models import AuditAction, User
from peernet.scoping import scopes_disabled
from sessions import ics
from sessions.models import CalendarFeed, GroupSession, OneToOneSession, SessionStatus

SALT = "sessions.calendar-feed"
# The link does not expire by age: revoking it is what stops it.
NEVER = dt.timedelta(days=100 * 365)


@transaction.atomic
def calendar_feed_issue(*, user: User, request: object = None) -> str:
    """A new secret link for the user's feed; any earlier one stops working."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked__isnull=True).update(revoked=now)
    feed = CalendarFeed.objects.create(user=user)
    audit.record(
        user, AuditAction.CREATE, feed, summary="Calendar feed link issued", request=request
    )
    return sign(feed.nonce, salt=SALT)


@transaction.atomic
def calendar_feed_revoke(*, user: User, request: object = None) -> int:
    """Stop the user's feed link; the number of links stopped (0 or 1)."""
    stopped = CalendarFeed.objects.filter(user=user, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    if stopped:
        audit.record(
            user,
            AuditAction.UPDATE,
            object_type="delivery.CalendarFeed",
            object_id=user.pk,
            summary="Calendar feed link revoked",
            request=request,
        )
    return stopped


def calendar_feed_token(user: User) -> str | None:
    """The user's current feed link's token, or None (one query)."""
    feed = CalendarFeed.objects.filter(user=user, revoked__isnull=True).order_by("-pk").first()
    return sign(feed.nonce, salt=SALT) if feed else None


def calendar_feed_owner(token: str) -> User:
    """The active user a feed token belongs to; 404 for anything else."""
    try:
        nonce, _ = read(token, salt=SALT, max_age=NEVER)
    except signing.BadSignature as exc:
        raise Http404("No such calendar feed.") from exc
    feed = (
        CalendarFeed.objects.filter(nonce=nonce, revoked__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar feed.")
    return feed.user


def _event(
    record: GroupSession | OneToOneSession, uid: str, summary: str, **common: Any
) -> ics.Event:
    """A session or one-to-one as a feed's event (`common`: the stamp and organizer)."""
    return ics.Event(
        uid=f"{uid}-feed@peernet",
        start=record.starts_at,
        end=ends_at(record.starts_at, record.hours),
        summary=summary,
        sequence=record.sequence,
        cancelled=record.status == SessionStatus.CANCELLED,
        **common,
    )


def calendar_feed_ics(user: User, *, now: dt.datetime) -> str:
    """The user's own group sessions (as a facilitator) and one-to-ones (as a provider),
    cancelled ones marked so, as one iCalendar to subscribe to. Two queries."""
    common = {"stamp": now, "organizer": ics.Person(name="Peer Networks", email=mail.address())}
    with scopes_disabled():  # the token, not a signed-in hub, says whose feed this is
        sessions = GroupSession.objects.filter(
            cohort_id__in=facilitated_cohort_ids(user)
        ).select_related("cohort")
        one_to_ones = OneToOneSession.objects.filter(provider=user).select_related("participant")
        events = [
            _event(s, str(s.code), f"Peer Networks: {s.cohort.name}", location=s.location, **common)
            for s in sessions.order_by("starts_at", "pk")
        ] + [
            _event(o, o.key, f"One-to-one: {o.participant.full_name}", **common)
            for o in one_to_ones.order_by("starts_at", "pk")
        ]
    return ics.calendar(*events, method=ics.PUBLISH)
