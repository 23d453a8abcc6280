"""Faults, each with real services stopped and started by the test (tests/faults.py), and
the service as it runs in production (gunicorn, DEBUG off). docs/reliability.md lists
each fault, what the user sees and what is guaranteed."""

from __future__ import annotations

import pytest

from tests import faults
from tests.factories import make_hub

pytestmark = pytest.mark.django_db(transaction=True)


def test_postgresql_restarting_answers_503_then_recovers_by_itself(tmp_path):
    make_hub("gm", name="Greater Manchester Growth Hub")
    # Kept connections (as a busy deployment would set) must recover too.
    with faults.gunicorn(tmp_path, DATABASE_CONN_MAX_AGE="600") as server:
        page = "/p/register/gm/"  # a public page that reads the database
        assert server.get(page).status == 200
        faults.postgresql("stop")
        try:
            down = server.get(page)
            health = server.get("/health/")
        finally:
            faults.postgresql("start")
        assert down.status == 503, down.body[:500]
        assert down.headers["Retry-After"] == "30"
        assert "Sorry, there is a problem with the service" in down.body
        assert "Try again in a minute" in down.body
        assert health.status == 503
        # Back: the same processes answer, their kept connections replaced.
        for _ in range(4):  # each of the two workers, twice
            answer = server.get(page)
            assert answer.status == 200, answer.body[:500]
            assert "Greater Manchester Growth Hub" in answer.body
        assert server.get("/health/").status == 200
        log = server.log.read_text()
    # The failure is in the log at the default level, with its traceback.
    assert "Service Unavailable: /p/register/gm/" in log and "OperationalError" in log, log[-3000:]
    assert "Booting worker" in log and log.count("Booting worker") == 2, log[-3000:]
