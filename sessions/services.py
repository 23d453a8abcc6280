"""Writes for delivery: logging one-to-one sessions, the facilitator's records of a
session (attendance, notes) and following up absences and drop-outs. Observations and
complaints (Q1–Q5) are sessions/quality.py's.

Each action writes its row inside the transaction, asks the programme checks
(rules) on it, and a fail raises `RuleBroken` with the check's sentence, which
rolls the write back. Warnings are recorded (`RuleWarning`). A refusal that is not a
programme rule (a provider from another hub) is a `ValidationError`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from cohorts.models import Cohort
from participants.models import Participant
from peernet import audit, mail
from peernet.calendar import local_date, require_aware
from peernet.models import EmailKind, Hub, Role, RoleAssignment, RuleWarning, User
from peernet.words import date_words, hours_words
from rules.services import Judging, judge_and_record
from sessions.models import (
    AbsenceFollowUp,
    Attendance,
    FacilitatorNote,
    FollowUpMethod,
    GroupSession,
    OneToOneMode,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
    Topic,
)

# O2 and O4 fail, O3 and O5 warn. O7 (the provider's declaration) is shown on the
# provider's pages and found by the daily scan, not asked at each log.
ONE_TO_ONE_RULES = ("O2", "O3", "O4", "O5")


def _next_one_to_one_key(participant: Participant) -> str:
    """`<participant key>-o<n>`: n counts their one-to-ones, skipping keys already taken."""
    n = participant.one_to_ones.count() + 1
    while OneToOneSession.objects.filter(key=f"{participant.key}-o{n}").exists():
        n += 1
    return f"{participant.key}-o{n}"


def _check_route(
    *,
    participant: Participant,
    route: str,
    provider: User | None,
    existing_programme: str,
) -> None:
    """O1: the programme route names a provider of the participant's hub; support
    through an existing local programme names that programme."""
    if route == OneToOneRoute.PROGRAMME:
        if provider is None:
            raise ValidationError("Choose the provider who delivers this one-to-one session.")
        if existing_programme.strip():
            raise ValidationError(
                "A session delivered by the programme does not name an existing local "
                "programme; choose the existing-programme route instead."
            )
    elif route == OneToOneRoute.EXISTING:
        if not existing_programme.strip():
            raise ValidationError("Name the existing local programme that delivers this support.")
    else:
        raise ValidationError(f"{route!r} is not a one-to-one route.")
    if provider is not None:
        provides_here = RoleAssignment.objects.filter(
            user=provider, role=Role.ONE_TO_ONE_PROVIDER, hub_id=participant.hub_id
        ).exists()
        if not provides_here:
            raise ValidationError(
                f"{provider} is not a one-to-one provider in {participant.hub.name}."
            )


@transaction.atomic
def one_to_one_log(
    *,
    participant: Participant,
    starts_at: dt.datetime,
    hours: Decimal,
    status: SessionStatus | str,
    route: OneToOneRoute | str,
    provider: User | None = None,
    existing_programme: str = "",
    nature_of_support: str = "",
    joining_instructions_sent_at: dt.datetime | None = None,
    mode: str = "",
    platform: str = "",
    evidence: str = "",
    actions_agreed: str = "",
    entered_by_hub: bool = False,
    send_joining_instructions: bool = False,
    by: User,
    as_of: dt.datetime | None = None,
) -> OneToOneSession:
    """Log a one-to-one session (scheduled, delivered or cancelled) for `participant`.

    With `send_joining_instructions`, a session scheduled in the future has its joining
    instructions and calendar invite sent once the log commits (O5)."""
    require_aware("starts_at", starts_at)
    require_aware("joining_instructions_sent_at", joining_instructions_sent_at)
    as_of = as_of or timezone.now()
    # One log at a time per participant, so keys are not handed out twice.
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("hub")
        .get(pk=participant.pk)
    )
    if hours <= 0:
        raise ValidationError("A one-to-one session lasts more than 0 hours.")
    if status not in SessionStatus.values:
        raise ValidationError(f"{status!r} is not a session status.")
    _check_route(
        participant=participant,
        route=route,
        provider=provider,
        existing_programme=existing_programme,
    )
    if participant.one_to_ones.filter(starts_at=starts_at).exists():
        raise ValidationError(
            f"{participant.full_name} already has a one-to-one session starting then."
        )
    if participant.one_to_one_declined and status != SessionStatus.CANCELLED:
        # O8: a recorded refusal stands until it is withdrawn.
        raise ValidationError(
            f"{participant.full_name} declined one-to-one support; withdraw the refusal "
            "before logging a session."
        )
    if mode and mode not in OneToOneMode.values:
        raise ValidationError(f"{mode!r} is not a way of meeting.")
    if entered_by_hub and route != OneToOneRoute.EXISTING:
        raise ValidationError("The hub records hours from existing local programmes only.")

    session = OneToOneSession.objects.create(
        key=_next_one_to_one_key(participant),
        participant=participant,
        provider=provider,
        starts_at=starts_at,
        hours=hours,
        status=status,
        route=route,
        existing_programme=existing_programme.strip(),
        nature_of_support=nature_of_support,
        joining_instructions_sent_at=joining_instructions_sent_at,
        mode=mode,
        platform=platform.strip(),
        evidence=evidence,
        actions_agreed=actions_agreed,
        entered_by_hub=entered_by_hub,
        recorded_by=by,
    )
    judged = (
        OneToOneSession.objects.select_related("participant__programme")
        .prefetch_related(
            "participant__attendance__session", "participant__memberships__cohort__sessions"
        )
        .get(pk=session.pk)
    )
    judge_and_record(
        judging=[Judging("one_to_one", judged, ONE_TO_ONE_RULES)],
        hub=participant.hub,
        action="one_to_one_log",
        by=by,
        as_of=as_of,
    )
    audit.record(
        by,
        "create",
        session,
        hub=participant.hub_id,
        summary="One-to-one session logged"
        + (" by the hub for an existing programme" if entered_by_hub else ""),
        after={"status": status, "hours": str(hours), "route": route},
    )
    if (
        send_joining_instructions
        and status == SessionStatus.SCHEDULED
        and starts_at > as_of
        and joining_instructions_sent_at is None
    ):
        from sessions.tasks import joining_instructions_send_for_one_to_one

        # O5: sent at once, with the invite; the task is idempotent.
        joining_instructions_send_for_one_to_one.delay_on_commit(session.pk)
    return session


# --- the facilitator's records: attendance (K8) and facilitator notes (K9) -------------


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


def _refuse_unstarted(session: GroupSession, *, as_of: dt.datetime, what: str) -> None:
    refusal = session_recording_refusal(session, as_of=as_of, what=what)
    if refusal is not None:
        raise ValidationError(refusal)


@transaction.atomic
def session_record_attendance(
    *,
    session: GroupSession,
    rows: Iterable[AttendanceRow],
    by: User,
    as_of: dt.datetime | None = None,
) -> list[Attendance]:
    """K8: record (or correct) the register of a session that has started, a row for
    every participant expected there, all or nothing; the session becomes delivered.

    Hours are the session's by default, fewer for a late arrival or early leaving, more
    than 0 when present and 0 when absent. Corrections are allowed: each row keeps when
    it was last recorded (`recorded_at`), and who changed what goes to the
    `peernet.audit` log."""
    from sessions.selectors import session_members

    as_of = as_of or timezone.now()
    # One register at a time per session.
    session = (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "cohort__hub")
        .get(pk=session.pk)
    )
    _refuse_unstarted(session, as_of=as_of, what="attendance")
    members = {str(m.participant.code): m.participant for m in session_members(session)}
    rows = list(rows)
    posted = [str(row.participant_code) for row in rows]
    if any(code not in members for code in posted) or len(set(posted)) != len(posted):
        raise ValidationError(
            "The register lists someone who is not a member of this cohort on the session's "
            "date. Reload the page and try again."
        )
    missing = [p.full_name for code, p in members.items() if code not in posted]
    if missing:
        raise ValidationError(f"Record attendance for {', '.join(sorted(missing))}.")

    new: list[Attendance] = []
    for row in rows:
        participant = members[str(row.participant_code)]
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
        new.append(
            Attendance(
                session=session,
                participant=participant,
                present=present,
                apologies=row.presence == Presence.APOLOGIES,
                hours=row.hours,
            )
        )

    before = {a.participant_id: a for a in Attendance.objects.filter(session=session).order_by()}
    saved = Attendance.objects.bulk_create(
        new,
        update_conflicts=True,
        unique_fields=["session", "participant"],
        update_fields=["present", "apologies", "hours", "recorded_at"],
    )
    changes = []
    newly_present = False
    for attendance in new:
        old = before.get(attendance.participant_id)
        was = None if old is None else (old.present, old.apologies, old.hours)
        now = (attendance.present, attendance.apologies, attendance.hours)
        if was != now:
            changes.append({"participant": attendance.participant_id, "was": was, "now": now})
        newly_present = newly_present or (attendance.present and (old is None or not old.present))
    delivered_now = session.status == SessionStatus.SCHEDULED
    if delivered_now:
        session.status = SessionStatus.DELIVERED
        session.save(update_fields=["status"])
    if delivered_now or newly_present:
        # S2 (and S3 when this brings the cohort to its hours): survey invitations, made
        # and sent by a task once the register is committed, once per participant; a
        # correction marking someone present later invites them too (the task skips
        # those already invited).
        from participants.tasks import survey_invite_session_delivered

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
    _refuse_unstarted(session, as_of=as_of, what="facilitator notes")
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
    reason: str,
    by: User,
    today: dt.date | None = None,
) -> Participant:
    """Record that the participant dropped out on `on` and why: their current
    membership ends that day (`left`, the row is kept for the history) and the hub's
    administrators are told by email."""
    today = today or timezone.localdate()
    reason = reason.strip()
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    name = participant.full_name
    if not reason:
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
        membership.left = on
        membership.save(update_fields=["left"])
    participant.dropped_out_on = on
    participant.dropout_reason = reason
    participant.save(update_fields=["dropped_out_on", "dropout_reason"])
    where = membership.cohort.name if membership is not None else "the programme"
    sentence = f"{name} has left {where} on {date_words(on)}: {reason}"
    audit.record(
        by,
        "update",
        participant,
        summary="Drop-out recorded",
        after={"dropped_out_on": on},
        log_extra={"participant_id": participant.pk},
    )
    # Sent last, once every write has succeeded.
    _tell_hub_admins(
        participant.hub,
        subject=f"{name} has dropped out – {participant.hub.name}",
        message=f"{sentence}\n\nRecorded by {by.get_full_name() or by.email}.\n",
    )
    # S4: the drop-out survey, made and sent by a task once this is committed.
    from participants.tasks import survey_invite_dropout

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
