"""Quality: Q1–Q5 (a facilitator, an observation, a session, a complaint)."""

from __future__ import annotations

import datetime as dt

from peernet.calendar import elapsed, local_date
from peernet.models import Role, User
from peernet.words import date_words, duration_words
from rules.records import session_name
from rules.registry import Outcome, Verdict, check
from sessions.models import Complaint, GroupSession, Observation

# Prefetch for facilitators: role_assignments__cohort__sessions__observations.
# For observations: select_related session__cohort__programme.


@check(
    "Q1",
    judges="facilitator",
    kind="warn",
    section="Ensuring Quality of Delivery",
    summary=(
        "Each facilitator has at least one session observed; a facilitator of a cohort with "
        "no completed observation warns."
    ),
)
def q1_facilitator_observed(facilitator: User, *, as_of: dt.datetime) -> Verdict:
    cohorts = [
        assignment.cohort
        for assignment in facilitator.role_assignments.all()
        if assignment.role == Role.FACILITATOR and assignment.cohort is not None
    ]
    if not cohorts:
        return Verdict(Outcome.NOT_APPLICABLE, f"{facilitator} does not facilitate a cohort.")
    observed_on = [
        observation.completed
        for cohort in cohorts
        for session in cohort.sessions.all()
        for observation in session.observations.all()
        if observation.completed is not None
    ]
    if observed_on:
        latest = max(observed_on)
        return Verdict(
            Outcome.PASS,
            f"A session of {facilitator}'s was observed on {date_words(latest)}.",
        )
    return Verdict(
        Outcome.WARN,
        f"No session of {facilitator}'s has been observed yet; each facilitator has at least "
        "one session observed.",
    )


@check(
    "Q2",
    judges="observation",
    kind="fail",
    section="Observation; Ensuring Quality of Delivery",
    summary=(
        "An observation gives the facilitator at least {observation_notice_hours} real "
        "hours' notice, and a privacy statement is shared with the cohort; either missing "
        "fails."
    ),
)
def q2_observation_notice(observation: Observation, *, as_of: dt.datetime) -> Verdict:
    session = observation.session
    hours = session.cohort.programme.observation_notice_hours
    notice = elapsed(observation.notice_given, session.starts_at)
    problems = []
    if notice < dt.timedelta(hours=hours):
        problems.append(
            f"the facilitator was given notice {duration_words(notice)} before it, and "
            f"{hours} hours' notice is needed"
        )
    if observation.privacy_statement_shared is None:
        problems.append("no privacy statement was shared with the cohort")
    if problems:
        return Verdict(
            Outcome.FAIL,
            f"For the observation of {session_name(session)}, {'; '.join(problems)}.",
        )
    return Verdict(
        Outcome.PASS,
        f"The facilitator was given notice of the observation of {session_name(session)} "
        f"{duration_words(notice)} before it, and the privacy statement was shared.",
    )


@check(
    "Q3",
    judges="session",
    kind="—",
    section="Observation",
    summary=(
        "The programme manager picks sessions to observe at random: a feature of the "
        "observation pages, never a finding."
    ),
)
def q3_random_selection(session: GroupSession, *, as_of: dt.datetime) -> Verdict:
    # Q3 is a feature (the programme manager's random pick), not something to judge.
    return Verdict(
        Outcome.NOT_APPLICABLE,
        "Sessions for observation are selected at random by the programme manager.",
    )


@check(
    "Q4",
    judges="observation",
    kind="warn",
    section="Observation",
    summary=(
        "A recording made for an observation is deleted once reviewed or once feedback is "
        "given; an observation reviewed without its recording recorded as deleted warns."
    ),
)
def q4_recording_deleted(observation: Observation, *, as_of: dt.datetime) -> Verdict:
    name = session_name(observation.session)
    if observation.recording_deleted is not None:
        return Verdict(
            Outcome.PASS,
            f"The recording of {name} was deleted on "
            f"{date_words(local_date(observation.recording_deleted))}.",
        )
    if observation.completed is None and not observation.feedback.strip():
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"The observation of {name} has not been reviewed yet.",
        )
    return Verdict(
        Outcome.WARN,
        f"Any recording of {name} is not recorded as deleted; delete it once reviewed or once "
        "feedback is given.",
    )


@check(
    "Q5",
    judges="complaint",
    kind="warn",
    section="Quality Management and Assurance",
    summary=("Complaints and feedback are recorded with the action taken; none recorded warns."),
)
def q5_complaint_action(complaint: Complaint, *, as_of: dt.datetime) -> Verdict:
    received = date_words(complaint.received)
    if complaint.action_taken.strip():
        return Verdict(
            Outcome.PASS,
            f"The complaint received on {received} has the action taken recorded.",
        )
    return Verdict(
        Outcome.WARN,
        f"The complaint received on {received} has no action taken recorded.",
    )
