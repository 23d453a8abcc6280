"""The demo's survey responses (S1-S4): baselines on joining, feedback after sessions,
exit surveys for completers and drop-out surveys for leavers; not everyone answers.
"""

from __future__ import annotations

import datetime as dt
import random

from demo.content import EXIT_COMMENTS, SESSION_COMMENTS
from demo.plan import COHORTS, DROP_OUTS, REQUIRED_HOURS, CohortPlan
from demo.records import DemoYear, Json, ParticipantRecord, Session, stream


def surveys(year: DemoYear) -> list[Json]:
    """S1–S4: a baseline on joining, feedback after sessions, an exit survey for
    completers and a drop-out survey for leavers. Not everyone answers."""
    rng = stream("surveys")
    surveys = []
    for plan in COHORTS:
        surveys += _baselines(year, plan, rng)
        for session in year.delivered(plan.key):
            surveys += _session_feedback(year, session, rng)
        surveys += _exits(year, plan, rng)
    surveys += _drop_out_surveys(year, rng)
    return surveys


def _survey(
    year: DemoYear, participant: ParticipantRecord, kind: str, completed: dt.date, answers: Json
) -> list[Json]:
    """One response, or none if it would be completed after the anchor."""
    if completed >= year.anchor:
        return []
    return [
        {
            "participant": participant.key,
            "kind": kind,
            "session": None,
            "completed": completed.isoformat(),
            "answers": answers,
        }
    ]


def _baselines(year: DemoYear, plan: CohortPlan, rng: random.Random) -> list[Json]:
    responses = []
    first = year.first_session_day(plan.key)
    for spell in year.spells[plan.key][: plan.size]:
        answered = rng.random() < 0.92
        completed = spell.joined + dt.timedelta(days=rng.randint(0, 4))
        answers = _baseline_answers(rng)
        if answered and completed < first:
            responses += _survey(year, spell.participant, "baseline", completed, answers)
    return responses


def _baseline_answers(rng: random.Random) -> Json:
    answers: Json = {
        key: rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 5, 4, 2))[0]
        for key in (
            "covid_adaptation", "resilience", "leadership_management",
            "recruitment_retention", "technology_adoption", "networks",
            "use_of_data", "change_management", "innovation", "business_confidence",
        )
    }  # fmt: skip
    answers["growth_ambition"] = rng.choice((4, 5, 5))
    answers["business_plan"] = rng.random() < 0.45
    answers["evaluator_consent"] = rng.random() < 0.85
    if rng.random() < 0.15:  # a missing answer is recorded as not answered
        del answers["innovation"]
    return answers


def _session_feedback(year: DemoYear, session: Session, rng: random.Random) -> list[Json]:
    responses = []
    for participant in session.present:
        answered = rng.random() < 0.7
        completed = session.day + dt.timedelta(days=rng.randint(0, 2))
        answers: Json = {
            "overall_satisfaction": rng.choices((2, 3, 4, 5), weights=(1, 3, 10, 14))[0],
            "usefulness": rng.choices((2, 3, 4, 5), weights=(1, 4, 10, 10))[0],
        }
        if rng.random() < 0.3:
            answers["comments"] = rng.choice(SESSION_COMMENTS)
        if answered:
            for response in _survey(year, participant, "session_feedback", completed, answers):
                response["session"] = session.key
                responses.append(response)
    return responses


def _exits(year: DemoYear, plan: CohortPlan, rng: random.Random) -> list[Json]:
    delivered = year.delivered(plan.key)
    if sum(s.hours for s in delivered) < REQUIRED_HOURS:
        return []
    responses = []
    for spell in year.spells[plan.key]:
        if spell.left is not None or rng.random() > 0.85:
            continue
        completed = delivered[-1].day + dt.timedelta(days=rng.randint(1, 14))
        answers = {
            "overall_satisfaction": rng.choice((4, 4, 5, 5, 5, 3)),
            "goals_achieved": rng.choice((3, 4, 4, 5)),
            "one_to_one_useful": rng.choice((3, 4, 5, 5)),
            "recommend": rng.choice((7, 8, 9, 9, 10, 10)),
            "business_confidence": rng.choice((3, 4, 4, 5)),
            "stay_in_touch": rng.random() < 0.7,
            "comments": rng.choice(EXIT_COMMENTS),
            "evaluator_consent": rng.random() < 0.85,
        }
        responses += _survey(year, spell.participant, "exit", completed, answers)
    return responses


def _drop_out_surveys(year: DemoYear, rng: random.Random) -> list[Json]:
    responses = []
    for (cohort, index), drop_out in DROP_OUTS.items():
        participant = year.spells[cohort][index].participant
        assert participant.dropped_out is not None
        completed = participant.dropped_out + dt.timedelta(days=rng.randint(1, 5))
        answers = {
            "reason": drop_out.survey_reason,
            "outside_control": drop_out.outside_control,
            "overall_satisfaction": rng.choice((3, 4, 5)),
            "comments": drop_out.comment,
        }
        responses += _survey(year, participant, "dropout", completed, answers)
    return responses
