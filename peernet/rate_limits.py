"""Counting attempts in the shared cache (settings.CACHES: Redis in production), for the
limits that protect the public registration form and the password-reset email, and the
claim that sends a registration once. Part of
the ground floor.

An outage of the cache must not stop people registering or resetting a password: while
it cannot be reached, nothing is counted (the attempt is let through) and the outage is
logged, once an attempt."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def count_attempt(key: str, *, window_seconds: int) -> int | None:
    """Count one more attempt under `key` within a window of `window_seconds` from the
    first; returns the count so far, or None when the cache could not be reached."""
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=window_seconds)
            return 1
    except Exception as exc:  # the cache's client raises its own errors: any is an outage
        logger.warning("The shared cache did not answer (%s): the attempt was not counted", exc)
        return None


def claim_once(key: str, *, window_seconds: int) -> bool:
    """Claim `key` for `window_seconds`: True the first time, False while it is claimed
    (a form sent twice at once). True as well when the cache could not be reached: the
    caller's own record (the session) is then all that stops a second sending."""
    try:
        return bool(cache.add(key, 1, timeout=window_seconds))
    except Exception as exc:  # the cache's client raises its own errors: any is an outage
        logger.warning("The shared cache did not answer (%s): the claim was not kept", exc)
        return True
