"""Every emailed participant link, in one place (docs/security.md §14, §15).

A link's token is signed with a purpose's own salt and names one stored invitation by its
nonce: a `ParticipantLink` (the Participant Charter, a session's action card) or a
`SurveyInvitation` (participants/surveys/links.py). So a link works for its one invitation and
stops when that invitation is used, superseded by a newer link, or expires; a tampered,
expired, used, superseded or other-purpose token gets a clear page (`LinkProblem`), never
a crash. Other invitations that stand for one participant and one purpose (a continuing
group's member link, a business-support offer: alumni/links.py) are rows of their own
model, named by their `LinkKind`, and are issued, opened and spent by the same functions.

The token leaves the URL at once for the session. Only the landing redirect (and the
pages saying a link cannot be used) are `Referrer-Policy: no-referrer`. The pages behind
the clean URL carry no token and keep the site's `same-origin`: a form posted from a
`no-referrer` page goes out with `Origin: null` (the Fetch standard), which Django's CSRF
check rightly refuses, so the participant could never submit anything in a real browser.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from participants.models import LinkPurpose, Participant, ParticipantLink


class LinkProblem(Exception):
    """The link cannot be used: what to tell the participant, and the status."""

    def __init__(self, title: str, message: str, status: int) -> None:
        super().__init__(title)
        self.title, self.message, self.status = title, message, status


def no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


def token_landing(request: HttpRequest, token: str, *, session_key: str, then: str) -> HttpResponse:
    """Move the token out of the URL into the session, then show the clean URL `then`."""
    request.session[session_key] = token
    return no_referrer(redirect(then))


def landing(*, session_key: str, then: str) -> Callable[[HttpRequest, str], HttpResponse]:
    """The view an emailed link opens: it moves the token out of the URL into the
    session, then shows the clean URL `then`."""

    @require_GET
    def view(request: HttpRequest, token: str) -> HttpResponse:
        return token_landing(request, token, session_key=session_key, then=then)

    return view


def problem_page(request: HttpRequest, problem: LinkProblem) -> HttpResponse:
    """The page saying why a link cannot be used, with the problem's status."""
    return render(
        request,
        "participants/link_problem.html",
        {"title": problem.title, "message": problem.message},
        status=problem.status,
    )


# --- tokens -----------------------------------------------------------------------------


def sign(nonce: uuid.UUID, *, salt: str, **bound: str) -> str:
    """A signed, timestamped token naming one invitation (and anything it is bound to)."""
    return signing.dumps({"i": str(nonce), **bound}, salt=salt)


def read(token: str, *, salt: str, max_age: dt.timedelta) -> tuple[uuid.UUID, dict[str, Any]]:
    """(nonce, everything signed) from a token. Raises `signing.SignatureExpired` past
    `max_age` and `signing.BadSignature` when tampered with, signed for another purpose or
    malformed."""
    data = signing.loads(token, salt=salt, max_age=max_age)
    if not isinstance(data, dict) or not isinstance(data.get("i"), str):
        raise signing.BadSignature("malformed link token")
    try:
        return uuid.UUID(data["i"]), data
    except ValueError as exc:
        raise signing.BadSignature("malformed link token") from exc


# --- the charter's and the action cards' links (ParticipantLink) ------------------------


@dataclass(frozen=True)
class LinkKind:
    """What a purpose's links say: how long they work and whom to ask for a new one, and
    the model whose rows are its invitations (`ParticipantLink` unless another says)."""

    purpose: str
    salt: str  # a token for any other purpose is refused
    days: int
    what: str  # "the Participant Charter"
    ask: str  # "your Growth Hub"
    model: Any = ParticipantLink
    # What opening a link loads with it.
    related: tuple[str, ...] = ("participant__hub", "session__cohort")

    def invalid(self) -> LinkProblem:
        return LinkProblem(
            "This link does not work",
            f"The link may have been copied wrongly. Ask {self.ask} to send you a new link "
            f"to {self.what}.",
            400,
        )

    def expired(self) -> LinkProblem:
        return LinkProblem(
            "This link has expired",
            f"Links to {self.what} work for {self.days} days. Ask {self.ask} to send you a "
            "new link.",
            410,
        )

    def superseded(self) -> LinkProblem:
        return LinkProblem(
            "This link has been replaced",
            f"We sent you a newer link to {self.what}. Use the link in the most recent email, "
            f"or ask {self.ask} to send you a new one.",
            410,
        )

    def used(self, link: Any) -> LinkProblem:
        when = timezone.localtime(link.used_at) if link.used_at else timezone.localtime()
        return LinkProblem(
            "This link has already been used",
            f"This link was used on {when:%-d %B %Y}, and a link works once. You do not need "
            f"to do anything else; ask {self.ask} if you need a new one.",
            410,
        )


CHARTER = LinkKind(
    LinkPurpose.CHARTER, "peernet.charter", 14, "the Participant Charter", "your Growth Hub"
)
ACTION_CARD = LinkKind(
    LinkPurpose.ACTION_CARD, "peernet.action-card", 14, "your action card", "your facilitator"
)


def link_issue(
    *,
    kind: LinkKind,
    participant: Participant,
    now: dt.datetime | None = None,
    **about: Any,
) -> str:
    """A new link for `participant` (and what it is `about`: for an action card, its
    `session`); every earlier link for the same purpose and subject stops working
    (superseded). Returns the token."""
    now = now or timezone.now()
    with transaction.atomic():
        kind.model.objects.filter(
            purpose=kind.purpose,
            participant=participant,
            used_at__isnull=True,
            superseded_at__isnull=True,
            **about,
        ).update(superseded_at=now)
        link = kind.model.objects.create(
            purpose=kind.purpose,
            participant=participant,
            sent_at=now,
            expires_at=now + dt.timedelta(days=kind.days),
            **about,
        )
    return sign(link.nonce, salt=kind.salt)


def link_open(token: str | None, *, kind: LinkKind, now: dt.datetime | None = None) -> Any:
    """The link a token opens (a row of `kind.model`), with what `kind.related` names,
    or LinkProblem saying why it cannot be used."""
    now = now or timezone.now()
    if not token:
        raise kind.invalid()
    try:
        # The stored expiry decides; the signature's age only bounds a token whose link
        # no longer exists.
        nonce, _ = read(token, salt=kind.salt, max_age=dt.timedelta(days=kind.days + 1))
    except signing.SignatureExpired as exc:
        raise kind.expired() from exc
    except signing.BadSignature as exc:
        raise kind.invalid() from exc
    link = (
        kind.model.objects.select_related(*kind.related)
        .filter(nonce=nonce, purpose=kind.purpose)
        .first()
    )
    if link is None:
        raise kind.invalid()
    if link.used_at is not None:
        raise kind.used(link)
    if link.superseded_at is not None:
        raise kind.superseded()
    if now >= link.expires_at:
        raise kind.expired()
    return link


def link_use(link: Any, *, kind: LinkKind, now: dt.datetime | None = None) -> None:
    """Spend the link (inside the caller's transaction, with what it was used for). Two
    simultaneous submissions through one link: the second finds it used (LinkProblem)."""
    now = now or timezone.now()
    spent = kind.model.objects.filter(
        pk=link.pk, used_at__isnull=True, superseded_at__isnull=True
    ).update(used_at=now)
    if not spent:
        fresh = kind.model.objects.get(pk=link.pk)
        raise kind.used(fresh) if fresh.used_at else kind.superseded()
    link.used_at = now
