"""Reads for attendance (K8): who is expected at a session, the register as recorded,
and a member's record across their cohort's sessions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cohorts.models import Cohort, CohortMembership
from participants.models import Participant
from peernet.calendar import local_date
from sessions.models import (
    Attendance,
    GroupSession,
    SessionStatus,
)


def session_members(session: GroupSession) -> list[CohortMembership]:
    """Who is expected at the session, as K8 counts them: members on the session's
    day (joined, not left, not dropped out), by name. One query."""
    day = local_date(session.starts_at)
    return list(
        CohortMembership.objects.filter(cohort_id=session.cohort_id, joined__lte=day)
        .filter(Q(left__isnull=True) | Q(left__gt=day))
        .filter(
            Q(participant__dropped_out_on__isnull=True) | Q(participant__dropped_out_on__gt=day)
        )
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def session_attendance(session: GroupSession) -> dict[int, Attendance]:
    """The attendance recorded for the session, by participant id. One query."""
    return {row.participant_id: row for row in Attendance.objects.filter(session=session)}


def register_as_shown(recorded: dict[int, Attendance]) -> dict[str, str]:
    """The register as recorded (`session_attendance`), in words, by participant id:
    what the register page showed, for peernet.stale to compare at the next save."""
    return {
        str(participant_id): (
            f"present, {row.hours.normalize():f} hours"
            if row.present
            else "absent, with apologies"
            if row.apologies
            else "absent"
        )
        for participant_id, row in recorded.items()
    }


def member_attendance(cohort: Cohort, participant: Participant) -> list[dict[str, Any]]:
    """The member's record at each delivered session of the cohort: present, absent,
    absent with apologies, or not recorded. Two queries."""
    sessions = GroupSession.objects.filter(cohort=cohort, status=SessionStatus.DELIVERED).order_by(
        "starts_at"
    )
    rows = {
        a.session_id: a
        for a in Attendance.objects.filter(participant=participant, session__cohort=cohort)
    }
    record = []
    for session in sessions:
        row = rows.get(session.pk)
        if row is None:
            words = "Not recorded"
        elif row.present:
            words = "Present"
        elif row.apologies:
            words = "Absent with apologies"
        else:
            words = "Absent"
        record.append({"session": session, "words": words})
    return record
