"""A real Celery worker takes a task off Redis and writes to the test database.

Proves the wiring the demo's in-process mode cannot: the broker URL, task discovery,
the worker's settings, and its database connection. scripts/test starts Redis and
PostgreSQL; without a broker this test is skipped, unless PEERNET_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import pytest

from peernet.models import WorkerHeartbeat
from peernet.tasks import record_worker_heartbeat
from tests.celery_worker import WAIT_SECONDS, celery_worker, not_eager  # noqa: F401 (fixture)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_heartbeat_task(not_eager, tmp_path):  # noqa: F811
    with celery_worker(tmp_path) as worker:
        result = record_worker_heartbeat.delay()

        heartbeat = worker.wait_for(WorkerHeartbeat.objects.first, "heartbeat")

        # Written by our worker under its node name: run in process, the task would have
        # recorded the bare machine name.
        assert heartbeat.worker.startswith(worker.name + "@")
        assert result.get(timeout=WAIT_SECONDS) is None
        assert result.successful()
