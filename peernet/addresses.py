"""The client's address, behind our own proxies: the one answer for the sign-in lockout
(django-axes' AXES_CLIENT_IP_CALLABLE), the public registration form's rate limit and
the audit trail. Part of the ground floor: it reads the request and the settings only."""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


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
