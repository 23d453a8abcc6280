"""Writes for a group session's records: when they may be kept (a session that has
started and was not cancelled), and the facilitator notes with the topics covered (K9).
The register and absences are sessions/attendance/'s, one-to-one support
sessions/one_to_one/'s, observations and complaints (Q1–Q5) sessions/quality.py's.

A refusal is a `ValidationError` whose sentence the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peernet import audit
from peernet.calendar import local_date
from peernet.models import User
from peernet.words import date_words
from sessions.models import (
    FacilitatorNote,
    GroupSession,
    SessionStatus,
    Topic,
)

# --- the facilitator's records: attendance (K8), action cards (K10), notes (K9) --------


def session_recording_refusal(
    session: GroupSession, *, as_of: dt.datetime, what: str
) -> str | None:
    """Why `what` (attendance, facilitator notes) cannot be recorded for the session
    yet, or None: a cancelled session has none, and a session that has not started has
    none yet."""
    if session.status == SessionStatus.CANCELLED:
        return f"The session was cancelled, so there is no {what} to record."
    if session.starts_at > as_of:
        return (
            f"The session has not started yet: record the {what} once it has "
            f"(it starts on {date_words(local_date(session.starts_at))} at "
            f"{timezone.localtime(session.starts_at):%H:%M})."
        )
    return None


def session_recording_check(session: GroupSession, *, as_of: dt.datetime, what: str) -> None:
    """Refuse (`ValidationError`) to record `what` when `session_recording_refusal` says
    it cannot be recorded yet."""
    refusal = session_recording_refusal(session, as_of=as_of, what=what)
    if refusal is not None:
        raise ValidationError(refusal)


@transaction.atomic
def session_write_notes(
    *,
    session: GroupSession,
    by: User,
    issues_brought: str,
    actions_agreed: str,
    process_issues: str,
    hot_topics: str,
    topics: Iterable[Topic] = (),
    as_of: dt.datetime | None = None,
) -> FacilitatorNote:
    """K9: write (or rewrite) the facilitator notes of a session that has started, and
    record the BEIS core topics (or finer topics) it covered: the session's topics, the
    one record of them, which the monthly return counts (topics_month) and the hot-topic
    lists roll up."""
    as_of = as_of or timezone.now()
    session = GroupSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    session_recording_check(session, as_of=as_of, what="facilitator notes")
    note, _ = FacilitatorNote.objects.update_or_create(
        session=session,
        defaults={
            "issues_brought": issues_brought.strip(),
            "actions_agreed": actions_agreed.strip(),
            "process_issues": process_issues.strip(),
            "hot_topics": hot_topics.strip(),
            "author": by,
        },
    )
    session.topics.set(list(topics))
    audit.record(
        by,
        "update",
        note,
        hub=session.cohort.hub_id,
        summary=f"Facilitator notes written for session {session.pk}",
        log_extra={"session_id": session.pk},
    )
    return note
