"""Personal API tokens: made, listed and revoked by their user on the account page, and
turned back into their user on each API call (docs/api.md "Authentication").

A token's secret is `pn_` and 43 random URL-safe characters (256 bits); only its SHA-256
is stored, so the secret is shown once and cannot be read back. A token stops working
at once when it is revoked, after its last day (London), or when its user is
deactivated: each is checked on every call, nothing is cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from api.models import ApiToken
from peernet import audit
from peernet.calendar import local_date
from peernet.models import User
from peernet.words import date_words

SECRET_PREFIX = "pn_"  # noqa: S105 (what every secret starts with, not a secret)
ACCOUNT_PAGE = "/account/api-tokens/"


class TokenRefused(Exception):
    """A token that does not open the API, with the sentence its caller is given."""


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked ones too, marked as such)."""
    return ApiToken.objects.filter(user=user)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_on: dt.date | None = None, request: object = None
) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and its secret (shown once, never stored)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:10],
        digest=secret_digest(secret),
        expires_on=expires_on,
    )
    audit.record(user, "create", token, summary="API token made", request=request)
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, pk: int, request: object = None) -> ApiToken:
    """Revoke one of the user's own tokens (another's is a 404); it stops at once."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=pk).first()
    if token is None:
        raise Http404("No API token found.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(user, "update", token, summary="API token revoked", request=request)
    return token


def token_for_secret(secret: str, *, now: dt.datetime) -> ApiToken:
    """The token whose secret this is, its user loaded, and its last use noted; or
    `TokenRefused` saying why not."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=secret_digest(secret)).first()
        if secret.startswith(SECRET_PREFIX)
        else None
    )
    if token is None:
        raise TokenRefused(
            "The API token is not recognised: check that it was copied whole, or make a "
            f"new one on your account page ({ACCOUNT_PAGE})."
        )
    if token.revoked_at is not None:
        raise TokenRefused(
            f"This API token was revoked on {date_words(local_date(token.revoked_at))}: "
            f"make a new one on your account page ({ACCOUNT_PAGE})."
        )
    if token.expires_on is not None and local_date(now) > token.expires_on:
        raise TokenRefused(
            f"This API token expired at the end of {date_words(token.expires_on)}: "
            f"make a new one on your account page ({ACCOUNT_PAGE})."
        )
    if not token.user.is_active:
        raise TokenRefused("The account this API token belongs to is no longer active.")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token
