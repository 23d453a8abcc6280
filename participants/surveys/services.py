"""Writes about surveys: publishing an instrument, inviting (S1 allocation, S2 a session
delivered, S3 the cohort's hours reached, S4 a drop-out recorded, S5 the evaluator's
six-month follow-up), sending and reminding,
renewing a link, and keeping and submitting the answers.

Invitations are made by events through `participants/tasks.py`, at most one per
participant and survey (the database holds it), and sent by Celery; one reminder
follows after `REMINDER_AFTER` (`participants.surveys.selectors`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Cohort
from participants.models import (
    EqualityData,
    Participant,
    SurveyInstrument,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from participants.surveys.instruments import (
    answer_problem,
    instrument_pages,
    questions_problems,
    to_stored,
)
from participants.surveys.links import LINK_DAYS, survey_link
from participants.surveys.results import evaluator_list
from participants.surveys.selectors import (
    cohort_completed_on,
    completer_memberships,
    instrument_current,
    survey_missing,
    survey_reminders_due,
    survey_unsent,
)
from peernet import audit, mail
from peernet.calendar import local_date
from peernet.db import save_fields
from peernet.models import EmailKind
from peernet.words import date_words
from sessions.models import Attendance, GroupSession, SessionStatus

audit_log = logging.getLogger("peernet.audit")

SUBJECTS = {
    SurveyKind.BASELINE: "Before you start Peer Networks: the baseline survey",
    SurveyKind.SESSION_FEEDBACK: "How was your Peer Networks session?",
    SurveyKind.EXIT: "You have completed Peer Networks: the exit survey",
    SurveyKind.DROPOUT: "Leaving Peer Networks: tell us why",
    SurveyKind.FOLLOW_UP: "Six months on from Peer Networks: the evaluator's survey",
}
EQUALITY_FIELDS = ("gender", "ethnic_group", "age_band", "disability")


# --- instruments --------------------------------------------------------------------------


@transaction.atomic
def survey_instrument_publish(
    *, kind: str, title: str, questions: list[dict], by: Any = None
) -> SurveyInstrument:
    """Publish the next version of an instrument and retire the current one. The current
    version is never edited: answers given against it keep it."""
    problems = questions_problems(questions)
    if not title.strip():
        problems.insert(0, "Give the instrument a title.")
    if kind not in SurveyKind.values:
        problems.insert(0, f'"{kind}" is not a kind of survey.')
    if problems:
        raise ValidationError(problems)
    versions = list(
        SurveyInstrument.objects.select_for_update().filter(kind=kind).order_by("-version")
    )
    SurveyInstrument.objects.filter(kind=kind, active=True).update(active=False)
    instrument = SurveyInstrument.objects.create(
        kind=kind,
        version=(versions[0].version + 1) if versions else 1,
        title=title,
        questions=questions,
        active=True,
    )
    audit.record(
        by,
        "create",
        instrument,
        summary=f"Survey instrument {kind} version {instrument.version} published",
    )
    return instrument


# --- invitations --------------------------------------------------------------------------


def _existing_response(participant: Participant, kind: str, session: GroupSession | None) -> bool:
    responses = SurveyResponse.objects.filter(participant=participant, kind=kind)
    if kind == SurveyKind.SESSION_FEEDBACK:
        responses = responses.filter(session=session)
    return responses.exists()


def survey_invite(
    *,
    participant: Participant,
    kind: str,
    session: GroupSession | None = None,
    now: dt.datetime | None = None,
) -> SurveyInvitation | None:
    """The participant's invitation to this survey (for a session: this session's),
    made now unless it exists or they have already answered (e.g. an imported answer).
    Safe to call twice, and from two processes at once: the database holds one."""
    now = now or timezone.now()
    if kind != SurveyKind.SESSION_FEEDBACK:
        session = None
    lookup: dict[str, Any] = {"participant": participant, "kind": kind}
    if kind == SurveyKind.SESSION_FEEDBACK:
        lookup["session"] = session
    existing = SurveyInvitation.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    if _existing_response(participant, kind, session):
        return None
    try:
        with transaction.atomic():
            return SurveyInvitation.objects.create(
                **lookup,
                instrument=instrument_current(kind),
                created=now,
                expires_at=now + dt.timedelta(days=LINK_DAYS),
            )
    except IntegrityError:  # made at the same moment by another worker
        return SurveyInvitation.objects.filter(**lookup).first()


def survey_invite_baseline(*, participant_id: int, now: dt.datetime | None = None) -> list[int]:
    """S1: the baseline survey, once allocated to a cohort and not dropped out."""
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None or participant.dropped_out_on is not None:
        return []
    if not participant.memberships.exists():
        return []
    invitation = survey_invite(participant=participant, kind=SurveyKind.BASELINE, now=now)
    return [invitation.pk] if invitation else []


def survey_invite_dropout(*, participant_id: int, now: dt.datetime | None = None) -> list[int]:
    """S4: the drop-out survey, for a recorded drop-out."""
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None or participant.dropped_out_on is None:
        return []
    invitation = survey_invite(participant=participant, kind=SurveyKind.DROPOUT, now=now)
    return [invitation.pk] if invitation else []


def survey_invite_session_delivered(
    *, session_id: int, now: dt.datetime | None = None
) -> list[int]:
    """S2: the feedback survey to everyone recorded present; S3: the exit survey to the
    cohort's members when this delivery first brings it to the programme's hours."""
    session = GroupSession.objects.select_related("cohort").filter(pk=session_id).first()
    if session is None or session.status != SessionStatus.DELIVERED:
        return []
    made = []
    present = Attendance.objects.filter(session=session, present=True).select_related("participant")
    for row in present.order_by("participant_id"):
        invitation = survey_invite(
            participant=row.participant, kind=SurveyKind.SESSION_FEEDBACK, session=session, now=now
        )
        if invitation is not None:
            made.append(invitation.pk)
    return made + survey_invite_exit(cohort_id=session.cohort_id, now=now)


def survey_invite_exit(*, cohort_id: int, now: dt.datetime | None = None) -> list[int]:
    """S3: the exit survey to each member who stayed, once the cohort's hours are in."""
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None or cohort_completed_on(cohort) is None:
        return []
    made = []
    stayed = completer_memberships([cohort.pk]).select_related("participant")
    for membership in stayed.order_by("pk"):
        invitation = survey_invite(
            participant=membership.participant, kind=SurveyKind.EXIT, now=now
        )
        if invitation is not None:
            made.append(invitation.pk)
    return made


