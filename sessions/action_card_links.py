"""K10: the participant's own action card through an emailed link, without a password.

Each member present at a session is emailed a signed, expiring link (SECURITY.md 14)
bound to that one participant and that one session; the pages behind it live in
participants/action_card_link_views.py. Unlike the charter's link, this one keeps working
until it expires, so the participant can fill the card and then update it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string

from participants.models import Participant
from peernet import audit
from sessions.models import Attendance, GroupSession

ACTION_CARD_SALT = "peernet.action-card"  # a token for any other purpose is refused
ACTION_CARD_LINK_DAYS = 14
ACTION_CARD_MAX_AGE = ACTION_CARD_LINK_DAYS * 24 * 60 * 60


def action_card_token(participant: Participant, session: GroupSession) -> str:
    """A signed, timestamped token naming the participant and the session."""
    return signing.dumps(
        {"p": str(participant.code), "s": str(session.code)}, salt=ACTION_CARD_SALT
    )


def action_card_token_read(token: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(participant code, session code) from a token; raises `signing.SignatureExpired`
    when expired and `signing.BadSignature` when tampered with, signed for another
    purpose or malformed."""
    data = signing.loads(token, salt=ACTION_CARD_SALT, max_age=ACTION_CARD_MAX_AGE)
    try:
        return uuid.UUID(str(data["p"])), uuid.UUID(str(data["s"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed action card token") from exc


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
            "url": link(action_card_token(participant, session)),
            "days": ACTION_CARD_LINK_DAYS,
        }
        send_mail(
            subject=f"Your action card – {participant.hub.name}",
            message=render_to_string("participants/action_card_email.txt", context),
            from_email=None,
            recipient_list=[participant.email],
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
