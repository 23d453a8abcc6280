"""Start a real Celery worker against Redis and pytest-django's test database.

Proves the wiring the demo's in-process mode cannot: the broker URL, task discovery, the
worker's settings and its database connection. Tests using it need
`pytest.mark.django_db(transaction=True)` (the worker reads committed rows only) and the
`not_eager` fixture; without a broker or PostgreSQL they are skipped, unless
PEERNET_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from peernet.celery import app as celery_app

WAIT_SECONDS = 60
T = TypeVar("T")


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("PEERNET_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PEERNET_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def require_worker_services() -> None:
    require(bool(settings.CELERY_BROKER_URL), "CELERY_BROKER_URL is not set (no Redis)")
    require(
        connection.vendor == "postgresql",
        f"the worker needs a database it can share: this is {connection.vendor}",
    )


def worker_database_url() -> str:
    """pytest-django's test database, as a URL the worker's settings can read."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def not_eager() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    node: str
    log_path: Path

    @property
    def name(self) -> str:
        return self.node.split("@")[0]

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for(self, probe: Callable[[], T | None], what: str) -> T:
        """Poll `probe` until it returns something, failing if the worker stops."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker stopped (exit {self.process.returncode}):\n{self.log()}")
            value = probe()
            if value is not None:
                return value
            time.sleep(0.25)
        pytest.fail(f"no {what} within {WAIT_SECONDS} s; worker log:\n{self.log()}")


def file_mail(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder under tmp_path that a worker writes each email it sends into, as a file, and
    the settings that send them there (`celery_worker(tmp_path, **settings)`)."""
    outbox = tmp_path / "mail"
    outbox.mkdir()
    return outbox, {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }


@contextlib.contextmanager
def celery_worker(tmp_path: Path, **env: str) -> Iterator[Worker]:
    """A worker subprocess (solo pool) on the test database; `env` adds to its environment."""
    require_worker_services()
    # Tasks earlier tests left on the queue (e.g. an email's delivery enqueued by a page a
    # browser test used, with no worker running) are not this test's.
    celery_app.control.purge()
    node = f"peernet-test-{uuid.uuid4().hex[:8]}@%h"
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "peernet",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "--hostname",
                node,
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process=process, node=node, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
