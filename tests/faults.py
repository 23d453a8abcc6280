"""What the production and fault tests start, stop and ask: the service under gunicorn
with its production configuration, the whole process set of the Procfile under honcho
(web, worker, beat), and the test run's own PostgreSQL and Redis (scripts/test starts
them and says where: PEERNET_TEST_PG_CTL, PEERNET_TEST_PG_DATA, the Redis URL), stopped
and started again as a real outage would."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connection
from django.utils import timezone

from peernet.celery import app as celery_app
from tests.celery_worker import worker_database_url
from tests.processes import free_port, procfile, wait_for_port
from tests.smtp import SmtpServer

ROOT = Path(settings.BASE_DIR)


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def get(port: int, path: str) -> Answer:
    """One GET, redirects not followed; a refused connection is status 0."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return Answer(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode(), dict(error.headers))
    except OSError:
        return Answer(0, "", {})


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str) -> Answer:
        assert self.process.poll() is None, f"gunicorn stopped:\n{self.log.read_text()}"
        return get(self.port, path)


@contextmanager
def gunicorn(tmp_path: Path, **env: str) -> Iterator[Server]:
    """The web process as the Procfile runs it (peernet/gunicorn_conf.py), DEBUG off, on
    the test database."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "peernet/gunicorn_conf.py", "peernet.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(process, port, log)
        yield Server(process, port, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def postgresql(action: str) -> None:
    """`stop` or `start` the test run's PostgreSQL (pg_ctl, waiting until it is done),
    started again with the options scripts/test gave it (its postmaster.opts)."""
    pg_ctl, data = os.environ.get("PEERNET_TEST_PG_CTL"), os.environ.get("PEERNET_TEST_PG_DATA")
    if not (pg_ctl and data):
        pytest.skip("scripts/test starts the PostgreSQL these tests stop and start")
    folder = Path(data).parent
    if action == "stop":
        connection.close()  # the test's own connection goes with the server
        options = ["-m", "fast"]
    else:
        # postmaster.opts: the server's command line when it last ran; all but -D.
        words = shlex.split((Path(data) / "postmaster.opts").read_text())[1:]
        kept = [w for i, w in enumerate(words) if w != "-D" and (i == 0 or words[i - 1] != "-D")]
        options = ["-l", str(folder / "pg.log"), "-o", shlex.join(kept)]
    subprocess.run(
        _as_postgres([pg_ctl, "-D", data, "-w", "-t", "60", *options, action]),
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=90,
    )


def redis(action: str) -> None:
    """`stop` or `start` the test run's Redis, on the same port."""
    url = urlparse(settings.CELERY_BROKER_URL or "")
    data = os.environ.get("PEERNET_TEST_PG_DATA")
    if not (url.port and data):
        pytest.skip("scripts/test starts the Redis these tests stop and start")
    folder = Path(data).parent
    if action == "stop":
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(url.port), "shutdown", "nosave"],
            capture_output=True,
            timeout=30,
        )
        return
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(url.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            str(folder),
            "--pidfile",
            str(folder / "redis.pid"),
            "--logfile",
            str(folder / "redis.log"),
        ],
        check=True,
        timeout=30,
    )
    deadline = time.monotonic() + 30
    while (
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(url.port), "ping"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        != "PONG"
    ):
        assert time.monotonic() < deadline, "Redis did not start again"
        time.sleep(0.2)


# --- the Procfile's process set ---------------------------------------------------------

STARTUP_SECONDS = 180


def production_environment(smtp: SmtpServer, port: int, beat_schedule: Path) -> dict[str, str]:
    """What a server's processes have: production settings, the test's services."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The test process's own: not what a server has.
        if key
        not in (
            "EMAIL_BACKEND",
            "STATICFILES_STORAGE",
            "PEERNET_REQUIRE_SERVICES",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "CELERY_RESULT_BACKEND",
        )
    }
    env.update(
        DEBUG="0",
        DATABASE_URL=worker_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECRET_KEY=settings.SECRET_KEY,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        DEFAULT_FROM_EMAIL="peer-networks@example.org",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        CELERY_CONCURRENCY="1",
        CELERY_BEAT_SCHEDULE=str(beat_schedule),
        LOG_LEVEL="INFO",
        OUTBOX_RETRY_SECONDS="2",
        OUTBOX_BEAT_SECONDS="2",
    )
    return env


def beat_schedule_all_due(path: Path) -> None:
    """Beat's schedule file, written as if every entry last ran 40 days ago: beat finds
    each one due when it starts (its forced tick), then keeps the schedule as usual."""
    scheduler = PersistentScheduler(app=celery_app, schedule_filename=str(path), lazy=False)
    long_ago = timezone.now() - dt.timedelta(days=40)
    for entry in scheduler.schedule.values():
        entry.last_run_at = long_ago
    scheduler.sync()
    scheduler.close()


def health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:
        return 0, {}


@dataclass
class ProcessSet:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    env: dict[str, str]
    serving_after: float = 0.0

    @property
    def base_url(self) -> str:
        # "localhost": Chromium keeps the Secure cookies of production settings (the
        # session, CSRF) on it over plain HTTP, as it would behind the TLS proxy.
        return f"http://localhost:{self.port}"

    def wait_until_serving(self) -> dict:
        """/health/ answers 200 with the pages rendering and a worker's heartbeat (beat
        sent it, the worker ran it): all three processes are up."""
        deadline = time.monotonic() + STARTUP_SECONDS
        body: dict = {}
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the process set stopped:\n{self.tail()}"
            status, body = health(self.port)
            if status == 200 and body.get("pages") == "ok" and body.get("worker"):
                return body
            time.sleep(1)
        raise AssertionError(f"not serving after {STARTUP_SECONDS}s ({body}):\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text()[-chars:]


@contextmanager
def process_set(
    tmp_path: Path, smtp: SmtpServer, *, release: bool = False, **env: str
) -> Iterator[ProcessSet]:
    """The Procfile's web, worker and beat under honcho, as `scripts/serve` starts them,
    beat's schedule all due at once; with `release`, `scripts/release` first."""
    port = free_port()
    environment = {**production_environment(smtp, port, tmp_path / "celerybeat-schedule"), **env}
    beat_schedule_all_due(tmp_path / "celerybeat-schedule")
    if release:
        done = subprocess.run(
            ["scripts/release"],
            cwd=ROOT,
            env={
                **environment,
                "SECURE_SSL_REDIRECT": "1",
                "CACHE_URL": settings.CELERY_BROKER_URL or "",
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    celery_app.control.purge()  # nothing earlier tests left on the queue
    log = tmp_path / "processes.log"
    started_at = time.monotonic()
    with procfile({**environment, "SECURE_SSL_REDIRECT": "0"}, log) as process:
        processes = ProcessSet(process, port, log, environment)
        processes.wait_until_serving()
        processes.serving_after = time.monotonic() - started_at
        yield processes
