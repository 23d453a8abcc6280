"""The demo's cohorts and group sessions: the fortnightly schedule (K4), joining
instructions (K7), topics, attendance (K8), facilitator notes (K9) and action cards (K10).
"""

from __future__ import annotations

import datetime as dt
import random

from demo.content import (
    CORE_TOPICS,
    HOT_TOPICS,
    PROCESS_ISSUES,
    REPORT_BACKS,
    TOPIC_CONTENT,
    TOPIC_WEIGHTS,
)
from demo.plan import LATE_ARRIVAL, LATE_JOINING_INSTRUCTIONS, NOTES_NOT_YET_WRITTEN, CohortPlan, at
from demo.records import (
    DemoYear,
    Json,
    Session,
    christmas_break,
    json_number,
    next_weekday,
    sentence,
    stream,
    wall_clock,
)

FORTNIGHT = dt.timedelta(days=14)


def schedule(year: DemoYear, plan: CohortPlan) -> list[Session]:
    """Fortnightly sessions (K4): those before the anchor delivered (or cancelled),
    the rest scheduled. After a cancelled session the cohort carries on a fortnight
    later with the same hours still to do; nobody meets over Christmas, so a session
    due then moves a week or two later."""
    day = next_weekday(year.anchor + dt.timedelta(days=plan.first_session), plan.weekday)
    slots = len(plan.hours) + (plan.cancelled is not None)
    hours = iter(plan.hours)
    sessions = []
    for index in range(slots):
        if index:
            day += FORTNIGHT
        while christmas_break(day):
            day += dt.timedelta(days=7)
        cancelled = index == plan.cancelled
        if cancelled:
            status = "cancelled"
            length = plan.hours[index]
        else:
            status = "delivered" if day < year.anchor else "scheduled"
            length = next(hours)
        sessions.append(
            Session(
                key=f"{plan.key}-s{index + 1}",
                cohort=plan,
                number=index + 1,
                starts_at=dt.datetime.combine(day, plan.start_time),
                hours=length,
                status=status,
            )
        )
    return sessions


def cohort_json(year: DemoYear, plan: CohortPlan) -> Json:
    sessions = year.sessions[plan.key]
    rng = stream("sessions", plan.key)
    for session in sessions:
        session.json = _session_json(year, session, rng)
    _write_action_cards(year, plan, rng)
    return {
        "key": plan.key,
        "hub": plan.hub,
        "name": plan.name,
        "facilitator": plan.facilitator,
        "members": [
            {
                "participant": spell.participant.key,
                "joined": spell.joined.isoformat(),
                "left": spell.left.isoformat() if spell.left else None,
            }
            for spell in year.spells[plan.key]
        ],
        "sessions": [session.json for session in sessions],
    }


def _session_json(year: DemoYear, session: Session, rng: random.Random) -> Json:
    plan = session.cohort
    topics = _topics(rng)
    data: Json = {
        "key": session.key,
        "starts_at": wall_clock(session.starts_at),
        "hours": json_number(session.hours),
        "status": session.status,
        "location": plan.location,
        "joining_instructions_sent": _joining_instructions(year, session, rng),
        "topics": topics,
    }
    if session.status == "delivered":
        data["attendance"] = _attendance(year, session, rng)
        if session.key not in NOTES_NOT_YET_WRITTEN:
            data["facilitator_notes"] = _facilitator_notes(year, session, topics, rng)
    return data


def _joining_instructions(year: DemoYear, session: Session, rng: random.Random) -> str | None:
    """K7: sent three to seven days ahead; one went out the afternoon before. Not yet
    sent when that day is still to come."""
    day_before = session.day - dt.timedelta(days=1)
    if (session.cohort.key, session.number) == LATE_JOINING_INSTRUCTIONS:
        sent = dt.datetime.combine(day_before, at(16, 40))
    else:
        sent_on = session.day - dt.timedelta(days=rng.randint(3, 7))
        sent = dt.datetime.combine(sent_on, at(rng.randint(9, 12), 0))
    return wall_clock(sent) if sent.date() < year.anchor else None


def _topics(rng: random.Random) -> list[str]:
    first, second = rng.choices(CORE_TOPICS, weights=TOPIC_WEIGHTS, k=2)
    topics = [first] if first == second else [first, second]
    finer = TOPIC_CONTENT[first][0]
    if finer and rng.random() < 0.6:
        topics.append(rng.choice(finer))
    return topics


def _attendance(year: DemoYear, session: Session, rng: random.Random) -> Json:
    """K8: every member on the day is present or absent; a late arrival attends fewer
    hours than the session."""
    attendance: Json = {}
    for spell in year.spells[session.cohort.key]:
        if not spell.covers(session.day):
            continue
        participant = spell.participant
        if rng.random() < 0.88:
            hours = session.hours
            if not session.present and (session.cohort.key, session.number) == LATE_ARRIVAL:
                hours -= 1
            session.present.append(participant)
            year.attended.setdefault(participant.key, []).append(session.day)
            attendance[participant.key] = {"present": True, "hours": json_number(hours)}
        else:
            attendance[participant.key] = {"present": False, "hours": 0}
    return attendance


def _facilitator_notes(
    year: DemoYear, session: Session, topics: list[str], rng: random.Random
) -> Json:
    """K9: issues brought, actions agreed, process issues and hot topics."""
    core = [topic for topic in topics if topic in TOPIC_CONTENT]
    brought, agreed = [], []
    for topic, participant in zip(core, session.present, strict=False):
        _, issues, actions = TOPIC_CONTENT[topic]
        business = participant.business.name.removesuffix(" Ltd")
        brought.append(f"{participant.first_name} ({business}): {rng.choice(issues)}.")
        agreed.append(f"{participant.first_name}: {rng.choice(actions).lower()}.")
    process = rng.choice(PROCESS_ISSUES)
    if (session.cohort.key, session.number) == LATE_ARRIVAL and session.present:
        late = session.present[0].first_name
        process = f"{late} arrived an hour late (an accident on the M60). " + process
    return {
        "issues_brought": " ".join(brought),
        "actions_agreed": " ".join(agreed) + " Everyone else updated their action cards.",
        "process_issues": process.strip(),
        "hot_topics": sentence(", ".join(rng.sample(HOT_TOPICS, 3))),
    }


def _write_action_cards(year: DemoYear, plan: CohortPlan, rng: random.Random) -> None:
    """K10: everyone present writes an action card and reports back at the next
    delivered session (the latest cards have no report back yet)."""
    delivered = year.delivered(plan.key)
    for number, session in enumerate(delivered):
        following = delivered[number + 1] if number + 1 < len(delivered) else None
        topics = [t for t in session.json["topics"] if t in TOPIC_CONTENT]
        cards = {}
        for participant in session.present:
            _, _, actions = TOPIC_CONTENT[rng.choice(topics)]
            reported = following is not None and participant in following.present
            cards[participant.key] = {
                "actions": rng.choice(actions) + ".",
                "report_back": rng.choice(REPORT_BACKS) if reported else "",
            }
        session.json["action_cards"] = cards
