"""The daily at-risk scan on a real Celery worker against Redis: run twice, the stored
findings are the same and nobody gets a second email."""

from __future__ import annotations

import pytest

from reporting.models import Finding, RiskScan
from reporting.tasks import risk_scan_hub
from sessions.models import SessionStatus
from tests.celery_worker import celery_worker, file_mail, not_eager  # noqa: F401 (fixture)
from tests.factories import make_personas, make_session

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def stored_findings() -> list[tuple]:
    # last_found moves on with each run; everything else must stay as it was.
    return list(
        Finding.objects.order_by("pk").values_list(
            "pk",
            "hub",
            "rule",
            "subject_kind",
            "subject_id",
            "outcome",
            "sentence",
            "due",
            "first_found",
            "resolved",
        )
    )


def scan_finished(hub_id: int, runs: int) -> RiskScan | None:
    return RiskScan.objects.filter(hub_id=hub_id, runs=runs, finished__isnull=False).first()


def test_the_scan_task_twice_on_a_real_worker(not_eager, tmp_path):  # noqa: F811
    personas = make_personas()
    make_session(personas.cohort_a, "2021-10-05T09:30", status=SessionStatus.DELIVERED)
    make_session(personas.cohort_a2, "2021-10-12T09:30", status=SessionStatus.DELIVERED)
    outbox, mail_to_files = file_mail(tmp_path)
    hub_id = personas.hub_a.pk
    with celery_worker(tmp_path, **mail_to_files) as worker:
        for run in (1, 2):
            result = risk_scan_hub.delay(hub_id)
            scan = worker.wait_for(lambda run=run: scan_finished(hub_id, run), f"scan {run}")
            # The digest follows the scan in the same task: wait for the task to end.
            worker.wait_for(lambda result=result: result.ready() or None, f"task {run}")
            assert result.successful() and result.get() == scan.pk
            if run == 1:
                first = stored_findings()

    assert first and stored_findings() == first
    assert (scan.new_findings, scan.resolved_findings) == (0, 0)
    messages = "".join(path.read_text() for path in outbox.iterdir())
    recipients = sorted(
        line.removeprefix("To: ") for line in messages.splitlines() if line.startswith("To: ")
    )
    assert recipients == sorted([personas.hub_a_admin.email, personas.facilitator.email])