@transaction.atomic
def survey_invite_follow_up(
    *, participant: Participant, by: Any, now: dt.datetime | None = None
) -> SurveyInvitation:
    """S5: the evaluator sends one completer the six-month follow-up, only once their six
    months have come, only when they consented to the evaluator's contact at completion
    (G3), and only once. Anything else is refused with a sentence saying why, and
    nothing is written. The caller emails it (the `survey_invitation_send` task)."""
    now = now or timezone.now()
    # One send at a time for a person: a second click waits, then finds the first.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    cohorts = Cohort.objects.filter(memberships__participant=participant)
    row = next((r for r in evaluator_list(cohorts) if r.participant.pk == participant.pk), None)
    if row is None:
        raise ValidationError(
            "They have not completed the programme, so there is no six-month follow-up to send."
        )
    if not row.is_due(local_date(now)):
        raise ValidationError(
            f"Their six-month follow-up is due on {date_words(row.six_month_due)}: "
            "it cannot be sent before."
        )
    if row.consent is not True:
        raise ValidationError(
            "They did not consent to the evaluator's contact when they completed the "
            "programme, so the follow-up cannot be sent to them."
        )
    if row.follow_up_invited is not None:
        raise ValidationError("Their six-month follow-up has already been sent.")
    invitation = survey_invite(participant=participant, kind=SurveyKind.FOLLOW_UP, now=now)
    if invitation is None:  # answered already (an imported answer)
        raise ValidationError("They have already answered the six-month follow-up.")
    audit.record(
        by,
        "create",
        invitation,
        hub=participant.hub_id,
        summary="Six-month follow-up survey (S5) sent by the evaluator",
        after={"pseudonym": row.pseudonym, "six_month_due": row.six_month_due.isoformat()},
    )
    return invitation


# --- sending ------------------------------------------------------------------------------


def _email(invitation: SurveyInvitation, *, reminder: bool) -> None:
    participant = invitation.participant
    context = {
        "participant": participant,
        "invitation": invitation,
        "session": invitation.session,
        "url": survey_link(invitation),
        "expires": date_words(local_date(invitation.expires_at)),
        "reminder": reminder,
        "pages": len(instrument_pages(invitation.instrument)),
    }
    subject = SUBJECTS[SurveyKind(invitation.kind)]
    mail.send_to_participant(
        participant,
        kind=EmailKind.SURVEY,
        subject=f"{'Reminder: ' if reminder else ''}{subject}",
        template="surveys/invitation_email.txt",
        context=context,
    )


def _locked_invitation(invitation_id: int) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("participant__hub", "instrument", "session")
        .filter(pk=invitation_id)
        .first()
    )


@transaction.atomic
def survey_invitation_send(*, invitation_id: int, now: dt.datetime | None = None) -> bool:
    """Email the invitation unless it was sent, answered or has expired. The row is
    locked while sending, so two runs at once send one email."""
    now = now or timezone.now()
    invitation = _locked_invitation(invitation_id)
    if invitation is None or not survey_unsent(now).filter(pk=invitation.pk).exists():
        return False
    _email(invitation, reminder=False)
    invitation.sent_at = now
    invitation.save(update_fields=["sent_at"])
    audit_log.info("survey invitation sent: invitation=%s kind=%s", invitation.pk, invitation.kind)
    return True


@transaction.atomic
def survey_invitation_remind(*, invitation_id: int, now: dt.datetime | None = None) -> bool:
    """The one reminder, when due (see `survey_reminders_due`)."""
    now = now or timezone.now()
    invitation = _locked_invitation(invitation_id)
    if invitation is None or not survey_reminders_due(now).filter(pk=invitation.pk).exists():
        return False
    _email(invitation, reminder=True)
    invitation.reminded_at = now
    invitation.save(update_fields=["reminded_at"])
    return True


