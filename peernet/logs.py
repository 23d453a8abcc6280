"""No log the product configures holds an emailed link's token (docs/security.md §15).

Participants' emailed links carry a signed token in their path (`/p/charter/<token>/`,
`/p/action-card/<token>/`, `/p/survey/<token>/`), and so do staff members' links that
set a password (`/account/reset/<uidb64>/<token>/`, `/account/activate/<uidb64>/<token>/`).
The landing view moves it out of the URL at once, but the first request still reaches
every request log: Django's development server's (`django.server`), Django's 4xx/5xx
log (`django.request`) and gunicorn's access log. `redact` replaces the token in such a
path with `[token]`; `RedactLinkTokens` applies it to Python log records
(settings.LOGGING puts it on every handler) and `GunicornLogger` to every field of
gunicorn's access log line (peernet/gunicorn_conf.py). A proxy in front keeps its own
log: see the README ("Running it in production").
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from gunicorn.glogging import Logger

REDACTED = "[token]"
# A signed token (django.core.signing: payload:timestamp:signature) as a path segment
# under /p/; the other /p/ pages (`/p/charter/signed/`) have no colon and are kept.
_TOKEN_IN_PATH = re.compile(r"(/p/[\w-]+/)([^/\s?#\"']*:[^/\s?#\"']*)")
# A staff member's emailed link that sets a password (peernet/account_urls.py): Django's
# password-reset token after the user's id, `/account/reset/<uidb64>/<token>/` and
# `/account/activate/<uidb64>/<token>/`. The page it redirects to has `set-password` in
# the token's place, and is kept.
_PASSWORD_TOKEN_IN_PATH = re.compile(
    r"(/account/(?:reset|activate)/[^/\s?#\"']+/)(?!set-password(?:[/\s?#\"']|$))([^/\s?#\"']+)"
)


def redact(text: str) -> str:
    """`text` with every link token in a path replaced by `[token]`: a participant's
    link under /p/, a staff member's password link under /account/."""
    text = _TOKEN_IN_PATH.sub(lambda match: match.group(1) + REDACTED, text)
    return _PASSWORD_TOKEN_IN_PATH.sub(lambda match: match.group(1) + REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """A handler filter: the record's message, formatted, with link tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        # Django's request logs also carry the request itself on the record.
        for name in ("request", "server_time"):
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, redact(value))
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, its access-log fields (request line, path, referer, any
    header) redacted."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


# --- the request id ---------------------------------------------------------------------

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """The request's id, for every log line and audit event it causes and every task it
    enqueues: the proxy's X-Request-ID when it is a sane one, else a new one; returned
    on the response as X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        token = request_id.set(given if _SANE_ID.match(given) else new_request_id())
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or task's) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id,
    and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id.get(),
            "process": record.process,
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
