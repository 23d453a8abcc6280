"""K10: the participant fills and updates their own action card through an emailed link
(no password). Its form serves a continuing group's meetings too (alumni/link_views.py).

As with the charter (docs/security.md §14, §15), the landing view only moves the token into the
session and redirects to a clean URL, so the token never reaches a Referer, a 4xx log
line or the browser history beyond the first hop. The link works for its one invitation:
saving the card spends it, and a newer link for the same card replaces it.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from participants.links import (
    ACTION_CARD,
    LinkProblem,
    landing,
    link_open,
    link_use,
    no_referrer,
    problem_page,
)
from participants.models import ParticipantLink
from sessions.action_cards import (
    CardText,
    action_card_members,
    previous_actions,
    session_write_action_cards,
    split_actions,
)
from sessions.models import ActionCard, SessionStatus

SESSION_KEY = "peernet.action_card.token"


SAVED_KEY = "peernet.action_card.saved"


def _link_for_token(token: str | None) -> ParticipantLink:
    """The action-card link the token opens, while its session and membership stand."""
    link = link_open(token, kind=ACTION_CARD)
    session = link.session
    if session.status == SessionStatus.CANCELLED or link.participant_id not in {
        m.participant_id for m in action_card_members(session)
    }:
        raise ACTION_CARD.invalid()
    return link


@transaction.atomic
def _save_through_link(link: ParticipantLink, text: CardText) -> ActionCard:
    """The card written and the link spent together: a link saves once (docs/security.md §14)."""
    link_use(link, kind=ACTION_CARD)
    (card,) = session_write_action_cards(
        session=link.session, cards={str(link.participant.code): text}, by=None
    )
    return card


action_card_landing = landing(session_key=SESSION_KEY, then="public:action-card-edit")


class ActionCardForm(forms.Form):
    report_back = forms.CharField(
        label="Report back on last session's actions",
        help_text="What worked, what did not, and why.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    problem = forms.CharField(
        label="Problem or opportunity",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    actions = forms.CharField(
        label="Actions agreed",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter the actions you agreed"},
    )

    def __init__(self, *args: Any, occasion: str = "session", **kwargs: Any) -> None:
        """`occasion`: what the card is kept for (a continuing group's "meeting" too)."""
        super().__init__(*args, **kwargs)
        self.fields["report_back"].label = f"Report back on last {occasion}'s actions"
        self.helper = FormHelper()
        self.helper.form_tag = False  # includes/form.html draws the <form>
        self.helper.layout = Layout(
            "report_back", "problem", "actions", Submit("submit", "Save my action card")
        )


@require_http_methods(["GET", "POST"])
def action_card_edit(request: HttpRequest) -> HttpResponse:
    """Last session's actions, and the card's fields (prefilled when a card exists); once
    saved, what was saved, and the link is spent."""
    saved_pk = request.session.pop(SAVED_KEY, None)
    if saved_pk is not None and request.method == "GET":
        card = ActionCard.objects.select_related("participant__hub", "session").get(pk=saved_pk)
        problem_text, actions_text = split_actions(card.actions)
        return render(
            request,
            "participants/action_card_saved.html",
            {"card": card, "problem": problem_text, "actions": actions_text},
        )
    try:
        link = _link_for_token(request.session.get(SESSION_KEY))
    except LinkProblem as problem:
        return no_referrer(problem_page(request, problem))
    participant, session = link.participant, link.session
    card = ActionCard.objects.filter(session=session, participant=participant).first()
    initial = {}
    if card is not None:
        problem_text, actions_text = split_actions(card.actions)
        initial = {
            "problem": problem_text,
            "actions": actions_text,
            "report_back": card.report_back,
        }
    form = ActionCardForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        text = CardText(
            form.cleaned_data["problem"],
            form.cleaned_data["actions"],
            form.cleaned_data["report_back"],
        )
        try:
            card = _save_through_link(link, text)
        except LinkProblem as problem:  # the same link, sent twice at once
            return no_referrer(problem_page(request, problem))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(SESSION_KEY, None)
            request.session[SAVED_KEY] = card.pk
            return redirect("public:action-card-edit")
    previous = previous_actions(session).get(participant.pk)
    return render(
        request,
        "participants/action_card_edit.html",
        {
            "participant": participant,
            "session": session,
            "form": form,
            "previous_actions": split_actions(previous.actions)[1] if previous else "",
            "previous_session": previous.session if previous else None,
        },
    )


public_urlpatterns: list[URLPattern] = [
    path("action-card/", action_card_edit, name="action-card-edit"),
    path("action-card/<str:token>/", action_card_landing, name="action-card"),
]
