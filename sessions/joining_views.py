"""Sending a session's joining instructions by hand, before the automatic send (K7): a
preview of the email as a member will read it, with an optional personal message, then
the send.

Mounted by peernet/urls.py from `facilitation_joining_urlpatterns`; the link lives on
the facilitator's session page.
"""

from __future__ import annotations

import uuid
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from peernet.access import session_for_facilitation
from peernet.addresses import back_to
from peernet.forms import GovukErrorsMixin, form_helper, text_field
from sessions.joining import (
    joining_instructions_preview,
    joining_instructions_recipients,
    joining_instructions_send,
)


class JoiningNoteForm(GovukErrorsMixin, forms.Form):
    """The facilitator's personal message, put above the joining instructions."""

    note = text_field(
        "A personal message (optional)",
        "the message",
        required=False,
        hint="It goes above the instructions, to every member sent them now.",
        max_length=2000,
        rows=4,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.textarea("note"))


def _back(request: HttpRequest, hub: str, code: uuid.UUID) -> str:
    """Where the button was pressed: `next` or the referring page if on this site, else
    the facilitator's session page."""
    target = back_to(request, request.POST.get("next"), request.headers.get("referer"))
    if target:
        return target
    try:
        return reverse("facilitation:session", args=[hub, code])
    except NoReverseMatch:  # mounted without the session page (its own tests)
        return "/"


@login_required
@require_GET
def joining_instructions_preview_page(
    request: HttpRequest, hub: str, code: uuid.UUID
) -> HttpResponse:
    """The joining instructions as a member will read them, with the message typed so
    far, and the button that sends them (to the members not yet sent them)."""
    session = session_for_facilitation(request.user, hub, code)
    form = JoiningNoteForm(request.GET if "note" in request.GET else None)
    note = form.cleaned_data["note"] if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "facilitation/joining_preview.html",
        {
            "hub": session.cohort.hub,
            "cohort": session.cohort,
            "session": session,
            "form": form,
            "note": note,
            "preview": joining_instructions_preview(session, now=timezone.now(), note=note),
            "recipients": joining_instructions_recipients(session).count(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def joining_instructions_send_now(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """K7: send the session's joining instructions now, to every member not yet sent."""
    session = session_for_facilitation(request.user, hub, code)
    form = JoiningNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
        return redirect(_back(request, hub, code))
    try:
        sent = joining_instructions_send(
            session_id=session.pk, now=timezone.now(), note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request, hub, code))
    if sent:
        people = "member" if sent == 1 else "members"
        messages.success(request, f"Joining instructions sent to {sent} {people}.")
    else:
        messages.info(request, "Every current member already has the joining instructions.")
    return redirect(_back(request, hub, code))


facilitation_joining_urlpatterns: list[URLPattern] = [
    path(
        "<slug:hub>/sessions/<uuid:code>/joining-instructions/",
        joining_instructions_preview_page,
        name="joining-instructions-preview",
    ),
    path(
        "<slug:hub>/sessions/<uuid:code>/joining-instructions/send/",
        joining_instructions_send_now,
        name="joining-instructions-send-now",
    ),
]
