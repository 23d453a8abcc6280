"""Where a request comes from and where it may go back to: the client's address, behind
our own proxies (the one answer for the sign-in lockout, django-axes'
AXES_CLIENT_IP_CALLABLE, the public registration form's rate limit and the audit trail),
the page a button returns to, and where the service itself is (the address in emailed links
and printed addresses: `site_url`). Part of the ground floor: it reads the request and the
settings only."""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The client's address.

    REMOTE_ADDR, unless it is one of settings.TRUSTED_PROXIES: then X-Forwarded-For is
    read from the right, skipping our own proxies, and the first other address is the
    client. Anything the client put further left is never trusted, so a forged
    X-Forwarded-For cannot choose the address a lockout is keyed on."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = set(settings.TRUSTED_PROXIES)
    if not remote or remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop in trusted:
            continue
        try:
            return str(ip_address(hop))
        except ValueError:
            return remote  # a garbled header: key on the proxy rather than on nothing
    return remote


def back_to(request: HttpRequest, *candidates: str | None) -> str | None:
    """The first of `candidates` (a `next` field, the referring page) that is a page of
    this site, or None: the one check for where a button may send the user back to."""
    for target in candidates:
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return None


def site_url() -> str:
    """Where emailed links and printed addresses point: the SITE_URL setting, else the
    first allowed host (on port 8000 with DEBUG on, the demo's default)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
    return f"http://{host}:8000" if settings.DEBUG else f"https://{host}"
