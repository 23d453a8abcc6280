"""K10: the participant's own action card through an emailed link, without a password.

Each member present at a session is emailed a signed, expiring link (docs/security.md §14)
bound to that one participant and that one session; the pages behind it live in
participants/action_card_link_views.py. Like every participant link, it works
until the card is saved through it, until a newer link for the same card is sent, or
until it expires, whichever comes first (participants/links.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from participants.links import ACTION_CARD, link_issue
from participants.models import Participant
from peernet import audit, mail
from peernet.models import EmailKind
from sessions.models import Attendance, GroupSession


def action_card_link_issue(participant: Participant, session: GroupSession) -> str:
    """A new link to the participant's card for the session; the link sent before for
    the same card stops working (docs/security.md §14). Returns the token."""
    return link_issue(kind=ACTION_CARD, participant=participant, session=session)


def action_card_links_send(*, session: GroupSession, by: Any, link: Callable[[str], str]) -> int:
    """Email each member recorded present at the session a link to their own action
    card; `link` turns a token into the absolute URL. Returns how many were sent."""
    present = (
        Attendance.objects.filter(session=session, present=True, participant__email__gt="")
        .select_related("participant__hub")
        .order_by("participant__pk")
    )
    session = GroupSession.objects.select_related("cohort").get(pk=session.pk)
    sent = 0
    for attendance in present:
        participant = attendance.participant
        context = {
            "participant": participant,
            "session": session,
            "url": link(action_card_link_issue(participant, session)),
            "days": ACTION_CARD.days,
        }
        mail.send_to_participant(
            participant,
            kind=EmailKind.ACTION_CARD,
            subject="Your action card",
            template="participants/action_card_email.txt",
            context=context,
        )
        sent += 1
    audit.record(
        by,
        "update",
        session,
        hub=session.cohort.hub_id,
        summary=f"Action card links sent ({sent})",
        log_extra={"session_id": session.pk},
    )
    return sent
