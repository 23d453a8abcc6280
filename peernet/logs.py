"""No log the product configures holds a participant link's token (SECURITY.md 15).

Participants' emailed links carry a signed token in their path (`/p/charter/<token>/`,
`/p/action-card/<token>/`, `/p/survey/<token>/`). The landing view moves it out of the URL
at once, but the first request still reaches every request log: Django's development
server's (`django.server`), Django's 4xx/5xx log (`django.request`) and gunicorn's access
log. `redact` replaces the token in such a path with `[token]`; `RedactLinkTokens` applies
it to Python log records (settings.LOGGING puts it on every handler) and
`GunicornLogger` to every field of gunicorn's access log line (peernet/gunicorn_conf.py).
A proxy in front keeps its own log: see the README ("Running it in production").
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[token]"
# A signed token (django.core.signing: payload:timestamp:signature) as a path segment
# under /p/; the other /p/ pages (`/p/charter/signed/`) have no colon and are kept.
_TOKEN_IN_PATH = re.compile(r"(/p/[\w-]+/)([^/\s?#\"']*:[^/\s?#\"']*)")


def redact(text: str) -> str:
    """`text` with every participant-link token in a /p/ path replaced by `[token]`."""
    return _TOKEN_IN_PATH.sub(lambda match: match.group(1) + REDACTED, text)


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
