"""docs/security.md §15: no log the product configures holds a participant link's token.

The development server's request log and gunicorn's access log are read as they are
written, by the real servers started here against the test database."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from participants.services import participant_charter_link_issue
from peernet.logs import REDACTED, RedactLinkTokens, redact
from tests.celery_worker import worker_database_url
from tests.processes import free_port, wait_for_port

TOKEN = "eyJpIjoiMTIzNDU2Nzg5MCJ9:1vXyZa:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_"
# Django's password-reset token (peernet.staff): base-36 time, a dash, an HMAC.
PASSWORD_TOKEN = "d1k2x3-5f0c1e2d3b4a59687766554433221100"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f'"GET /p/charter/{TOKEN}/ HTTP/1.1" 302 0', '"GET /p/charter/[token]/ HTTP/1.1" 302 0'),
        (f"Not Found: /p/survey/{TOKEN}/", "Not Found: /p/survey/[token]/"),
        (f"/p/action-card/{TOKEN}/?x=1", "/p/action-card/[token]/?x=1"),
        ('"GET /p/charter/signed/ HTTP/1.1" 200', '"GET /p/charter/signed/ HTTP/1.1" 200'),
        ('"GET /hub/hub-a/ HTTP/1.1" 200', '"GET /hub/hub-a/ HTTP/1.1" 200'),
        (
            f'"GET /account/reset/MTI/{PASSWORD_TOKEN}/ HTTP/1.1" 302 0',
            '"GET /account/reset/MTI/[token]/ HTTP/1.1" 302 0',
        ),
        (
            f"Not Found: /account/activate/MTI/{PASSWORD_TOKEN}/",
            "Not Found: /account/activate/MTI/[token]/",
        ),
        (f"/account/activate/MTI/{PASSWORD_TOKEN}", "/account/activate/MTI/[token]"),
        (
            '"POST /account/reset/MTI/set-password/ HTTP/1.1" 302',
            '"POST /account/reset/MTI/set-password/ HTTP/1.1" 302',
        ),
        (
            '"GET /account/activate/MTI/set-password/ HTTP/1.1" 200',
            '"GET /account/activate/MTI/set-password/ HTTP/1.1" 200',
        ),
        ('"GET /account/reset/done/ HTTP/1.1" 200', '"GET /account/reset/done/ HTTP/1.1" 200'),
        (
            '"GET /account/password/forgotten/sent/ HTTP/1.1" 200',
            '"GET /account/password/forgotten/sent/ HTTP/1.1" 200',
        ),
    ],
    ids=[
        "charter",
        "survey",
        "action-card",
        "no-token",
        "not-a-link",
        "password-reset",
        "activation",
        "activation-no-slash",
        "reset-set-password",
        "activation-set-password",
        "reset-done",
        "reset-sent",
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected


def test_every_configured_handler_redacts():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_link_tokens" in handler.get("filters", []), name
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /p/survey/{TOKEN}/", 302, 0),
        None,
    )
    assert RedactLinkTokens().filter(record)
    assert record.getMessage() == '"GET /p/survey/[token]/" 302 0'


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@contextmanager
def _server(command: list[str], port: int, log_path: str) -> Iterator[None]:
    env = dict(os.environ, DATABASE_URL=worker_database_url(), SECURE_SSL_REDIRECT="0")
    env.update(ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(process, port, Path(log_path))
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


def _visit(port: int, path: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(f"http://127.0.0.1:{port}{path}", timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


SERVERS = {
    "the development server": lambda port: [
        sys.executable,
        "manage.py",
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
        "--nothreading",
    ],
    "gunicorn": lambda port: [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "peernet/gunicorn_conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "peernet.wsgi",
    ],
}


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_the_request_log_holds_no_link_token(transactional_db, personas, tmp_path, server):
    token = participant_charter_link_issue(participant=personas.participant_a)
    port = free_port()
    log_path = str(tmp_path / "server.log")
    with _server(SERVERS[server](port), port, log_path):
        assert _visit(port, f"/p/charter/{token}/") == 302
        assert _visit(port, f"/p/survey/{token}/") == 302
        assert _visit(port, f"/p/nothing-here/{token}/") == 404
        # A staff member's password links (a token that does not work: the same path).
        assert _visit(port, f"/account/reset/MTI/{PASSWORD_TOKEN}/") == 200
        assert _visit(port, f"/account/activate/MTI/{PASSWORD_TOKEN}/") == 200
        time.sleep(0.5)  # the last line written
    log = Path(log_path).read_text()
    assert "/p/charter/[token]/" in log, log  # the request was logged...
    assert "/p/nothing-here/[token]/" in log, log
    assert token not in log and token.split(":")[0] not in log  # ...without its token
    assert "/account/reset/MTI/[token]/" in log and "/account/activate/MTI/[token]/" in log
    assert PASSWORD_TOKEN not in log and PASSWORD_TOKEN.split("-")[1] not in log
    assert REDACTED in log
