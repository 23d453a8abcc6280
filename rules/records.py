"""What several rule families read from the records: a cohort's sessions not cancelled
or delivered, who is a member on a day, who was present, a participant's first group
session; and the one judgement two families share, joining instructions in time (K7 for
a group session, O5 for a one-to-one).

These read related rows through `.all()` and filter in Python, so a caller judging many
subjects can `prefetch_related` them once (each family's module names its prefetches).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cohorts.models import Cohort, CohortMembership
from participants.models import Participant
from peernet.calendar import elapsed, hours_before, local_date
from peernet.words import date_words, duration_words, when_words
from rules.registry import Outcome, Verdict
from sessions.models import Attendance, GroupSession, SessionStatus


def session_name(session: GroupSession) -> str:
    return f"the session of {session.cohort.name} on {date_words(local_date(session.starts_at))}"


def sessions_not_cancelled(sessions: Iterable[GroupSession]) -> list[GroupSession]:
    return sorted(
        (s for s in sessions if s.status != SessionStatus.CANCELLED), key=lambda s: s.starts_at
    )


def delivered_group_sessions(sessions: Iterable[GroupSession]) -> list[GroupSession]:
    return sorted(
        (s for s in sessions if s.status == SessionStatus.DELIVERED), key=lambda s: s.starts_at
    )


def has_left(membership: CohortMembership, day: dt.date) -> bool:
    """A membership ends on its `left` date: a participant moved on that day is already
    in their new cohort."""
    return membership.left is not None and membership.left <= day


def current_members(cohort: Cohort, day: dt.date) -> list[CohortMembership]:
    """Members allocated and not left by `day` (an allocation may start later)."""
    return [m for m in cohort.memberships.all() if not has_left(m, day)]


def members_on(cohort: Cohort, day: dt.date) -> list[CohortMembership]:
    """Members expected at a session on `day`: joined, not left, not dropped out."""
    return [
        m
        for m in cohort.memberships.all()
        if m.joined <= day
        and not has_left(m, day)
        and (m.participant.dropped_out_on is None or m.participant.dropped_out_on > day)
    ]


def current_membership(participant: Participant, day: dt.date) -> CohortMembership | None:
    current = [m for m in participant.memberships.all() if not has_left(m, day)]
    return max(current, key=lambda m: m.joined, default=None)


def latest_membership(participant: Participant) -> CohortMembership | None:
    return max(participant.memberships.all(), key=lambda m: m.joined, default=None)


def present_at(session: GroupSession) -> list[Attendance]:
    return [row for row in session.attendance.all() if row.present]


def first_attended_session(participant: Participant) -> GroupSession | None:
    attended = [
        row.session
        for row in participant.attendance.all()
        if row.present and row.session.status == SessionStatus.DELIVERED
    ]
    return min(attended, key=lambda s: s.starts_at, default=None)


def first_group_session_to_come(participant: Participant) -> GroupSession | None:
    """The first scheduled session of the participant's cohort since they joined it."""
    membership = latest_membership(participant)
    if membership is None:
        return None
    return next(
        (
            s
            for s in sessions_not_cancelled(membership.cohort.sessions.all())
            if s.status == SessionStatus.SCHEDULED and local_date(s.starts_at) >= membership.joined
        ),
        None,
    )


def has_dropped_out(participant: Participant, day: dt.date) -> bool:
    return participant.dropped_out_on is not None and participant.dropped_out_on <= day


def not_delivered(session: GroupSession) -> Verdict | None:
    if session.status == SessionStatus.DELIVERED:
        return None
    return Verdict(Outcome.NOT_APPLICABLE, f"The session is {session.get_status_display()}.")


def joining_instructions(
    *,
    what: str,
    starts_at: dt.datetime,
    sent_at: dt.datetime | None,
    cancelled: bool,
    notice_hours: int,
    late: Outcome,
    as_of: dt.datetime,
) -> Verdict:
    """K7 and O5: joining instructions no later than `notice_hours` real hours before."""
    if cancelled:
        return Verdict(Outcome.NOT_APPLICABLE, f"The {what} was cancelled.")
    rule_words = f"they are due {notice_hours} hours before"
    if sent_at is not None:
        notice = elapsed(sent_at, starts_at)
        if notice >= dt.timedelta(hours=notice_hours):
            return Verdict(
                Outcome.PASS,
                f"Joining instructions were sent {duration_words(notice)} before the {what}; "
                f"{rule_words}.",
            )
        side = "before the" if notice >= dt.timedelta(0) else "after the start of the"
        return Verdict(
            late,
            f"Joining instructions were sent {duration_words(notice)} {side} {what}; {rule_words}.",
        )
    deadline = hours_before(starts_at, notice_hours)
    due = local_date(deadline)
    if as_of < deadline:
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"Joining instructions for the {what} are due by {when_words(deadline)}, "
            f"{notice_hours} hours before it starts.",
            due,
        )
    return Verdict(
        late,
        f"Joining instructions for the {what} have not been sent; they were due by "
        f"{when_words(deadline)}, {notice_hours} hours before it starts.",
        due,
    )
