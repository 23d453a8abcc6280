"""Surveys: S1–S5 (a participant, or the feedback after a session)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from participants.models import Participant, SurveyKind
from peernet.calendar import local_date
from peernet.hours import sum_hours
from peernet.words import date_words, number_words
from rules.records import (
    current_membership,
    delivered_group_sessions,
    has_dropped_out,
    not_delivered,
    present_at,
    session_name,
)
from rules.registry import Outcome, Verdict, check
from sessions.models import GroupSession

# Prefetch for participants: survey_responses, memberships__cohort__sessions.
# For sessions: attendance, survey_responses.


def _responses(participant: Participant, kind: SurveyKind) -> list[Any]:
    return [r for r in participant.survey_responses.all() if r.kind == kind]


@check(
    "S1",
    judges="participant",
    kind="warn",
    section="Participant surveys; Impact Assessment & Evaluation",
    summary=(
        "A participant in a cohort answers the detailed baseline survey at the start; not "
        "answered warns. Someone who has dropped out is asked S4's survey instead."
    ),
)
def s1_baseline_survey(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    name = participant.full_name
    if not participant.memberships.all():
        return Verdict(Outcome.NOT_APPLICABLE, f"{name} is not in a cohort yet.")
    if _responses(participant, SurveyKind.BASELINE):
        return Verdict(Outcome.PASS, f"{name} has answered the baseline survey.")
    if has_dropped_out(participant, local_date(as_of)):
        assert participant.dropped_out_on is not None  # has_dropped_out: the day is recorded
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"{name} dropped out on {date_words(participant.dropped_out_on)}; the drop-out "
            "survey is asked instead.",
        )
    return Verdict(Outcome.WARN, f"{name} has not answered the baseline survey.")


@check(
    "S2",
    judges="session",
    kind="warn",
    section="Participant surveys",
    summary=(
        "Everyone present at a delivered session answers the short feedback survey after it; "
        "the sentence counts those who have not."
    ),
)
def s2_session_feedback(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    if (skipped := not_delivered(session)) is not None:
        return skipped
    present = {row.participant_id for row in present_at(session)}
    if not present:
        return Verdict(
            Outcome.NOT_APPLICABLE, f"Nobody is recorded present at {session_name(session)}."
        )
    answered = {
        r.participant_id
        for r in session.survey_responses.all()
        if r.kind == SurveyKind.SESSION_FEEDBACK
    }
    missing = len(present - answered)
    if missing:
        return Verdict(
            Outcome.WARN,
            f"{missing} of {len(present)} participants present at {session_name(session)} "
            "have not answered the feedback survey.",
        )
    return Verdict(
        Outcome.PASS,
        f"Everyone present at {session_name(session)} has answered the feedback survey.",
    )


@check(
    "S3",
    judges="participant",
    kind="warn",
    section="Participant surveys; Impact Assessment & Evaluation",
    summary=(
        "A participant whose cohort has delivered its {cohort_hours} hours answers the "
        "detailed exit survey; not answered warns. Someone who dropped out is S4's."
    ),
)
def s3_exit_survey(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    today, name = local_date(as_of), participant.full_name
    membership = current_membership(participant, today)
    if has_dropped_out(participant, today) or membership is None:
        return Verdict(Outcome.NOT_APPLICABLE, f"{name} is not completing a cohort (see S4).")
    cohort = membership.cohort
    needed = participant.programme.cohort_hours
    if sum_hours(delivered_group_sessions(cohort.sessions.all())) < needed:
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"{cohort.name} has not yet delivered its {number_words(needed)} hours.",
        )
    if _responses(participant, SurveyKind.EXIT):
        return Verdict(Outcome.PASS, f"{name} has answered the exit survey.")
    return Verdict(
        Outcome.WARN,
        f"{name} has not answered the exit survey; {cohort.name} has delivered its "
        f"{number_words(needed)} hours.",
    )


@check(
    "S4",
    judges="participant",
    kind="warn",
    section="Impact Assessment & Evaluation",
    summary=(
        "A participant who drops out part way answers the drop-out survey (and gets none of "
        "the surveys after completion); not answered warns."
    ),
)
def s4_dropout_survey(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    name = participant.full_name
    if not has_dropped_out(participant, local_date(as_of)):
        return Verdict(Outcome.NOT_APPLICABLE, f"{name} has not dropped out.")
    assert participant.dropped_out_on is not None  # has_dropped_out: the day is recorded
    left = date_words(participant.dropped_out_on)
    if _responses(participant, SurveyKind.DROPOUT):
        return Verdict(
            Outcome.PASS, f"{name} dropped out on {left} and answered the drop-out survey."
        )
    return Verdict(
        Outcome.WARN,
        f"{name} dropped out on {left} and has not answered the drop-out survey.",
    )


@check(
    "S5",
    judges="participant",
    kind="—",
    section="Impact Assessment & Evaluation",
    summary=(
        "The independent evaluator surveys completers soon after they complete and again six "
        "months later: the product lists who is due, with their consent, and never warns or "
        "fails."
    ),
)
def s5_evaluator_surveys(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    # S5 is a feature: the list of completers due an evaluator survey, with consent.
    return Verdict(
        Outcome.NOT_APPLICABLE,
        "The independent evaluator surveys completers after completion and six months later; "
        "see the list of who is due.",
    )
