"""The survey's signed links: a token for one invitation and one kind of survey, with
its own salt, that expires with the invitation and stops working once it is answered;
and what the participant is told when a link cannot be used.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core import signing
from django.urls import reverse

from participants.links import LinkProblem
from participants.models import SurveyInvitation
from peernet.addresses import site_url
from peernet.calendar import local_date
from peernet.words import date_words

SURVEY_SALT = "peernet.survey"  # a token signed for any other purpose is refused
LINK_DAYS = 28  # an invitation's link works this long after it is made


def survey_token(invitation: SurveyInvitation) -> str:
    """Signed for this one invitation and this kind of survey, with its own salt."""
    return signing.dumps({"i": str(invitation.nonce), "k": invitation.kind}, salt=SURVEY_SALT)


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
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
