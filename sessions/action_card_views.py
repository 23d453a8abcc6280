"""The facilitator's action cards page (K10): per member present, last session's
actions agreed (read-only) and this session's card. Mounted from
`facilitation_action_card_urlpatterns` under the `facilitation` namespace."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from peernet.access import session_for_facilitation
from rules import Outcome, run_rules
from sessions.action_card_forms import ActionCardsForm
from sessions.action_card_links import action_card_links_send
from sessions.action_cards import (
    action_card_members,
    previous_actions,
    session_action_cards,
    session_write_action_cards,
)
from sessions.models import GroupSession
from sessions.views import session_record_page


def _k10_sentence(session: GroupSession, as_of: object) -> str | None:
    judged = GroupSession.objects.prefetch_related("attendance", "action_cards").get(pk=session.pk)
    (result,) = run_rules(judged, ["K10"], as_of=as_of)
    return result.sentence if result.outcome in (Outcome.FAIL, Outcome.WARN) else None


@login_required
@require_http_methods(["GET", "POST"])
def facilitation_action_cards(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """K10: the action cards of the members present, with last session's actions."""
    session = session_for_facilitation(request.user, hub, code)
    now = timezone.now()
    form = ActionCardsForm(
        request.POST if request.method == "POST" else None,
        members=action_card_members(session),
        cards=session_action_cards(session),
        previous=previous_actions(session),
    )
    return session_record_page(
        request,
        session,
        now=now,
        what="action cards",
        form=form,
        write=lambda: session_write_action_cards(
            session=session, cards=form.cards(), by=request.user, as_of=now
        ),
        done="The action cards were saved.",
        template="facilitation/action_cards.html",
        context=lambda: {"k10": _k10_sentence(session, now)},
    )


@login_required
@require_POST
def facilitation_action_card_links_send(
    request: HttpRequest, hub: str, code: uuid.UUID
) -> HttpResponse:
    """Email each member present their own action-card link, to fill in and update."""
    session = session_for_facilitation(request.user, hub, code)

    def link(token: str) -> str:
        return request.build_absolute_uri(reverse("public:action-card", kwargs={"token": token}))

    sent = action_card_links_send(session=session, by=request.user, link=link)
    if sent:
        people = "member" if sent == 1 else "members"
        messages.success(request, f"Action card links sent to {sent} {people}.")
    else:
        messages.info(request, "Nobody is recorded present at this session yet.")
    return redirect("facilitation:action-cards", hub=hub, code=code)


facilitation_action_card_urlpatterns: list[URLPattern] = [
    path(
        "<slug:hub>/sessions/<uuid:code>/action-cards/",
        facilitation_action_cards,
        name="action-cards",
    ),
    path(
        "<slug:hub>/sessions/<uuid:code>/action-cards/send-links/",
        facilitation_action_card_links_send,
        name="action-card-links-send",
    ),
]
