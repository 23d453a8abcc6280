"""Action cards (K10): per participant per session, the problem or opportunity, the
actions agreed, and the report back on last session's actions.

The model has one text field for both the problem and the actions (`actions`), so the
card keeps them as two labelled paragraphs (`compose_actions`, read back by
`split_actions`); `report_back` is what the participant says at this session about the
actions agreed at the cohort's previous delivered session.

The participant's own card, filled through an emailed link without a password, comes
with the surveys issue: HOOK(surveys) — call `session_write_action_cards` for that one
participant (with `by=None`) from the emailed-link view.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peernet import audit
from sessions.attendance.selectors import session_members
from sessions.models import ActionCard, Attendance, GroupSession, SessionStatus
from sessions.services import session_recording_refusal

PROBLEM_LABEL = "Problem or opportunity:"
ACTIONS_LABEL = "Actions agreed:"


class CardText(NamedTuple):
    problem: str
    actions: str
    report_back: str


def compose_actions(problem: str, actions: str) -> str:
    """The card's `actions` text: the problem first, then the actions, each labelled."""
    problem, actions = problem.strip(), actions.strip()
    if not problem:
        return actions
    return f"{PROBLEM_LABEL}\n{problem}\n\n{ACTIONS_LABEL}\n{actions}"


def split_actions(text: str) -> tuple[str, str]:
    """(problem, actions) from a card's `actions` text; the reverse of `compose_actions`."""
    if text.startswith(PROBLEM_LABEL + "\n"):
        problem, marker, actions = text[len(PROBLEM_LABEL) + 1 :].rpartition(
            f"\n\n{ACTIONS_LABEL}\n"
        )
        if marker:
            return problem, actions
    return "", text


def action_card_members(session: GroupSession) -> list[Any]:
    """Who gets a card: the members present at the session, or every member expected
    (K8's list) while the register is not taken. Memberships, by name; two queries."""
    members = session_members(session)
    attendance = dict(
        Attendance.objects.filter(session=session).values_list("participant_id", "present")
    )
    if not attendance:
        return members
    return [m for m in members if attendance.get(m.participant_id)]


def session_action_cards(session: GroupSession) -> dict[int, ActionCard]:
    """The session's action cards, by participant id. One query."""
    return {card.participant_id: card for card in ActionCard.objects.filter(session=session)}


def previous_actions(session: GroupSession) -> dict[int, ActionCard]:
    """The action cards of the cohort's previous delivered session, by participant id,
    for the report back at this one. One query."""
    earlier = GroupSession.objects.filter(
        cohort_id=session.cohort_id, starts_at__lt=session.starts_at, status=SessionStatus.DELIVERED
    ).order_by("-starts_at")
    return {
        card.participant_id: card
        for card in ActionCard.objects.filter(session__in=earlier.values("pk")[:1]).select_related(
            "session"
        )
    }


@transaction.atomic
def session_write_action_cards(
    *,
    session: GroupSession,
    cards: dict[Any, CardText | tuple[str, str, str]],
    by: Any,
    as_of: dt.datetime | None = None,
) -> list[ActionCard]:
    """K10: write (or rewrite) the action cards of a session that has started, one per
    member present, keyed by participant code. A card with no actions agreed is left
    unwritten (an existing one is kept). Anyone who is not a member present is refused
    and nothing is written."""
    as_of = as_of or timezone.now()
    session = GroupSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    refusal = session_recording_refusal(session, as_of=as_of, what="action cards")
    if refusal is not None:
        raise ValidationError(refusal)
    members = {str(m.participant.code): m.participant for m in action_card_members(session)}
    unknown = [code for code in cards if str(code) not in members]
    if unknown:
        raise ValidationError(
            "Action cards can only be written for members of the cohort present at the "
            "session; someone else was listed. Reload the page and try again."
        )
    saved = []
    for code, text in cards.items():
        problem, actions, report_back = (part.strip() for part in CardText(*text))
        participant = members[str(code)]
        if not actions:
            if problem or report_back:
                raise ValidationError(f"Enter the actions {participant.full_name} agreed")
            continue
        card, _ = ActionCard.objects.update_or_create(
            session=session,
            participant=participant,
            defaults={
                "actions": compose_actions(problem, actions),
                "report_back": report_back,
            },
        )
        saved.append(card)
    audit.record(
        by,
        "update",
        session,
        hub=session.cohort.hub_id,
        summary=f"Action cards written ({len(saved)})",
        after={"cards": [card.pk for card in saved]},
        log_extra={"session_id": session.pk},
    )
    return saved
