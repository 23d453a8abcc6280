"""Writes for attendance (K8): the register of a session, and following up a member's
absences: a follow-up recorded (K13), a member reported as disengaged (K13), a drop-out.

Each write is keyword-only and atomic; a refusal is a `ValidationError` whose sentence
the page shows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from cohorts.models import Cohort
from participants.models import DropoutCause, Participant
from participants.tasks import survey_invite_dropout, survey_invite_session_delivered
from peernet import audit, mail, stale
from peernet.db import save_fields
from peernet.models import EmailKind, Hub, RuleWarning, User
from peernet.words import date_words, hours_words

# --- the facilitator's records: attendance (K8) and facilitator notes (K9) -------------
from sessions.attendance.selectors import register_as_shown, session_attendance, session_members
from sessions.models import (
    AbsenceFollowUp,
    Attendance,
    FollowUpMethod,
    GroupSession,
    SessionStatus,
)
from sessions.services import session_recording_check


class Presence(models.TextChoices):
    """A row of the attendance register."""

    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    APOLOGIES = "apologies", "Absent with apologies"


@dataclass(frozen=True)
class AttendanceRow:
    """One participant's line of the register, as posted (by their public code)."""

    participant_code: uuid.UUID | str
    presence: Presence | str
    hours: Decimal


def _register_members(session: GroupSession, rows: list[AttendanceRow]) -> dict[str, Participant]:
    """K8: the members expected at the session, by public code, once the register is
    found to list each of them exactly once and nobody else."""
    members = {str(m.participant.code): m.participant for m in session_members(session)}
    posted = [str(row.participant_code) for row in rows]
    if any(code not in members for code in posted) or len(set(posted)) != len(posted):
        raise ValidationError(
            "The register lists someone who is not a member of this cohort on the session's "
            "date. Reload the page and try again."
        )
    missing = [p.full_name for code, p in members.items() if code not in posted]
    if missing:
        raise ValidationError(f"Record attendance for {', '.join(sorted(missing))}.")
    return members


def _attendance(session: GroupSession, participant: Participant, row: AttendanceRow) -> Attendance:
    """One line of the register as it will be saved, once its presence and hours are
    found to make sense: more than 0 hours and at most the session's when present, 0
    when absent."""
    name = participant.full_name
    if row.presence not in Presence.values:
        raise ValidationError(f"Choose whether {name} was present or absent.")
    present = row.presence == Presence.PRESENT
    if present and row.hours <= 0:
        raise ValidationError(f"The hours {name} attended must be more than 0.")
    if present and row.hours > session.hours:
        raise ValidationError(
            f"The hours {name} attended must be {hours_words(session.hours)} or fewer, "
            "the session's length."
        )
    if not present and row.hours != 0:
        raise ValidationError(f"The hours {name} attended must be 0 when absent.")
    return Attendance(
        session=session,
        participant=participant,
        present=present,
        apologies=row.presence == Presence.APOLOGIES,
        hours=row.hours,
    )


def _register_changes(
    before: dict[int, Attendance], after: list[Attendance]
) -> tuple[list[dict[str, Any]], bool]:
    """What the register changed, line by line, for the audit trail, and whether it
    marks anyone present who was not before."""
    changes = []
    newly_present = False
    for attendance in after:
        old = before.get(attendance.participant_id)
        was = None if old is None else (old.present, old.apologies, old.hours)
        now = (attendance.present, attendance.apologies, attendance.hours)
        if was != now:
            changes.append({"participant": attendance.participant_id, "was": was, "now": now})
        newly_present = newly_present or (attendance.present and (old is None or not old.present))
    return changes, newly_present


def _mark_delivered(session: GroupSession) -> bool:
    """A scheduled session whose register is taken has been delivered: whether it has
    just become so."""
    if session.status != SessionStatus.SCHEDULED:
        return False
    session.status = SessionStatus.DELIVERED
    session.save(update_fields=["status"])
    return True


@transaction.atomic
def session_record_attendance(
    *,
    session: GroupSession,
    rows: Iterable[AttendanceRow],
    by: User,
    as_of: dt.datetime | None = None,
    seen: str | None = None,
) -> list[Attendance]:
    """K8: record (or correct) the register of a session that has started, a row for
    every participant expected there, all or nothing; the session becomes delivered.
    `seen`: the register as its page showed it (peernet.stale): if someone else saved it
    meanwhile, ValidationError names each change and nothing is saved.

    Hours are the session's by default, fewer for a late arrival or early leaving, more
    than 0 when present and 0 when absent. Corrections are allowed: each row keeps when
    it was last recorded (`recorded_at`), and who changed what goes to the
    `peernet.audit` log."""
    as_of = as_of or timezone.now()
    # One register at a time per session.
    session = (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "cohort__hub")
        .get(pk=session.pk)
    )
    session_recording_check(session, as_of=as_of, what="attendance")
    rows = list(rows)
    members = _register_members(session, rows)
    stale.check_unchanged(
        seen,
        register_as_shown(session_attendance(session)),
        {str(p.pk): p.full_name for p in members.values()},
        what="the register",
    )
    new = [_attendance(session, members[str(row.participant_code)], row) for row in rows]

    before = {a.participant_id: a for a in Attendance.objects.filter(session=session).order_by()}
    saved = Attendance.objects.bulk_create(
        new,
        update_conflicts=True,
        unique_fields=["session", "participant"],
        update_fields=["present", "apologies", "hours", "recorded_at"],
    )
    changes, newly_present = _register_changes(before, new)
    if _mark_delivered(session) or newly_present:
        # S2 (and S3 when this brings the cohort to its hours): survey invitations, made
        # and sent by a task once the register is committed, once per participant; a
        # correction marking someone present later invites them too (the task skips
        # those already invited).
        survey_invite_session_delivered.delay_on_commit(session.pk)
    audit.record(
        by,
        "update",
        session,
        hub=session.cohort.hub_id,
        summary=f"Attendance recorded ({len(changes)} row(s) changed)",
        after={"changes": changes},
        log_extra={"session_id": session.pk, "changes": changes},
    )
    return saved


