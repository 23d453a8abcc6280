"""The calendar feed's pages (docs/cockpit.md): the feed itself behind its secret link,
and a facilitator's and a provider's button to issue a new link or stop the current one
(on their home page). The work is in `sessions/feeds.py`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from peernet.access import require_role
from peernet.roles import Role
from sessions.feeds import (
    calendar_feed_ics,
    calendar_feed_issue,
    calendar_feed_owner,
    calendar_feed_revoke,
    calendar_feed_token,
)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The owner's sessions as iCalendar; a revoked, tampered or unknown link is a 404."""
    owner = calendar_feed_owner(token)
    response = HttpResponse(
        calendar_feed_ics(owner, now=timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def calendar_feed_url(request: HttpRequest) -> str:
    """The absolute address of the signed-in user's current feed, or "" (one query)."""
    token = calendar_feed_token(request.user)
    if token is None:
        return ""
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": token}))


def _change(request: HttpRequest, role: Role, home: str) -> HttpResponse:
    require_role(request.user, role)
    if request.POST.get("action") == "revoke":
        calendar_feed_revoke(user=request.user, request=request)
        messages.success(request, "Your calendar feed link was stopped.")
    else:
        calendar_feed_issue(user=request.user, request=request)
        messages.success(
            request,
            "Your calendar feed has a new link. Any earlier link no longer works.",
        )
    return redirect(home)


@login_required
@require_POST
def facilitation_calendar_feed(request: HttpRequest) -> HttpResponse:
    return _change(request, Role.FACILITATOR, "facilitation:home")


@login_required
@require_POST
def one_to_one_calendar_feed(request: HttpRequest) -> HttpResponse:
    return _change(request, Role.ONE_TO_ONE_PROVIDER, "one_to_one:home")
