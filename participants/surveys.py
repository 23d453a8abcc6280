"""Participant surveys (S1–S5): instruments, invitations, signed links, answers, results.

Instruments are data (`SurveyInstrument.questions`), a list of questions, each a dict:

- `key`: stable across versions (the monthly return reads `overall_satisfaction`);
- `text`, `help`: the wording and the hint under it;
- `type`: `scale` (whole numbers `min`..`max`, `labels` naming some or all points),
  `choice` (one of `choices`, worded by `labels`), `multi_choice` (a list of `choices`),
  `yes_no` (true or false), `number` (a whole number, 0 or more), `money` (pounds and
  pence, 0 or more, stored as a string such as "450000.00": never a float), `text`;
- `required` (default true), `section` (the questions of one section share a page),
  `matched` (asked at baseline and again at exit: distance travelled), `equality`
  (equality monitoring: stored in `EqualityData`, never in the answers, and only ever
  shown aggregated, SECURITY.md 25).

A published instrument is never edited: `survey_instrument_publish` makes the next
version and retires the last; each response keeps the instrument it was answered on.

Invitations are made by events (S1 allocation, S2 a session delivered, S3 the cohort's
hours reached, S4 a drop-out recorded) through `participants/tasks.py`, at most one per
participant and survey (the database holds it), and sent by Celery; one reminder
follows after `REMINDER_AFTER`. Links are signed for one invitation with their own salt,
expire with the invitation and stop working once it is answered (SECURITY.md 14, 15).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, CohortMembership
from participants.links import LinkProblem
from participants.models import (
    EqualityData,
    Participant,
    SurveyInstrument,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
)
from peernet import audit, mail
from peernet.calendar import add_months, local_date
from peernet.hours import hours_total
from peernet.models import Hub
from peernet.privacy import evaluator_pseudonym, suppress_breakdown
from peernet.words import date_words
from sessions.models import Attendance, GroupSession, SessionStatus

audit_log = logging.getLogger("peernet.audit")

SURVEY_SALT = "peernet.survey"  # a token signed for any other purpose is refused
LINK_DAYS = 28  # an invitation's link works this long after it is made
REMINDER_AFTER = dt.timedelta(days=4)  # one reminder, this long after the first email
EVALUATOR_FOLLOW_UP_MONTHS = 6  # S5: the evaluator's second survey

QUESTION_TYPES = ("scale", "choice", "multi_choice", "yes_no", "number", "money", "text")
NUMERIC_TYPES = ("scale", "number", "money")
TEXT_MAX = 2000
MONEY_MAX = Decimal("999999999999.99")
NUMBER_MAX = 1_000_000

SUBJECTS = {
    SurveyKind.BASELINE: "Before you start Peer Networks: the baseline survey",
    SurveyKind.SESSION_FEEDBACK: "How was your Peer Networks session?",
    SurveyKind.EXIT: "You have completed Peer Networks: the exit survey",
    SurveyKind.DROPOUT: "Leaving Peer Networks: tell us why",
}


# --- instruments --------------------------------------------------------------------------


def instrument_current(kind: str) -> SurveyInstrument:
    return SurveyInstrument.objects.get(kind=kind, active=True)


def questions_problems(questions: Any) -> list[str]:
    """What is wrong with a list of questions, if anything (for publishing)."""
    if not isinstance(questions, list) or not questions:
        return ["An instrument needs at least one question."]
    problems, seen = [], set()
    for n, question in enumerate(questions, start=1):
        if not isinstance(question, dict) or not question.get("key") or not question.get("text"):
            problems.append(f"Question {n} needs a key and its wording.")
            continue
        key, kind = question["key"], question.get("type")
        if key in seen:
            problems.append(f'The key "{key}" is used twice.')
        seen.add(key)
        if kind not in QUESTION_TYPES:
            problems.append(f'"{key}" has an unknown type "{kind}".')
        if kind == "scale" and not (
            isinstance(question.get("min"), int)
            and isinstance(question.get("max"), int)
            and question["min"] < question["max"]
        ):
            problems.append(f'"{key}" needs a scale from a lower to a higher whole number.')
        if kind in ("choice", "multi_choice") and not question.get("choices"):
            problems.append(f'"{key}" needs its choices.')
    return problems


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


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    title: str
    questions: list[dict]


def instrument_pages(instrument: SurveyInstrument) -> list[Page]:
    """The questions in pages: one page per run of questions sharing a `section`."""
    pages: list[Page] = []
    for question in instrument.questions:
        section = question.get("section") or instrument.title
        if pages and pages[-1].title == section:
            pages[-1].questions.append(question)
        else:
            pages.append(Page(number=len(pages) + 1, title=section, questions=[question]))
    return pages


def is_required(question: dict) -> bool:
    return bool(question.get("required", True))


def answer_words(question: dict, value: Any) -> str:
    """An answer as the participant would read it back."""
    if value is None or value == "" or value == []:
        return "Not answered"
    labels = {str(k): v for k, v in (question.get("labels") or {}).items()}
    kind = question["type"]
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "multi_choice":
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if kind == "money":
        amount = Decimal(str(value))
        return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"
    if kind == "scale" and str(value) in labels:
        return f"{value} – {labels[str(value)]}"
    return labels.get(str(value), str(value))


def answer_problem(question: dict, value: Any) -> str | None:
    """Why a stored answer does not fit its question (None when it fits)."""
    kind = question["type"]
    if kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int):
            return "expected a whole number"
        if not question["min"] <= value <= question["max"]:
            return f"{value} is outside the scale {question['min']} to {question['max']}"
    elif kind == "choice" and value not in question.get("choices", []):
        return f'"{value}" is not one of the choices'
    elif kind == "multi_choice" and (
        not isinstance(value, list) or any(v not in question.get("choices", []) for v in value)
    ):
        return "expected some of the choices"
    elif kind == "yes_no" and not isinstance(value, bool):
        return "expected yes or no"
    elif kind == "number" and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= NUMBER_MAX
    ):
        return "expected a whole number, 0 or more"
    elif kind == "money":
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return "expected an amount of money"
        if not isinstance(value, str) or not Decimal(0) <= amount <= MONEY_MAX:
            return "expected an amount of money, 0 or more"
    elif kind == "text" and (not isinstance(value, str) or len(value) > TEXT_MAX):
        return "expected text"
    return None


def to_stored(question: dict, value: Any) -> Any:
    """A cleaned form value as JSON keeps it: money as a two-decimal string."""
    if question["type"] == "money" and value is not None:
        return f"{Decimal(value).quantize(Decimal('0.01'))}"
    if question["type"] == "text" and isinstance(value, str):
        return value.strip() or None
    if question["type"] == "multi_choice":
        return list(value) or None
    return value


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


def cohort_completed_on(cohort: Cohort) -> dt.date | None:
    """The (London) day of the delivered session that first brought the cohort to the
    programme's required hours (K2), or None while it has not."""
    return cohorts_completed_on([cohort.pk]).get(cohort.pk)