# --- absence follow-up: disengagement (K13) and drop-out --------------------------------


def _tell_hub_admins(hub: Hub, *, subject: str, message: str) -> None:
    recipients = mail.hub_administrator_addresses(hub)
    if recipients:
        mail.send(kind=EmailKind.NOTICE, subject=subject, body=message, to=recipients, hub=hub)


@transaction.atomic
def participant_record_dropout(
    *,
    participant: Participant,
    on: dt.date,
    cause: str,
    reason: str,
    by: User,
    today: dt.date | None = None,
) -> Participant:
    """Record that the participant dropped out on `on` and why (`cause`, a
    `DropoutCause`, and in words `reason`, needed when the cause is another reason):
    their current membership ends that day (`left`, the row is kept for the history) and
    the hub's administrators are told by email."""
    today = today or timezone.localdate()
    reason = reason.strip()
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    name = participant.full_name
    if cause not in DropoutCause.values:
        raise ValidationError("Choose why they dropped out.")
    if cause == DropoutCause.OTHER and not reason:
        raise ValidationError("Enter why they dropped out.")
    if participant.dropped_out_on is not None:
        raise ValidationError(
            f"{name} has already dropped out (on {date_words(participant.dropped_out_on)})."
        )
    if on > today:
        raise ValidationError("The date they dropped out must be today or in the past.")
    if on < participant.registered:
        raise ValidationError(
            "The date they dropped out must be on or after they registered "
            f"({date_words(participant.registered)})."
        )
    membership = (
        participant.memberships.select_for_update(of=("self",))
        .select_related("cohort")
        .filter(left__isnull=True)
        .first()
    )
    if membership is not None:
        if on < membership.joined:
            raise ValidationError(
                f"The date they dropped out must be on or after they joined "
                f"{membership.cohort.name} ({date_words(membership.joined)})."
            )
        save_fields(membership, left=on)
    save_fields(participant, dropped_out_on=on, dropout_cause=cause, dropout_reason=reason)
    where = membership.cohort.name if membership is not None else "the programme"
    why = DropoutCause(cause).label + (f": {reason}" if reason else "")
    sentence = f"{name} has left {where} on {date_words(on)}. Why: {why}"
    audit.record(
        by,
        "update",
        participant,
        summary="Drop-out recorded",
        after={"dropped_out_on": on, "dropout_cause": cause},
        log_extra={"participant_id": participant.pk},
    )
    # Sent last, once every write has succeeded.
    _tell_hub_admins(
        participant.hub,
        subject=f"{name} has dropped out – {participant.hub.name}",
        message=f"{sentence}\n\nRecorded by {by.get_full_name() or by.email}.\n",
    )
    # S4: the drop-out survey, made and sent by a task once this is committed.
    survey_invite_dropout.delay_on_commit(participant.pk)
    return participant


@transaction.atomic
def participant_report_disengaged(*, participant: Participant, by: User, note: str) -> RuleWarning:
    """K13: a participant who disengages is reported to the hub. Records a K13 warning
    against the participant and emails the hub's administrators."""
    note = note.strip()
    if not note:
        raise ValidationError("Enter what you know about why they have disengaged.")
    reporter = by.get_full_name() or by.email
    name = participant.full_name
    warning = RuleWarning.objects.create(
        rule="K13",
        subject_kind="participant",
        subject_id=participant.pk,
        hub=participant.hub,
        sentence=f"{name} was reported as disengaged by {reporter}: {note}",
        action="participant_report_disengaged",
        recorded_by=by,
    )
    audit.record(by, "update", participant, summary="Reported as disengaged (K13)")
    _tell_hub_admins(
        participant.hub,
        subject=f"{name} has disengaged – {participant.hub.name}",
        message=f"{warning.sentence}\n\nK13: a participant who disengages is reported "
        "to the hub.\n",
    )
    return warning


@transaction.atomic
def absence_follow_up_record(
    *,
    participant: Participant,
    cohort: Cohort,
    on: dt.date,
    method: str,
    outcome: str,
    by: User,
    today: dt.date,
) -> AbsenceFollowUp:
    """K13: record that the facilitator (or the hub) followed up the participant's
    absences: when, how, and what came of it. It answers the absences up to that day."""
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError("Enter what came of the follow-up.")
    if method not in FollowUpMethod.values:
        raise ValidationError("Choose how you followed it up.")
    if on > today:
        raise ValidationError("The date of the follow-up must be today or in the past.")
    if not participant.memberships.filter(cohort=cohort, joined__lte=on).exists():
        raise ValidationError(
            f"The date of the follow-up must be on or after {participant.full_name} joined "
            f"{cohort.name}."
        )
    follow_up = AbsenceFollowUp.objects.create(
        participant=participant,
        cohort=cohort,
        followed_up_on=on,
        method=method,
        outcome=outcome,
        recorded_by=by,
    )
    audit.record(
        by,
        "create",
        follow_up,
        hub=participant.hub_id,
        summary="Absences followed up (K13)",
        after={"followed_up_on": on, "method": method},
    )
    return follow_up
