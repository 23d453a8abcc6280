"""The Participant Charter (C1): sent by a signed, expiring emailed link and signed in the
browser by the participant.

The link carries a token signed with a purpose-specific salt (docs/security.md §14). The
landing view only moves the token into the session and redirects to a clean URL, so the
token never reaches a page's Referer, a 4xx log line (Django logs the path of every
400/404/410) or the browser history beyond the first hop (docs/security.md §15).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.links import (
    CHARTER,
    LinkProblem,
    landing,
    link_open,
    no_referrer,
    problem_page,
)
from participants.models import Participant, ParticipantLink
from participants.services import (
    CHARTER_VERSION,
    charter_refusal,
    participant_send_charter,
    participant_sign_charter_by_link,
)
from peernet.access import get_for_user, hub_admin_required
from peernet.forms import form_helper

SESSION_KEY = "peernet.charter.token"


# --- the hub administrator's side -----------------------------------------------------


def _participant(request: HttpRequest, code: uuid.UUID) -> Participant:
    return get_for_user(
        Participant.objects.filter(hub=request.hub).select_related("hub"), request.user, code=code
    )


@login_required
@require_GET
@hub_admin_required
def charter_status(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Whether the participant has signed the charter (C1), and the button to send it."""
    participant = _participant(request, code)
    return render(
        request,
        "participants/charter_status.html",
        {
            "hub": participant.hub,
            "participant": participant,
            "section": "registrations",
            "version": CHARTER_VERSION,
            "days": CHARTER.days,
            "refusal": charter_refusal(participant),
        },
    )


@login_required
@require_POST
@hub_admin_required
def charter_send(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    participant = _participant(request, code)
    try:
        participant_send_charter(
            participant=participant,
            link=lambda token: request.build_absolute_uri(
                reverse("public:charter", kwargs={"token": token})
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The Participant Charter was sent to {participant.email}.")
    return redirect("hub:charter", hub=participant.hub.key, code=participant.code)


# --- the participant's side (no login) -------------------------------------------------


def _link_for_token(token: str | None) -> ParticipantLink:
    """The unused, current charter link the token opens, or LinkProblem (docs/security.md §14)."""
    link = link_open(token, kind=CHARTER)
    signed_at = link.participant.charter_signed_at
    if signed_at is not None:  # signed before, through another link or recorded by the hub
        raise LinkProblem(
            "You have already signed the Participant Charter",
            f"You signed the Participant Charter on {timezone.localtime(signed_at):%-d %B %Y}. "
            "You do not need to do anything else.",
            410,
        )
    return link


charter_landing = landing(session_key=SESSION_KEY, then="public:charter-sign")


class CharterAgreementForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree to the Participant Charter",
        error_messages={"required": "Tick the box to agree to the Participant Charter"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:

        super().__init__(*args, **kwargs)
        # Inside the page's own <form>: forms cannot nest.
        self.helper = form_helper("agree", button="Sign the Participant Charter")


@require_http_methods(["GET", "POST"])
def charter_sign(request: HttpRequest) -> HttpResponse:
    """The charter, with the participant's name and the box to tick."""
    try:
        link = _link_for_token(request.session.get(SESSION_KEY))
    except LinkProblem as problem:
        return no_referrer(problem_page(request, problem))
    participant = link.participant
    form = CharterAgreementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        participant_sign_charter_by_link(link=link, version=CHARTER_VERSION)
        request.session.pop(SESSION_KEY, None)
        request.session["peernet.charter.signed"] = participant.hub.name
        return redirect("public:charter-signed")
    response = render(
        request,
        "participants/charter_sign.html",
        {"participant": participant, "form": form, "version": CHARTER_VERSION},
    )
    return response


@require_GET
def charter_signed(request: HttpRequest) -> HttpResponse:
    """The confirmation after signing (no personal data: only the hub's name)."""
    response = render(
        request,
        "participants/charter_signed.html",
        {"hub_name": request.session.get("peernet.charter.signed", "")},
    )
    return response


hub_urlpatterns: list[URLPattern] = [
    path("participants/<uuid:code>/charter/", charter_status, name="charter"),
    path("participants/<uuid:code>/charter/send/", charter_send, name="charter-send"),
]
public_urlpatterns: list[URLPattern] = [
    path("charter/", charter_sign, name="charter-sign"),
    path("charter/signed/", charter_signed, name="charter-signed"),
    path("charter/<str:token>/", charter_landing, name="charter"),
]
