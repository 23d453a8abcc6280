"""Sending a session's joining instructions by hand, before the automatic send (K7).

Mounted by peernet/urls.py from `facilitation_joining_urlpatterns`; the button lives on
the facilitator's session page.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peernet.access import session_for_facilitation
from peernet.addresses import back_to
from sessions.joining import joining_instructions_send


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
@require_POST
def joining_instructions_send_now(request: HttpRequest, hub: str, code: uuid.UUID) -> HttpResponse:
    """K7: send the session's joining instructions now, to every member not yet sent."""
    session = session_for_facilitation(request.user, hub, code)
    try:
        sent = joining_instructions_send(session_id=session.pk, now=timezone.now())
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
        "<slug:hub>/sessions/<uuid:code>/joining-instructions/send/",
        joining_instructions_send_now,
        name="joining-instructions-send-now",
    ),
]