def cohorts_completed_on(cohort_ids: Iterable[int]) -> dict[int, dt.date]:
    """`cohort_completed_on` for many cohorts, from one query."""
    sessions = (
        GroupSession.objects.filter(cohort_id__in=list(cohort_ids), status=SessionStatus.DELIVERED)
        .order_by("cohort_id", "starts_at", "pk")
        .values_list("cohort_id", "starts_at", "hours", "cohort__programme__cohort_hours")
    )
    done: dict[int, dt.date] = {}
    totals: dict[int, Decimal] = {}
    for cohort_id, starts_at, hours, needed in sessions:
        if cohort_id in done:
            continue
        totals[cohort_id] = totals.get(cohort_id, Decimal(0)) + hours
        if totals[cohort_id] >= needed:
            done[cohort_id] = local_date(starts_at)
    return done


def _completers(cohort_ids: Iterable[int]) -> QuerySet[CohortMembership]:
    """Memberships of those who stayed to the end: still members, never dropped out."""
    return CohortMembership.objects.filter(
        cohort_id__in=list(cohort_ids), left__isnull=True, participant__dropped_out_on__isnull=True
    )


def survey_invite_exit(*, cohort_id: int, now: dt.datetime | None = None) -> list[int]:
    """S3: the exit survey to each member who stayed, once the cohort's hours are in."""
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None or cohort_completed_on(cohort) is None:
        return []
    made = []
    for membership in _completers([cohort.pk]).select_related("participant").order_by("pk"):
        invitation = survey_invite(
            participant=membership.participant, kind=SurveyKind.EXIT, now=now
        )
        if invitation is not None:
            made.append(invitation.pk)
    return made


