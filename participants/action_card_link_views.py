"""K10: the participant fills and updates their own action card through an emailed link
(no password).

As with the charter (SECURITY.md 14, 15), the landing view only moves the token into the
session and redirects to a clean URL, so the token never reaches a Referer, a 4xx log
line or the browser history beyond the first hop. The link keeps working for updates
until it expires.
"""

from __future__ import annotations

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from participants.links import LinkProblem, no_referrer, token_landing
from participants.models import Participant
from sessions.action_card_links import ACTION_CARD_LINK_DAYS, action_card_token_read
from sessions.action_cards import (
    CardText,
    action_card_members,
    previous_actions,
    split_actions,
)
from sessions.models import ActionCard, GroupSession, SessionStatus

SESSION_KEY = "peernet.action_card.token"


INVALID = LinkProblem(
    "This link does not work",
    "The link may have been copied wrongly. Ask your facilitator to send you a new link "
    "to your action card.",
    400,
)


def _card_for_token(token: str | None) -> tuple[Participant, GroupSession]:
    if not token:
        raise INVALID
    try:
        participant_code, session_code = action_card_token_read(token)
    except signing.SignatureExpired as exc:
        raise LinkProblem(
            "This link has expired",
            f"Links to your action card work for {ACTION_CARD_LINK_DAYS} days. Ask your "
            "facilitator to send you a new link.",
            410,
        ) from exc
    except signing.BadSignature as exc:
        raise INVALID from exc
    try:
        participant = Participant.objects.select_related("hub").get(code=participant_code)
        session = GroupSession.objects.select_related("cohort").get(code=session_code)
    except (Participant.DoesNotExist, GroupSession.DoesNotExist) as exc:
        raise INVALID from exc
    if session.status == SessionStatus.CANCELLED or participant.pk not in {
        m.participant_id for m in action_card_members(session)
    }:
        raise INVALID
    return participant, session


@never_cache
@require_GET
def action_card_landing(request: HttpRequest, token: str) -> HttpResponse:
    """Move the token out of the URL into the session, then show the clean URL."""
    return token_landing(request, token, session_key=SESSION_KEY, then="public:action-card-edit")


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

    def __init__(self, *args: object, **kwargs: object) -> None:
        from crispy_forms_gds.helper import FormHelper
        from crispy_forms_gds.layout import Layout, Submit

        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "report_back", "problem", "actions", Submit("submit", "Save my action card")
        )


@never_cache
@require_http_methods(["GET", "POST"])
def action_card_edit(request: HttpRequest) -> HttpResponse:
    """Last session's actions, and the card's fields (prefilled when a card exists)."""
    try:
        participant, session = _card_for_token(request.session.get(SESSION_KEY))
    except LinkProblem as problem:
        response = render(
            request,
            "participants/action_card_link_problem.html",
            {"title": problem.title, "message": problem.message},
            status=problem.status,
        )
        return no_referrer(response)
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
    saved = request.session.pop("peernet.action_card.saved", False)
    if request.method == "POST" and form.is_valid():
        from sessions.action_cards import session_write_action_cards

        try:
            session_write_action_cards(
                session=session,
                cards={
                    str(participant.code): CardText(
                        form.cleaned_data["problem"],
                        form.cleaned_data["actions"],
                        form.cleaned_data["report_back"],
                    )
                },
                by=None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session["peernet.action_card.saved"] = True
            return redirect("public:action-card-edit")
    previous = previous_actions(session).get(participant.pk)
    response = render(
        request,
        "participants/action_card_edit.html",
        {
            "participant": participant,
            "session": session,
            "form": form,
            "saved": saved,
            "previous_actions": split_actions(previous.actions)[1] if previous else "",
            "previous_session": previous.session if previous else None,
        },
    )
    return response


public_urlpatterns: list[URLPattern] = [
    path("action-card/", action_card_edit, name="action-card-edit"),
    path("action-card/<str:token>/", action_card_landing, name="action-card"),
]
