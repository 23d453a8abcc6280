"""Request-wide security decisions, each made in one place (docs/security.md §9, §10, §11).

- `SecondFactorMiddleware`: a signed-in user must have proved a second factor in this
  session (django-otp) before any page but the second-factor pages themselves, signing
  out and the pages that need no login at all. /admin included.
- `NoStoreMiddleware`: no page for a signed-in user or behind a participant link is kept
  by the browser or a proxy.
- `login_username`: the email address django-axes keys a failed sign-in on (with the
  client's address, `peernet.addresses.client_ip`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY

from peernet.access import request_hub_scope
from peernet.models import User
from peernet.scoping import scope
from peernet.second_factor import has_second_factor

# Pages a signed-in user may open before proving a second factor: the second-factor
# pages, signing out, and the pages that need no login at all.
SECOND_FACTOR_EXEMPT_NAMES = frozenset(
    {
        "account:two-factor",
        "account:two-factor-set-up",
        # Setting a password through an emailed link needs no login (peernet.password_views).
        "account:password-reset",
        "account:password-reset-sent",
        "account:password-reset-confirm",
        "account:password-reset-complete",
        "account:activate",
        "logout",
        "health",
        "scenario-schema",
        # The API's document and reference page name nobody; its endpoints take a token.
        "api:openapi-json",
        "api:reference",
    }
)
SECOND_FACTOR_EXEMPT_NAMESPACES = frozenset({"public"})  # participant links: no login


def _url_name(request: HttpRequest) -> tuple[str, str]:
    """(the view name with its namespace, the namespace) of the request's URL."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return "", ""
    return match.view_name, match.namespace


class SecondFactorMiddleware:
    """docs/security.md §11: every page behind a login needs a session verified by a second
    factor. A user with a device is asked for its code; a user without one sets one up.

    It also gives `request.user` django-otp's `is_verified()`, read from the session
    alone: `django_otp.login` stores the verifying device's id under `otp_device_id`
    when a code is accepted, in the server-side session, which a sign-in as someone else
    flushes. (django-otp's own OTPMiddleware loads the device on every request: one more
    query per page for nothing we use. The price: removing a device in the admin does not
    end a session it already verified; deactivating the user or changing the password
    does, on the next request.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A lazy stand-in for the user, as AuthenticationMiddleware's own.
        request.user = SimpleLazyObject(partial(_user_with_second_factor, request))  # type: ignore[assignment]
        user = request.user
        if user.is_authenticated and not user.is_verified():
            view_name, namespace = _url_name(request)
            exempt = (
                view_name in SECOND_FACTOR_EXEMPT_NAMES
                or namespace in SECOND_FACTOR_EXEMPT_NAMESPACES
            )
            if not exempt:
                return second_factor_redirect(request, user)
        return self.get_response(request)


def _user_with_second_factor(request: HttpRequest) -> User | AnonymousUser:
    user = get_user(request)  # AuthenticationMiddleware's user, cached on the request
    # The anonymous user gets it too (always False), so every page may ask.
    user.is_verified = partial(session_is_verified, request, user)  # type: ignore[union-attr]
    return user


def session_is_verified(request: HttpRequest, user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and request.session.get(DEVICE_ID_SESSION_KEY))


def second_factor_redirect(request: HttpRequest, user: User) -> HttpResponseRedirect:
    name = "account:two-factor" if has_second_factor(user) else "account:two-factor-set-up"
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(url)


class HubScopeMiddleware:
    """docs/security.md §3: every request runs in a hub scope (peernet.scoping): the hubs its
    user works in, every hub for the national roles and behind a participant link (the
    `public` pages, whose signed token is the authority), none for anyone else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _, namespace = _url_name(request)
        hubs = request_hub_scope(request.user, participant_link=namespace == "public")
        with scope(hubs):
            return self.get_response(request)


class NoStoreMiddleware:
    """docs/security.md §9: pages for a signed-in user and participant-link pages (/p/) carry
    personal data; neither the browser nor a proxy may keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path_info.startswith("/p/"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


# The pages that take a scenario document (reporting/scenario_views.py).
LARGE_UPLOADS = re.compile(r"^/(national|hub/[\w-]+)/scenario/$")


class RequestSizeMiddleware:
    """docs/security.md §20: a body larger than settings.REQUEST_MAX_BYTES is refused with 413
    from its Content-Length, before any of it is read (Django would otherwise stream an
    upload of any size to disk before a form could look at it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if LARGE_UPLOADS.match(request.path_info):  # a scenario document, up to its own limit
            limit = settings.SCENARIO_MAX_BYTES + 1024 * 1024
        if length > limit:
            return render(
                request,
                "peernet/request_too_large.html",
                {"size_mb": f"{length / 1024 / 1024:.1f}", "limit_mb": f"{limit / 1024 / 1024:g}"},
                status=413,
            )
        return self.get_response(request)


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The email address a sign-in was for, as the sign-in form reads it (lower-case,
    trimmed), so `Sam@Example.org ` and `sam@example.org` share one failure count."""
    source = credentials if credentials else request.POST
    return str(source.get("username") or "").strip().lower()