# --- links --------------------------------------------------------------------------------


def survey_token(invitation: SurveyInvitation) -> str:
    """Signed for this one invitation and this kind of survey, with its own salt."""
    return signing.dumps({"i": str(invitation.nonce), "k": invitation.kind}, salt=SURVEY_SALT)


def site_url() -> str:
    """Where emailed links point: the SITE_URL setting, else the first allowed host."""
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
    return f"http://{host}:8000" if settings.DEBUG else f"https://{host}"


def survey_link(invitation: SurveyInvitation) -> str:
    return site_url() + reverse("public:survey-link", kwargs={"token": survey_token(invitation)})


INVALID = LinkProblem(
    "This link does not work",
    "The link may have been copied wrongly, or it is for something else. Use the link in "
    "the most recent email we sent you, or ask your Growth Hub to send you a new one.",
    400,
)


def _expired(invitation: SurveyInvitation | None) -> LinkProblem:
    when = f" on {date_words(local_date(invitation.expires_at))}" if invitation is not None else ""
    return LinkProblem(
        "This link has expired",
        f"Survey links work for {LINK_DAYS} days, and this one expired{when}. If you would "
        "still like to answer, ask your Growth Hub to send you a new link.",
        410,
    )


USED = LinkProblem(
    "You have already answered this survey",
    "Thank you: your answers were sent, and a survey can only be answered once. You do not "
    "need to do anything else. If you think something is wrong, contact your Growth Hub.",
    410,
)


def survey_invitation_for_token(token: str | None, *, now: dt.datetime) -> SurveyInvitation:
    """The invitation a token opens, or LinkProblem saying why it cannot be used."""
    if not token:
        raise INVALID
    try:
        # The invitation's own expiry decides; the signature's age only bounds a token
        # for an invitation that no longer exists.
        data = signing.loads(token, salt=SURVEY_SALT, max_age=dt.timedelta(days=LINK_DAYS + 1))
    except signing.SignatureExpired as exc:
        raise _expired(None) from exc
    except signing.BadSignature as exc:
        raise INVALID from exc
    if not isinstance(data, dict) or not isinstance(data.get("i"), str):
        raise INVALID
    invitation = (
        SurveyInvitation.objects.select_related("instrument", "participant__hub", "session")
        .filter(nonce__in=[_uuid_or_none(data["i"])])
        .first()
    )
    # Bound to one invitation and one kind of survey: another survey's token is refused.
    if invitation is None or data.get("k") != invitation.kind:
        raise INVALID
    if invitation.completed_at is not None:
        raise USED
    if now >= invitation.expires_at:
        raise _expired(invitation)
    return invitation