def survey_reminder_refusal(invitation: SurveyInvitation, *, now: dt.datetime) -> str:
    """Why the hub cannot remind this participant of this survey now ("" when it can):
    only a sent invitation, not answered, not expired, of someone still taking part."""
    name = invitation.participant.full_name
    if invitation.completed_at is not None:
        return f"{name} has already answered this survey."
    if invitation.sent_at is None:
        return f"{name} has not been sent this survey yet; it goes out on its own."
    if invitation.expires_at <= now:
        return f"{name}'s link has expired; send them a new link from their survey page."
    if invitation.participant.dropped_out_on and invitation.kind != SurveyKind.DROPOUT:
        return f"{name} has dropped out."
    return ""


@transaction.atomic
def survey_invitation_remind_now(
    *, invitation_id: int, by: Any, now: dt.datetime | None = None
) -> str:
    """A reminder sent now at the hub's request (the same email as the scheduled one,
    which it stands in for); "" when sent, else the reason it was not."""
    now = now or timezone.now()
    invitation = _locked_invitation(invitation_id)
    if invitation is None:
        return "This survey no longer exists."
    refusal = survey_reminder_refusal(invitation, now=now)
    if refusal:
        return refusal
    _email(invitation, reminder=True)
    save_fields(invitation, reminded_at=now)
    audit.record(
        by,
        "update",
        invitation,
        hub=invitation.participant.hub_id,
        summary=f"Survey reminder sent by the hub ({invitation.kind})",
    )
    return ""


@transaction.atomic
def survey_invitation_renew(
    *, invitation: SurveyInvitation, by: Any, now: dt.datetime | None = None
) -> SurveyInvitation:
    """A new link for an invitation not yet answered (the expired-link page tells the
    participant to ask their hub): a new nonce, so every earlier link stops working, a
    new expiry, and a first email again (sent after commit by the caller's task)."""
    now = now or timezone.now()
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.completed_at is not None:
        raise ValidationError("This survey has already been answered.")
    save_fields(
        locked,
        nonce=uuid.uuid4(),
        expires_at=now + dt.timedelta(days=LINK_DAYS),
        sent_at=None,
        reminded_at=None,
    )
    audit.record(
        by,
        "update",
        locked,
        hub=locked.participant.hub_id,
        summary=f"Survey link renewed ({locked.kind})",
        after={"expires_at": locked.expires_at},
    )
    return locked


# --- answering ----------------------------------------------------------------------------


@transaction.atomic
def survey_save_page(*, invitation: SurveyInvitation, answers: dict[str, Any]) -> None:
    """Keep one page's answers (already cleaned by its form) until submission. An
    optional question left empty removes any earlier answer to it."""
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.completed_at is not None:
        raise ValidationError("You have already answered this survey.")
    questions = {q["key"]: q for q in invitation.instrument.questions}
    draft = dict(locked.draft)
    for key, value in answers.items():
        stored = to_stored(questions[key], value)
        if stored is None:
            draft.pop(key, None)
        else:
            draft[key] = stored
    locked.draft = draft
    locked.save(update_fields=["draft"])
    invitation.draft = draft


@transaction.atomic
def survey_submit(
    *, invitation: SurveyInvitation, now: dt.datetime | None = None
) -> SurveyResponse:
    """Turn the saved answers into the participant's response. Equality answers go to
    their `EqualityData` (shown only aggregated), not into the response."""
    now = now or timezone.now()
    locked = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("instrument", "participant")
        .get(pk=invitation.pk)
    )
    if locked.completed_at is not None:
        raise ValidationError("You have already answered this survey.")
    if now >= locked.expires_at:
        raise ValidationError("This survey's link has expired.")
    missing = survey_missing(locked)
    if missing:
        raise ValidationError([f"Answer the question: {q['text']}" for q in missing])
    questions = {q["key"]: q for q in locked.instrument.questions}
    answers, equality = {}, {}
    for key, value in locked.draft.items():
        question = questions.get(key)
        if question is None or answer_problem(question, value) is not None:
            raise ValidationError("An answer no longer fits its question: please answer again.")
        if question.get("equality") and key in EQUALITY_FIELDS:
            equality[key] = value
        else:
            answers[key] = value
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                participant_id=locked.participant_id,
                instrument=locked.instrument,
                kind=locked.kind,
                session_id=locked.session_id,
                invitation=locked,
                completed=local_date(now),
                answers=answers,
            )
    except IntegrityError as exc:
        raise ValidationError("You have already answered this survey.") from exc
    if equality:
        EqualityData.objects.update_or_create(
            participant_id=locked.participant_id, defaults=equality
        )
    save_fields(locked, completed_at=now, draft={})
    # Answered through the participant's emailed link: no user, so the actor is empty.
    audit.record(
        None,
        "create",
        response,
        hub=locked.participant.hub_id,
        summary=f"Survey answered ({locked.kind})",
        log_extra={"invitation": locked.pk},
    )
    return response
