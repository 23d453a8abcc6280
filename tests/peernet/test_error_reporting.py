"""Error reporting by DSN (peernet/error_reporting.py): off without SENTRY_DSN; with it,
an ERROR log line reaches the reporting service, its link tokens redacted. The service
here is a real HTTP server on this machine that keeps what sentry-sdk posts."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TOKEN = "eyJpIjo0Mn0:1vXyZa:Q2hhcnRlcg"  # the shape of a signed link token
SCRIPT = (
    "import logging, sentry_sdk; "
    f"logging.getLogger('peernet.outbox').error('Email 7 not sent for /p/survey/{TOKEN}/'); "
    "sentry_sdk.flush(10)"
)


class _Keep(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.server.received.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def reporting_service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Keep)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run(**env: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    environment.update(DEBUG="1", **env)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_without_a_dsn_nothing_is_reported(reporting_service):
    _run()
    assert reporting_service.received == []


def test_an_error_is_reported_with_its_link_token_redacted(reporting_service):
    port = reporting_service.server_address[1]
    _run(SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1", SENTRY_ENVIRONMENT="test")
    sent = b"".join(reporting_service.received).decode()
    assert "Email 7 not sent for /p/survey/[token]/" in sent
    assert TOKEN not in sent
    assert '"environment":"test"' in sent.replace(" ", "")
