"""What the fault tests start, stop and ask: the service under gunicorn with its
production configuration, and the test run's own PostgreSQL and Redis (scripts/test
starts them and says where: PEERNET_TEST_PG_CTL, PEERNET_TEST_PG_DATA, the Redis URL),
stopped and started again as a real outage would."""

from __future__ import annotations

import os
import shlex
import socket
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
from django.conf import settings
from django.db import connection

from tests.celery_worker import worker_database_url
from tests.smtp import free_port

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
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"gunicorn did not start:\n{log.read_text()}"
                time.sleep(0.2)
        yield server
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
