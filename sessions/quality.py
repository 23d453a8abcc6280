"""Writes for quality (Q1–Q5): booking a facilitator observation and telling them
(Q2), choosing the sessions to observe (Q3), recording an observation and deleting its
recording (Q4), and complaints and compliments (Q5). Each asks its rules as
sessions/services.py does (rules.services.judge_and_record) and records an audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cohorts.models import Cohort
from peernet import audit, mail
from peernet.access import role_holders
from peernet.calendar import LONDON, require_aware
from peernet.db import next_key, save_fields
from peernet.models import EmailKind, Hub, Role, RoleAssignment, User
from rules.services import Judging, judge_and_record
from sessions.models import (
    Complaint,
    ComplaintKind,
    GroupSession,
    Observation,
    SessionStatus,
)

OBSERVATION_RULES = ("Q2",)


def _facilitators_of(cohort: Cohort) -> list[User]:
    return list(role_holders(Role.FACILITATOR, cohort=cohort))


@transaction.atomic
def observation_book_and_notify(
    *,
    session: GroupSession,
    observer: User,
    share_privacy_statement: bool,
    by: User,
    now: dt.datetime | None = None,
) -> Observation:
    """Q2 as it happens through the pages: the notice is *given*, by email to the
    session's facilitators, and its time is the notice the check judges; the privacy
    statement is emailed to the cohort's members, and its time recorded. The emails and
    the booking stand or fall together."""
    now = now or timezone.now()
    session = GroupSession.objects.select_related("cohort__hub").get(pk=session.pk)
    cohort = session.cohort
    facilitators = _facilitators_of(cohort)
    if not facilitators:
        raise ValidationError(
            f"{cohort.name} has no facilitator to give notice to: assign one first (Q2)."
        )
    observation = observation_book(
        session=session,
        observer=observer,
        notice_given=now,
        privacy_statement_shared=now if share_privacy_statement else None,
        by=by,
        as_of=now,
    )
    when = f"{session.starts_at.astimezone(LONDON):%A %-d %B %Y at %H:%M}"
    mail.send(
        kind=EmailKind.OBSERVATION,
        subject=f"Your session on {when} will be observed – {cohort.hub.name}",
        body=render_to_string(
            "facilitation/observation_notice_email.txt",
            {"session": session, "cohort": cohort, "observer": observer, "when": when},
        ),
        to=[f.email for f in facilitators],
        hub=cohort.hub,
        # The notice asks them to reply to the hub if the time does not work.
        reply_to=mail.hub_administrator_addresses(cohort.hub),
    )
    if share_privacy_statement:
        members = [
            m.participant
            for m in cohort.memberships.select_related("participant")
            if m.left is None and m.participant.email and m.participant.dropped_out_on is None
        ]
        for member in members:
            mail.send(
                kind=EmailKind.OBSERVATION,
                subject=f"An observer at your peer network session on {when}",
                body=render_to_string(
                    "facilitation/observation_privacy_email.txt",
                    {"participant": member, "cohort": cohort, "when": when},
                ),
                to=[member.email],
                hub=cohort.hub,
            )
    return observation


@transaction.atomic
def observation_book(
    *,
    session: GroupSession,
    observer: User,
    notice_given: dt.datetime,
    privacy_statement_shared: dt.datetime | None,
    by: User,
    as_of: dt.datetime | None = None,
) -> Observation:
    """Book an observation of a group session (Q2: notice to the facilitator, and a
    privacy statement shared with the cohort)."""
    require_aware("notice_given", notice_given)
    require_aware("privacy_statement_shared", privacy_statement_shared)
    as_of = as_of or timezone.now()
    session = GroupSession.objects.select_related("cohort__hub").get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("A cancelled session cannot be observed.")
    if session.observations.filter(observer=observer).exists():
        raise ValidationError(f"{observer} is already booked to observe this session.")

    observation = Observation.objects.create(
        session=session,
        observer=observer,
        notice_given=notice_given,
        privacy_statement_shared=privacy_statement_shared,
    )
    judged = Observation.objects.select_related("session__cohort__programme").get(pk=observation.pk)
    judge_and_record(
        judging=[Judging("observation", judged, OBSERVATION_RULES)],
        hub=session.cohort.hub,
        action="observation_book",
        by=by,
        as_of=as_of,
    )
    audit.record(
        by,
        "create",
        observation,
        hub=session.cohort.hub_id,
        summary=f"Observation of session {session.key} booked",
        after={"observer": observer.pk, "notice_given": notice_given},
    )
    return observation


# --- complaints and compliments (Q5) ---------------------------------------------------


def _next_complaint_key(hub: Hub) -> str:
    """`<hub key>-c<n>`, as the scenario import names complaints."""
    return next_key(Complaint.objects.all(), f"{hub.key}-c", made=hub.complaints.count())


@transaction.atomic
def complaint_record(
    *,
    hub: Hub,
    kind: str,
    received: dt.date,
    received_from: str,
    summary: str,
    today: dt.date | None = None,
    by: User | None = None,
) -> Complaint:
    """Q5: record a complaint or compliment the hub received, and from whom."""
    today = today or timezone.localdate()
    if kind not in ComplaintKind.values:
        raise ValidationError("Choose whether it is a complaint or a compliment.")
    if not summary.strip():
        raise ValidationError("Enter what was said.")
    if received > today:
        raise ValidationError("The date received must be today or in the past.")
    complaint = Complaint.objects.create(
        key=_next_complaint_key(hub),
        hub=hub,
        kind=kind,
        received=received,
        received_from=received_from.strip(),
        summary=summary.strip(),
    )
    audit.record(by, "create", complaint, summary=f"{complaint.get_kind_display()} recorded")
    return complaint


@transaction.atomic
def complaint_close(
    *,
    complaint: Complaint,
    action_taken: str,
    closed: dt.date | None,
    today: dt.date | None = None,
    by: User | None = None,
) -> Complaint:
    """Q5: record the action taken and, when `closed` is given, close it on that date.

    A complaint is closed only with its action recorded (Q5); a compliment may close
    without one."""
    today = today or timezone.localdate()
    action_taken = action_taken.strip()
    if closed is not None:
        if complaint.kind == ComplaintKind.COMPLAINT and not action_taken:
            raise ValidationError("Enter the action taken before closing the complaint.")
        if closed < complaint.received:
            raise ValidationError("The date closed must be on or after the date received.")
        if closed > today:
            raise ValidationError("The date closed must be today or in the past.")
    before = {"resolved": complaint.resolved}
    save_fields(complaint, action_taken=action_taken, resolved=closed)
    audit.record(
        by,
        "update",
        complaint,
        summary=f"{complaint.get_kind_display()}: action taken recorded"
        + (", closed" if closed else ""),
        before=before,
        after={"resolved": closed},
    )
    return complaint


# --- observation: selection (Q3) and recording (Q4) -----------------------------------

# The Playbook's aspects of virtual facilitator observation (Observation), by criterion:
# (criterion key, criterion, ((item key, item), ...)). Ratings are keyed by item key.
OBSERVATION_CRITERIA: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "topic",
        "Topic",
        (
            (
                "topic_1",
                "Facilitators use subject expertise, knowledge and practical skills to provide "
                "learning opportunities",
            ),
            ("topic_2", "The session content is suitably demanding, inspirational and engaging"),
            (
                "topic_3",
                "The session content is appropriate to the peer group and does not lower "
                "expectations",
            ),
            ("topic_4", "There is a logical sequence to the session"),
            (
                "topic_5",
                "Facilitators react and respond to the specific issues presented by participants "
                "within the session",
            ),
            (
                "topic_6",
                "Facilitators focus the session topic(s) on specific issues as necessary (core "
                "themes and topics provided by BEIS)",
            ),
            ("topic_7", "Clear evidence of planning and preparation is exhibited"),
        ),
    ),
    (
        "facilitation",
        "Facilitation",
        (
            (
                "facilitation_1",
                "Facilitators use the principles of action learning to successfully facilitate "
                "each session",
            ),
            (
                "facilitation_2",
                "Facilitators demonstrate good technology competency using video conference "
                "facilities",
            ),
            (
                "facilitation_3",
                "Facilitators use relevant and appropriate resources during the sessions",
            ),
            (
                "facilitation_4",
                "Facilitators demonstrate good communication skills and good questioning skills",
            ),
            (
                "facilitation_5",
                "Facilitators give explicit, detailed, and constructive feedback",
            ),
            ("facilitation_6", "Facilitators effectively check for understanding"),
            (
                "facilitation_7",
                "Facilitators champion the programme, its benefits, and its impact on productivity",
            ),
        ),
    ),
    (
        "behaviour",
        "Behaviour",
        (
            (
                "behaviour_1",
                "Facilitators develop a collaborative and open culture and supporting behaviours "
                "within the session",
            ),
            (
                "behaviour_2",
                "Facilitators create supportive peer session focused on sharing, solving, and "
                "learning",
            ),
            (
                "behaviour_3",
                "Facilitators create a focused session through their high expectations for peers",
            ),
            (
                "behaviour_4",
                "Facilitators communicate clear and consistent expectations which are understood "
                "and followed by participants",
            ),
            (
                "behaviour_5",
                "Participants are managed effectively and focused on sharing, solving, and "
                "learning",
            ),
        ),
    ),
)
OBSERVATION_ITEMS: dict[str, str] = {
    key: text for _, _, items in OBSERVATION_CRITERIA for key, text in items
}
OBSERVATION_RECORD_RULES = ("Q4",)


@dataclass(frozen=True)
class ObservationProposal:
    """Q3: one session proposed for observation, and the facilitator it is proposed for."""

    session: GroupSession
    facilitator: User


def observation_select_sessions(
    *, hub: Hub, seed: int | None = None, as_of: dt.datetime | None = None
) -> list[ObservationProposal]:
    """Q3: the programme manager's random pick. For each facilitator of the hub's cohorts
    with no completed observation (Q1), one scheduled future session of their cohorts,
    chosen at random, paired with that facilitator. No writes."""
    import random

    as_of = as_of or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (a fair pick, not a secret)
    assignments = (
        RoleAssignment.objects.filter(role=Role.FACILITATOR, cohort__isnull=False, cohort__hub=hub)
        .select_related("user")
        .order_by("user__pk", "cohort__pk")
    )
    cohorts_of: dict[int, list[int]] = {}
    users: dict[int, User] = {}
    for assignment in assignments:
        cohort_id = assignment.cohort_id
        assert cohort_id is not None  # the query above keeps only cohort__isnull=False
        users[assignment.user.pk] = assignment.user
        cohorts_of.setdefault(assignment.user.pk, []).append(cohort_id)
    # Two queries for the whole hub, not two per facilitator (issue 10): the cohorts with
    # a completed observation, and every cohort's scheduled future sessions.
    all_cohorts = [pk for ids in cohorts_of.values() for pk in ids]
    observed_cohorts = set(
        Observation.objects.filter(session__cohort_id__in=all_cohorts, completed__isnull=False)
        .values_list("session__cohort_id", flat=True)
        .distinct()
    )
    future = list(
        GroupSession.objects.filter(
            cohort_id__in=all_cohorts, status=SessionStatus.SCHEDULED, starts_at__gt=as_of
        )
        .select_related("cohort")
        .order_by("starts_at", "pk")
    )
    proposals: list[ObservationProposal] = []
    for user_pk, cohort_ids in cohorts_of.items():
        if observed_cohorts.intersection(cohort_ids):
            continue
        mine = set(cohort_ids)
        candidates = [s for s in future if s.cohort_id in mine]
        if not candidates:
            continue
        session = rng.choice(candidates)
        proposals.append(ObservationProposal(session=session, facilitator=users[user_pk]))
    return proposals


def _observation_record_warnings(observation: Observation, *, action: str, by: User) -> None:
    judged = Observation.objects.select_related("session__cohort__hub").get(pk=observation.pk)
    # Q4 only warns: recording an observation is never refused, its warning is recorded.
    judge_and_record(
        judging=[Judging("observation", judged, OBSERVATION_RECORD_RULES)],
        hub=judged.session.cohort.hub,
        action=action,
        by=by,
        as_of=timezone.now(),
    )


@transaction.atomic
def observation_record(
    *,
    observation: Observation,
    ratings: dict,
    feedback: str,
    completed: dt.date | None,
    recording_made: bool,
    by: User,
) -> Observation:
    """Record the observer's ratings (1–5 and a comment per Playbook criterion item),
    the feedback, when it was completed and whether a recording was made. Bad input is a
    `ValidationError` listing every problem, and nothing is written."""
    errors: list[str] = []
    cleaned: dict[str, dict] = {}
    for key, value in (ratings or {}).items():
        if key not in OBSERVATION_ITEMS:
            errors.append(f"“{key}” is not one of the Playbook's observation criteria.")
            continue
        value = value or {}
        rating = value.get("rating")
        comment = str(value.get("comment") or "").strip()
        if rating in (None, ""):
            if comment:
                errors.append(f"Enter a rating from 1 to 5 for “{OBSERVATION_ITEMS[key]}”.")
            continue
        try:
            rating_int = int(rating)
        except (TypeError, ValueError):
            rating_int = None
        if rating_int is None or str(rating).strip() != str(rating_int) or not 1 <= rating_int <= 5:
            errors.append(
                f"The rating for “{OBSERVATION_ITEMS[key]}” must be a whole number from 1 to 5."
            )
            continue
        cleaned[key] = {"rating": rating_int, "comment": comment}
    if completed is not None and completed > timezone.localdate():
        errors.append("The date the observation was completed must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    save_fields(
        observation,
        ratings=cleaned,
        feedback=feedback.strip(),
        completed=completed,
        recording_made=recording_made,
    )
    audit.record(
        by,
        "update",
        observation,
        hub=observation.session.cohort.hub_id,
        summary="Observation recorded",
        after={"completed": completed, "recording_made": recording_made, "items": len(cleaned)},
    )
    _observation_record_warnings(observation, action="observation_record", by=by)
    return observation


@transaction.atomic
def observation_recording_delete(
    *, observation: Observation, by: User, as_of: dt.datetime | None = None
) -> Observation:
    """Q4: record that the observation's recording was deleted (now, unless told)."""
    require_aware("as_of", as_of)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.recording_deleted is None:
        observation.recording_deleted = as_of or timezone.now()
        observation.save(update_fields=["recording_deleted"])
        audit.record(
            by,
            "update",
            observation,
            hub=observation.session.cohort.hub_id,
            summary="Observation recording deleted (Q4)",
            after={"recording_deleted": observation.recording_deleted},
        )
    return observation
