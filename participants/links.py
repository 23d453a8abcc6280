"""What every emailed participant link shares (SECURITY.md 14, 15): the token leaves the
URL at once for the session, the response to the URL that carried it sends no referrer,
and a link that cannot be used gets a clear page with its status, never a crash.

Only the landing redirect (and the pages saying a link cannot be used) are
`Referrer-Policy: no-referrer`. The pages behind the clean URL carry no token and keep
the site's `same-origin`: a form posted from a `no-referrer` page goes out with
`Origin: null` (the Fetch standard), which Django's CSRF check rightly refuses, so the
participant could never submit anything in a real browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


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