def _uuid_or_none(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


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
    mail.send(
        subject=f"{'Reminder: ' if reminder else ''}{subject} – {participant.hub.name}",
        body=render_to_string("surveys/invitation_email.txt", context),
        to=[participant.email],
        hub=participant.hub,
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


# S4: someone who has dropped out is sent only the drop-out survey from then on.
_STILL_WANTED = Q(participant__dropped_out_on__isnull=True) | Q(kind=SurveyKind.DROPOUT)


def survey_reminders_due(now: dt.datetime) -> QuerySet[SurveyInvitation]:
    """Sent at least REMINDER_AFTER ago, not answered, not reminded, not expired."""
    return SurveyInvitation.objects.filter(
        _STILL_WANTED,
        sent_at__lte=now - REMINDER_AFTER,
        completed_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gt=now,
    ).order_by("pk")


def survey_unsent(now: dt.datetime) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        _STILL_WANTED, sent_at__isnull=True, completed_at__isnull=True, expires_at__gt=now
    ).order_by("pk")


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


@transaction.atomic
def survey_invitation_renew(
    *, invitation: SurveyInvitation, by: Any, now: dt.datetime | None = None
) -> SurveyInvitation:
    """A new link for an invitation not yet answered (the expired-link page tells the
    participant to ask their hub): a new nonce, so every earlier link stops working, a
    new expiry, and a first email again (sent after commit by the caller's task)."""
    import uuid

    now = now or timezone.now()
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.completed_at is not None:
        raise ValidationError("This survey has already been answered.")
    locked.nonce = uuid.uuid4()
    locked.expires_at = now + dt.timedelta(days=LINK_DAYS)
    locked.sent_at = locked.reminded_at = None
    locked.save(update_fields=["nonce", "expires_at", "sent_at", "reminded_at"])
    audit.record(
        by,
        "update",
        locked,
        hub=locked.participant.hub_id,
        summary=f"Survey link renewed ({locked.kind})",
        after={"expires_at": locked.expires_at},
    )
    return locked


def participant_survey_invitations(participant: Participant) -> list[SurveyInvitation]:
    """The participant's invitations, for the hub's participant page (one query)."""
    return list(
        SurveyInvitation.objects.filter(participant=participant)
        .select_related("session")
        .order_by("created", "pk")
    )


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


def survey_missing(invitation: SurveyInvitation) -> list[dict]:
    """The required questions not answered yet."""
    return [
        q
        for q in invitation.instrument.questions
        if is_required(q) and q["key"] not in invitation.draft
    ]


EQUALITY_FIELDS = ("gender", "ethnic_group", "age_band", "disability")


@transaction.atomic
def survey_submit(
    *, invitation: SurveyInvitation, now: dt.datetime | None = None
) -> SurveyResponse:
    """Turn the saved answers into the participant's response. Equality answers go to
    their `EqualityData` (SECURITY.md 25), not into the response."""
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
    locked.completed_at = now
    locked.draft = {}
    locked.save(update_fields=["completed_at", "draft"])
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


# --- results ------------------------------------------------------------------------------


def number_in(field: str, key: str) -> Cast:
    """A numeric answer read in SQL from the JSON `field` (a path such as "answers")."""
    return Cast(KT(f"{field}__{key}"), DecimalField(max_digits=16, decimal_places=4))


def _number(key: str) -> Cast:
    return number_in("answers", key)


@dataclass(frozen=True)
class Rate:
    kind: str
    label: str
    expected: int
    responded: int

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return round(Decimal(100) * self.responded / self.expected)


@dataclass(frozen=True)
class SessionResults:
    present: int
    responded: int
    satisfaction: Decimal | None  # mean of overall_satisfaction, 2 decimals
    usefulness: Decimal | None
    comments: list[str]

    @property
    def percent(self) -> int | None:
        if not self.present:
            return None
        return round(Decimal(100) * self.responded / self.present)


def _mean(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def session_survey_results(session: GroupSession) -> SessionResults:
    """S2 for one session: response rate among those present, mean satisfaction and
    usefulness, and the comments for the facilitator (no names). Three queries."""
    present = Attendance.objects.filter(session=session, present=True).count()
    responses = SurveyResponse.objects.filter(session=session, kind=SurveyKind.SESSION_FEEDBACK)
    figures = responses.aggregate(
        n=Count("pk"),
        satisfaction=Avg(_number("overall_satisfaction")),
        usefulness=Avg(_number("usefulness")),
    )
    comments = [
        text
        for row in responses.order_by("pk").values_list(
            KT("answers__one_change"), KT("answers__comments")
        )
        for text in row
        if text
    ]
    return SessionResults(
        present=present,
        responded=figures["n"],
        satisfaction=_mean(figures["satisfaction"]),
        usefulness=_mean(figures["usefulness"]),
        comments=sorted(comments),
    )


def cohort_session_feedback(cohort: Cohort) -> QuerySet[GroupSession]:
    """The cohort's delivered sessions, each with `present`, `responded` and its mean
    `satisfaction` (None without answers), from one query."""
    feedback = (
        SurveyResponse.objects.filter(session=OuterRef("pk"), kind=SurveyKind.SESSION_FEEDBACK)
        .order_by()
        .values("session")
    )
    present = (
        Attendance.objects.filter(session=OuterRef("pk"), present=True)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        GroupSession.objects.filter(cohort=cohort, status=SessionStatus.DELIVERED)
        .annotate(
            present=Coalesce(Subquery(present), 0),
            responded=Coalesce(Subquery(feedback.annotate(n=Count("pk")).values("n")[:1]), 0),
            satisfaction=Subquery(
                feedback.annotate(m=Avg(_number("overall_satisfaction"))).values("m")[:1]
            ),
        )
        .order_by("starts_at")
    )


def _completed_cohort_ids(cohorts: QuerySet[Cohort]) -> list[int]:
    return list(
        cohorts.annotate(
            delivered=hours_total(
                "sessions__hours", filter=Q(sessions__status=SessionStatus.DELIVERED)
            )
        )
        .filter(delivered__gte=F("programme__cohort_hours"))
        .values_list("pk", flat=True)
    )


def response_rates(cohorts: QuerySet[Cohort]) -> list[Rate]:
    """Response rates by kind over these cohorts: baseline among members, feedback among
    attendances at delivered sessions, exit among those who stayed in a cohort that has
    delivered its hours, drop-out among those who dropped out. Counted in SQL."""
    cohort_ids = list(cohorts.values_list("pk", flat=True))
    members = Participant.objects.filter(memberships__cohort_id__in=cohort_ids).distinct()
    done = _completed_cohort_ids(Cohort.objects.filter(pk__in=cohort_ids))
    completers = Participant.objects.filter(pk__in=_completers(done).values("participant_id"))
    dropped = members.filter(dropped_out_on__isnull=False)

    def answered(people: QuerySet[Participant], kind: str) -> int:
        return (
            SurveyResponse.objects.filter(participant__in=people.values("pk"), kind=kind)
            .values("participant")
            .distinct()
            .count()
        )

    present = Attendance.objects.filter(
        session__cohort_id__in=cohort_ids, session__status=SessionStatus.DELIVERED, present=True
    )
    feedback = SurveyResponse.objects.filter(
        kind=SurveyKind.SESSION_FEEDBACK,
        session__cohort_id__in=cohort_ids,
        session__status=SessionStatus.DELIVERED,
    )
    return [
        Rate("baseline", "Baseline (S1)", members.count(), answered(members, SurveyKind.BASELINE)),
        Rate("session_feedback", "After each session (S2)", present.count(), feedback.count()),
        Rate("exit", "Exit (S3)", completers.count(), answered(completers, SurveyKind.EXIT)),
        Rate("dropout", "Drop-out (S4)", dropped.count(), answered(dropped, SurveyKind.DROPOUT)),
    ]


@dataclass(frozen=True)
class MonthSatisfaction:
    month: dt.date
    responses: int
    satisfaction: Decimal | None


def satisfaction_by_month(cohorts: QuerySet[Cohort]) -> list[MonthSatisfaction]:
    """Session feedback over time: responses and mean satisfaction by month completed."""
    rows = (
        SurveyResponse.objects.filter(
            kind=SurveyKind.SESSION_FEEDBACK, session__cohort__in=cohorts.values("pk")
        )
        .annotate(month=TruncMonth("completed"))
        .values("month")
        .annotate(n=Count("pk"), mean=Avg(_number("overall_satisfaction")))
        .order_by("month")
    )
    return [MonthSatisfaction(r["month"], r["n"], _mean(r["mean"])) for r in rows]


@dataclass(frozen=True)
class Distance:
    key: str
    text: str
    pairs: int  # people who answered it at baseline and at exit
    baseline: Decimal | None
    exit: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.exit is None:
            return None
        return self.exit - self.baseline


def matched_questions() -> list[dict]:
    """The numeric questions asked at baseline and again at exit (the current exit
    instrument's `matched` questions)."""
    exit_instrument = SurveyInstrument.objects.filter(kind=SurveyKind.EXIT, active=True).first()
    if exit_instrument is None:
        return []
    return [q for q in exit_instrument.questions if q.get("matched") and q["type"] in NUMERIC_TYPES]


def distance_travelled(participants: QuerySet[Participant]) -> list[Distance]:
    """Each matched question compared per person (their exit answer against their own
    baseline answer), summarised as means over the people who answered both. One query."""
    questions = matched_questions()
    if not questions:
        return []
    exits = SurveyResponse.objects.filter(
        kind=SurveyKind.EXIT, participant__in=participants.values("pk")
    )
    baseline = SurveyResponse.objects.filter(
        kind=SurveyKind.BASELINE, participant=OuterRef("participant")
    )
    annotations: dict[str, Any] = {}
    aggregates: dict[str, Any] = {}
    for n, question in enumerate(questions):
        key = question["key"]
        annotations[f"b{n}"] = Subquery(baseline.annotate(v=_number(key)).values("v")[:1])
        annotations[f"e{n}"] = _number(key)
        both = Q(**{f"b{n}__isnull": False, f"e{n}__isnull": False})
        aggregates[f"n{n}"] = Count("pk", filter=both)
        aggregates[f"bm{n}"] = Avg(f"b{n}", filter=both)
        aggregates[f"em{n}"] = Avg(f"e{n}", filter=both)
    figures = exits.annotate(**annotations).aggregate(**aggregates)
    return [
        Distance(
            key=q["key"],
            text=q["text"],
            pairs=figures[f"n{n}"],
            baseline=_mean(figures[f"bm{n}"]),
            exit=_mean(figures[f"em{n}"]),
        )
        for n, q in enumerate(questions)
    ]


@dataclass(frozen=True)
class EqualityCount:
    question: str
    answer: str
    shown: str  # the count, or "fewer than 5"


EQUALITY_QUESTIONS = {
    "gender": "Sex or gender",
    "ethnic_group": "Ethnic group",
    "age_band": "Age",
    "disability": "Disability or long-term health condition",
}


def equality_summary(hub: Hub) -> list[EqualityCount]:
    """SECURITY.md 7, 25: the hub's equality answers, only as counts per answer, each
    question's counts suppressed as every breakdown is (peernet.privacy)."""
    from participants.models import AgeBand, Disability, EthnicGroup, Gender

    vocab = {
        "gender": Gender,
        "ethnic_group": EthnicGroup,
        "age_band": AgeBand,
        "disability": Disability,
    }
    rows = EqualityData.objects.filter(participant__hub=hub)
    summary = []
    for field, title in EQUALITY_QUESTIONS.items():
        counts = dict(
            rows.exclude(**{field: ""}).values_list(field).annotate(n=Count("pk")).order_by()
        )
        # No total is shown beside them, and the answers not given are not listed.
        (shown,) = suppress_breakdown({hub.pk: counts}, totals_shown=False).values()
        for value, label in vocab[field].choices:
            if counts.get(value):
                summary.append(EqualityCount(title, label, str(shown[value])))
    return summary


# --- S5: who the evaluator surveys ------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorRow:
    participant: Participant
    pseudonym: str  # for roles that must not see names
    cohort: str
    completed: dt.date
    six_month_due: dt.date
    consent: bool | None  # the latest exit/baseline answer; None when not asked

    @property
    def consent_words(self) -> str:
        return {True: "Consented", False: "Did not consent", None: "Not asked"}[self.consent]


def evaluator_list(cohorts: QuerySet[Cohort]) -> list[EvaluatorRow]:
    """S5: who completed the programme (stayed in a cohort until it delivered its hours)
    and when, when the evaluator's six-month survey is due, and their consent (G3).
    Three queries, whatever the number of people."""
    cohort_ids = list(cohorts.values_list("pk", flat=True))
    completed = cohorts_completed_on(cohort_ids)
    consent = (
        SurveyResponse.objects.filter(
            participant=OuterRef("participant"),
            kind__in=[SurveyKind.EXIT, SurveyKind.BASELINE],
            answers__has_key="evaluator_consent",
        )
        .annotate(answer=KeyTransform("evaluator_consent", "answers"))
        .order_by("-completed", "-pk")
        .values("answer")[:1]
    )
    memberships = (
        _completers(completed)
        .select_related("participant", "cohort")
        .annotate(consent=Subquery(consent))
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    rows = []
    for membership in memberships:
        day = completed[membership.cohort_id]
        answer = membership.consent
        rows.append(
            EvaluatorRow(
                participant=membership.participant,
                pseudonym=evaluator_pseudonym(membership.participant.code),
                cohort=membership.cohort.name,
                completed=day,
                six_month_due=add_months(day, EVALUATOR_FOLLOW_UP_MONTHS),
                # SQLite hands a JSON true back as 1.
                consent=bool(answer) if isinstance(answer, bool | int) else None,
            )
        )
    return sorted(rows, key=lambda r: (r.completed, r.participant.last_name, r.participant.pk))
