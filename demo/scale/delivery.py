"""What happens in a hub's cohorts at national scale: attendance (K8) and the four
surveys (S1-S4), one-to-one support by both routes (O1, O8) with action plans (O6), and
complaints (Q5).

Each function takes the hub's random stream and draws from it in a fixed order, so the
same hub always gets the same records.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from demo.scale.shape import (
    EXISTING_PROGRAMME,
    LONDON,
    ONE_TO_ONE_PLANS,
    SESSION_HOURS,
    SESSIONS_PER_COHORT,
    YEAR_END,
    YEAR_START,
    Built,
    Member,
    insert,
    london_at,
)
from participants.models import Participant, SurveyInstrument, SurveyKind, SurveyResponse
from peernet.models import Hub, User
from sessions.models import (
    ActionPlan,
    Attendance,
    Complaint,
    ComplaintKind,
    GroupSession,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
)

Instruments = dict[str, SurveyInstrument]


# --- attendance and surveys ----------------------------------------------------------------


def attendance_and_surveys(
    built: Built,
    rng: random.Random,
    instruments: Instruments,
    members_of: list[list[Member]],
    sessions: list[GroupSession],
) -> None:
    """Each member's baseline (S1), attendance at their cohort's sessions with feedback
    (K8, S2), and an exit (S3) or drop-out (S4) survey."""
    attendance: list[Attendance] = []
    responses: list[SurveyResponse] = []
    for n, members in enumerate(members_of):
        own = sessions[n * SESSIONS_PER_COHORT : (n + 1) * SESSIONS_PER_COHORT]
        for member in members:
            responses += _baseline(rng, instruments, member)
            _attend(rng, instruments, member, own, attendance, responses)
            responses += _leaving_surveys(rng, instruments, member, own[-1])
    insert(built, Attendance, attendance)
    insert(built, SurveyResponse, responses)


def _baseline(rng: random.Random, instruments: Instruments, member: Member) -> list[SurveyResponse]:
    if rng.random() >= 0.92:  # S1: not everyone answers
        return []
    return [
        SurveyResponse(
            participant=member.participant,
            instrument=instruments[SurveyKind.BASELINE],
            kind=SurveyKind.BASELINE,
            completed=member.joined + dt.timedelta(days=rng.randrange(7)),
            answers={
                "growth_ambition": rng.randint(2, 5),
                "evaluator_consent": rng.random() < 0.8,
            },
        )
    ]


def _attend(
    rng: random.Random,
    instruments: Instruments,
    member: Member,
    own: list[GroupSession],
    attendance: list[Attendance],
    responses: list[SurveyResponse],
) -> None:
    """K8: present or absent at each session until the member drops out; S2: feedback
    from some of those present."""
    participant = member.participant
    for k, session in enumerate(own, start=1):
        if member.dropped_after is not None and k > member.dropped_after:
            break
        day = session.starts_at.astimezone(LONDON).date()
        present = rng.random() < 0.9
        late = present and rng.random() < 0.03
        attendance.append(
            Attendance(
                session=session,
                participant=participant,
                present=present,
                apologies=not present and rng.random() < 0.5,
                hours=(Decimal("2.5") if late else SESSION_HOURS) if present else Decimal("0"),
            )
        )
        if present and rng.random() < 0.55:  # S2
            responses.append(
                SurveyResponse(
                    participant=participant,
                    instrument=instruments[SurveyKind.SESSION_FEEDBACK],
                    kind=SurveyKind.SESSION_FEEDBACK,
                    session=session,
                    completed=day + dt.timedelta(days=rng.randrange(4)),
                    answers={
                        "overall_satisfaction": rng.choices((1, 2, 3, 4, 5), (1, 2, 10, 40, 47))[0],
                        "usefulness": rng.randint(3, 5),
                    },
                )
            )


def _leaving_surveys(
    rng: random.Random, instruments: Instruments, member: Member, last_session: GroupSession
) -> list[SurveyResponse]:
    """S3 from most of those who stayed to the end, S4 from half of those who left."""
    participant, responses = member.participant, []
    last = last_session.starts_at.astimezone(LONDON).date()
    if member.dropped_after is None and rng.random() < 0.7:  # S3
        responses.append(
            SurveyResponse(
                participant=participant,
                instrument=instruments[SurveyKind.EXIT],
                kind=SurveyKind.EXIT,
                completed=last + dt.timedelta(days=rng.randint(1, 10)),
                answers={"overall_satisfaction": rng.randint(3, 5), "recommend": 9},
            )
        )
    if member.dropped_on is not None and rng.random() < 0.5:  # S4
        responses.append(
            SurveyResponse(
                participant=participant,
                instrument=instruments[SurveyKind.DROPOUT],
                kind=SurveyKind.DROPOUT,
                completed=member.dropped_on + dt.timedelta(days=rng.randrange(5)),
                answers={"reason": "business-pressures", "outside_control": True},
            )
        )
    return responses


# --- one-to-one support --------------------------------------------------------------------


def plan_one_to_one(rng: random.Random, providers: list[User], member: Member) -> None:
    """O1, O8: decline, or a provider (programme route) or none (existing route)."""
    participant = member.participant
    draw = rng.random()
    if draw < 0.05:
        participant.one_to_one_declined = True
        return
    if member.dropped_after == 1:
        return
    if draw < 0.20:
        member.route = OneToOneRoute.EXISTING
    else:
        member.route = OneToOneRoute.PROGRAMME
        participant.one_to_one_provider = providers[rng.randrange(len(providers))]


def one_to_ones(
    built: Built,
    rng: random.Random,
    providers: list[User],
    members_of: list[list[Member]],
    sessions: list[GroupSession],
) -> None:
    """O1: each planned member's one-to-ones from ten days after their cohort's first
    session, a fortnight apart, until they drop out; O6: an action plan at the first."""
    plans = [plan for plan, _ in ONE_TO_ONE_PLANS]
    weights = [weight for _, weight in ONE_TO_ONE_PLANS]
    records: list[OneToOneSession] = []
    action_plans: list[ActionPlan] = []
    for n, members in enumerate(members_of):
        first = sessions[n * SESSIONS_PER_COHORT].starts_at.astimezone(LONDON).date()
        for member in members:
            if member.route is None:
                continue
            for k, hours in enumerate(rng.choices(plans, weights)[0], start=1):
                day = first + dt.timedelta(days=10 + 14 * (k - 1) + rng.randrange(4))
                if member.dropped_on is not None and day >= member.dropped_on:
                    break
                record = _one_to_one(rng, providers, member, k, day, hours)
                records.append(record)
                if k == 1:
                    action_plans.append(
                        ActionPlan(
                            participant=member.participant,
                            goal="Grow turnover by a fifth in two years.",
                            way_forward="Hire a sales lead.",
                            agreed_on=day,
                            provider=record.provider,
                        )
                    )
    insert(built, OneToOneSession, records)
    insert(built, ActionPlan, action_plans)


def _one_to_one(
    rng: random.Random, providers: list[User], member: Member, k: int, day: dt.date, hours: Decimal
) -> OneToOneSession:
    """The member's `k`th one-to-one, on `day`: now and then one after the first comes
    through the other route (mixed support)."""
    participant: Participant = member.participant
    route = member.route
    if k > 1 and rng.random() < 0.08:
        route = (
            OneToOneRoute.EXISTING if route == OneToOneRoute.PROGRAMME else OneToOneRoute.PROGRAMME
        )
    existing = route == OneToOneRoute.EXISTING
    provider = None if existing else participant.one_to_one_provider or providers[0]
    starts_at = london_at(day, 14)
    notice = rng.random()
    return OneToOneSession(
        key=f"{participant.key}-o{k}",
        participant=participant,
        provider=provider,
        starts_at=starts_at,
        hours=hours,
        status=SessionStatus.DELIVERED,
        route=route,
        existing_programme=EXISTING_PROGRAMME if existing else "",
        nature_of_support="Growth coaching" if existing else "",
        joining_instructions_sent_at=None if notice < 0.02 else starts_at - dt.timedelta(hours=72),
    )


# --- complaints ----------------------------------------------------------------------------


def complaints(built: Built, rng: random.Random, hub: Hub, count: int) -> None:
    """Q5: one complaint or compliment for every 400 registrations (at least one)."""
    made = []
    for i in range(1, max(1, count // 400) + 1):
        received = YEAR_START + dt.timedelta(days=rng.randrange(360))
        resolved = received + dt.timedelta(days=rng.randint(1, 20))
        made.append(
            Complaint(
                key=f"{hub.key}-q{i}",
                hub=hub,
                kind=ComplaintKind.COMPLAINT if i % 3 else ComplaintKind.COMPLIMENT,
                received=received,
                received_from="A participant",
                summary="Session moved at short notice.",
                action_taken="Apologised; rescheduled.",
                resolved=resolved if rng.random() < 0.8 and resolved <= YEAR_END else None,
            )
        )
    insert(built, Complaint, made)
