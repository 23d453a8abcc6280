"""A real Celery worker takes a task off Redis and writes to the test database.

Proves the wiring the demo's in-process mode cannot: the broker URL, task discovery,
the worker's settings, and its database connection. scripts/test starts Redis and
PostgreSQL; without a broker this test is skipped, unless PEERNET_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from peernet.celery import app as celery_app
from peernet.models import WorkerHeartbeat
from peernet.tasks import record_worker_heartbeat

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("PEERNET_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PEERNET_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


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
def not_eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


def test_a_real_worker_runs_the_heartbeat_task(not_eager, tmp_path):
    _require(bool(settings.CELERY_BROKER_URL), "CELERY_BROKER_URL is not set (no Redis)")
    _require(
        connection.vendor == "postgresql",
        f"the worker needs a database it can share: this is {connection.vendor}",
    )
    node = f"peernet-test-{uuid.uuid4().hex[:8]}@%h"
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
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
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        result = record_worker_heartbeat.delay()

        deadline = time.monotonic() + WAIT_SECONDS
        heartbeat = None
        while heartbeat is None and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(
                    f"the worker stopped (exit {worker.returncode}):\n{log_path.read_text()}"
                )
            heartbeat = WorkerHeartbeat.objects.first()
            if heartbeat is None:
                time.sleep(0.25)

        assert heartbeat is not None, (
            f"no heartbeat within {WAIT_SECONDS} s; worker log:\n{log_path.read_text()}"
        )
        # Written by our worker under its node name: run in process, the task would have
        # recorded the bare machine name.
        assert heartbeat.worker.startswith(node.split("@")[0] + "@")
        assert result.get(timeout=WAIT_SECONDS) is None
        assert result.successful()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
