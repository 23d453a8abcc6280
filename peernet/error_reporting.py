"""Error reporting by DSN: off unless SENTRY_DSN is set (Sentry, or a service that speaks
its protocol, such as a self-hosted GlitchTip). sentry-sdk then reports unhandled errors
in pages and tasks, and every ERROR log line, from the web and worker processes alike.

Nothing personal leaves with a report: no user, cookies or IP (`send_default_pii` off),
no request bodies, and every string in the event is passed through `peernet.logs.redact`
first, so an emailed link's token never reaches the reporting service (as it never
reaches a log: docs/security.md §15)."""

from __future__ import annotations

from typing import Any

import sentry_sdk

from peernet.logs import redact


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Every string of the event with link tokens redacted; no cookies or body."""
    request = event.get("request")
    if isinstance(request, dict):
        for name in ("cookies", "data"):
            request.pop(name, None)
    return _redacted(event)


def start(dsn: str, *, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0.0,
        before_send=before_send,  # type: ignore[arg-type]
    )
