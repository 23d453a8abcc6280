"""Reads for delivery pages: the facilitator's cohorts and next sessions, a session's
notices, last session's actions and its notes, and the hot topics roll-up (a session's
register is sessions/attendance/selectors.py's).

Each list is one query whatever its length (the page tests count them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cohorts.models import Cohort
from cohorts.selectors import cohorts_with_hours, with_member_count
from peernet.access import facilitated_cohort_ids
from peernet.calendar import local_date, london_midnight
from peernet.models import Hub, User
from peernet.words import date_words
from sessions.models import (
    ActionCard,
    Attendance,
    FacilitatorNote,
    GroupSession,
    JoiningInstructionsSent,
    SessionStatus,
    Topic,
)

# How many of the next sessions the facilitator's home page lists.
NEXT_SESSIONS_SHOWN = 10


def facilitator_cohorts(user: User, *, today: dt.date) -> QuerySet[Cohort]:
    """The cohorts the user facilitates, with their hub, `member_count` (current members)
    and hours (`cohorts_with_hours`), in one query."""
    cohorts = cohorts_with_hours(Cohort.objects.filter(pk__in=facilitated_cohort_ids(user)))
    return with_member_count(cohorts.select_related("hub", "programme"), today=today).order_by(
        "hub__name", "name"
    )


@dataclass(frozen=True)
class JoiningStatus:
    """K7 in words for the home page: sent, due by when, or late."""

    words: str
    late: bool = False
    sent: bool = False


def joining_status(session: GroupSession, *, as_of: dt.datetime) -> JoiningStatus:
    if session.joining_instructions_sent_at is not None:
        sent = local_date(session.joining_instructions_sent_at)
        return JoiningStatus(f"Sent on {date_words(sent)}", sent=True)
    notice = session.cohort.programme.joining_instructions_hours  # K7
    due = session.starts_at - dt.timedelta(hours=notice)
    if due < as_of:
        return JoiningStatus("Not sent: late", late=True)
    return JoiningStatus(f"Due by {date_words(local_date(due))}")


def session_notices(session: GroupSession) -> QuerySet[JoiningInstructionsSent]:
    """Who was told what about the session, and when: the schedule, the joining
    instructions, each update after a move, the cancellation; newest first. One query."""
    return (
        JoiningInstructionsSent.objects.filter(session=session)
        .select_related("participant", "email__hub")
        .order_by("-sent_at", "participant__last_name", "participant__pk")
    )


def facilitator_next_sessions(
    user: User, *, as_of: dt.datetime, limit: int = NEXT_SESSIONS_SHOWN
) -> list[tuple[GroupSession, JoiningStatus]]:
    """The next scheduled sessions of the user's cohorts, soonest first, each with its
    joining instructions' status (K7). One query."""
    sessions = (
        GroupSession.objects.filter(
            cohort_id__in=facilitated_cohort_ids(user),
            status=SessionStatus.SCHEDULED,
            starts_at__gte=as_of - dt.timedelta(hours=12),  # today's, while it runs
        )
        .select_related("cohort__hub", "cohort__programme")
        .order_by("starts_at")[:limit]
    )
    return [(s, joining_status(s, as_of=as_of)) for s in sessions]


def facilitator_sessions_to_record(user: User, *, as_of: dt.datetime) -> QuerySet[GroupSession]:
    """Sessions of the user's cohorts that have started, latest first (to take the
    register and write the notes). One query."""
    return (
        GroupSession.objects.filter(
            cohort_id__in=facilitated_cohort_ids(user), starts_at__lte=as_of
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("cohort__hub")
        .order_by("-starts_at")
    )


# --- the session page ----------------------------------------------------------------


@dataclass(frozen=True)
class LastSession:
    session: GroupSession
    cards: list[ActionCard]
    actions_agreed: str  # the facilitator notes' "actions agreed"


def previous_session(session: GroupSession) -> GroupSession | None:
    return (
        GroupSession.objects.filter(cohort_id=session.cohort_id, starts_at__lt=session.starts_at)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def last_session_actions(session: GroupSession) -> LastSession | None:
    """Last session's action cards and agreed actions, for the report back at this one.
    Three queries at most."""
    previous = previous_session(session)
    if previous is None:
        return None
    cards = list(
        ActionCard.objects.filter(session=previous)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )
    note = FacilitatorNote.objects.filter(session=previous).only("actions_agreed").first()
    return LastSession(
        session=previous, cards=cards, actions_agreed=note.actions_agreed if note else ""
    )


def session_note(session: GroupSession) -> FacilitatorNote | None:
    return FacilitatorNote.objects.filter(session=session).first()


# --- hot topics ----------------------------------------------------------------------


@dataclass(frozen=True)
class HotTopic:
    topic: Topic
    count: int  # delivered sessions recorded as covering it

    @property
    def name(self) -> str:
        if self.topic.parent is not None:
            return f"{self.topic.parent.name}: {self.topic.name}"
        return self.topic.name


def hot_topics(hub: Hub | None = None, *, cohorts: Iterable[int] | None = None) -> list[HotTopic]:
    """How many sessions covered each topic (as their facilitators recorded it), most
    often first: for a hub, for some cohorts (a facilitator's), or nationally. One query."""
    # One filter() before the count: the count runs over the sessions it keeps, through
    # one join that starts from the hub's cohorts (not over every session in the country).
    sessions = Q()
    if hub is not None:
        sessions &= Q(sessions__cohort__hub=hub)
    if cohorts is not None:
        sessions &= Q(sessions__cohort_id__in=list(cohorts))
    topics = (
        Topic.objects.filter(sessions)
        .annotate(n=Count("sessions", distinct=True))
        .filter(n__gt=0)
        .select_related("parent")
        .order_by("-n", "position", "pk")
    )
    return [HotTopic(topic=topic, count=topic.n) for topic in topics]


# --- the hub's sessions list -----------------------------------------------------------

REGISTER_MISSING = "register_missing"


def registers_missing(sessions: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    """The sessions delivered with no attendance recorded (K8): the cockpit's "attendance
    missing" and the sessions list's "register missing" filter."""
    return sessions.filter(status=SessionStatus.DELIVERED).exclude(
        pk__in=Attendance.objects.values("session")
    )


def hub_sessions(
    *,
    hub: Hub,
    user: User,
    cohort: str = "",
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[GroupSession]:
    """Every session of the hub's cohorts the user may see, with its cohort and how many
    were recorded present and absent, in one query; narrowed by the list's filters:
    a cohort's code, a status (or `REGISTER_MISSING`), London days from and to."""
    sessions = (
        GroupSession.objects.filter(cohort__hub=hub)
        .visible_to(user)
        .select_related("cohort")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
            absent_count=Count("attendance", filter=Q(attendance__present=False)),
        )
    )
    if cohort:
        sessions = sessions.filter(cohort__code=cohort)
    if status == REGISTER_MISSING:
        sessions = registers_missing(sessions)
    elif status:
        sessions = sessions.filter(status=status)
    if date_from is not None:
        sessions = sessions.filter(starts_at__gte=london_midnight(date_from))
    if date_to is not None:
        sessions = sessions.filter(starts_at__lt=london_midnight(date_to + dt.timedelta(days=1)))
    return sessions
