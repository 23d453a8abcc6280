"""The Celery app.

With CELERY_BROKER_URL unset (the demo), `CELERY_TASK_ALWAYS_EAGER` makes every task
run in process through the same code; production and CI run real workers on Redis.
Beat (run exactly once per deployment) enqueues the schedule below.
"""

import os
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.schedules import crontab
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.conf import settings

from peernet import logs
from peernet.scoping import scopes_disabled

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")


class SystemTask(DjangoTask):
    """Every task runs as the system, across every hub (peernet.scoping);
    a task about one hub narrows its own queries, as it always has."""

    def __call__(self, *args, **kwargs):
        with scopes_disabled():
            return super().__call__(*args, **kwargs)

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """Run after the current transaction commits, and never lost to a broker that is
        away: held as a row in the transaction (peernet.outbox.task_hold)."""
        # Here, not above: the Celery app is built before Django's apps are ready.
        from peernet.outbox import task_hold

        task_hold(self.name, args, kwargs)


app = Celery("peernet", task_cls=SystemTask)


# The request id (peernet.logs) travels with every task a request, or a task, enqueues:
# a header on the message, the worker's log context while the task runs.
@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and logs.request_id.get():
        headers["request_id"] = logs.request_id.get()


@task_prerun.connect
def _take_request_id(task: Any = None, **kwargs: Any) -> None:
    given = getattr(task.request, "request_id", None) if task is not None else None
    # In process (the demo) a task runs inside the request that enqueued it: keep its id.
    current = given or logs.request_id.get() or logs.new_request_id()
    task.request.peernet_log_token = logs.request_id.set(current)


@task_postrun.connect
def _drop_request_id(task: Any = None, **kwargs: Any) -> None:
    token = getattr(task.request, "peernet_log_token", None) if task is not None else None
    if token is not None:
        logs.request_id.reset(token)


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Downloads are built by reporting/export_tasks.py, found beside reporting/tasks.py; the
# outbox delivers by peernet/outbox_tasks.py, beside peernet/tasks.py.
app.autodiscover_tasks(["reporting"], related_name="export_tasks")
app.autodiscover_tasks(["peernet"], related_name="outbox_tasks")

app.conf.beat_schedule = {
    # /health/ shows the last time any worker ran this.
    "record-worker-heartbeat": {
        "task": "peernet.tasks.record_worker_heartbeat",
        "schedule": 5 * 60.0,
        # A heartbeat no worker took within its own interval says nothing: drop it.
        "options": {"expires": 5 * 60},
    },
    # The outbox (peernet.outbox): tasks held while Redis was away, and emails waiting
    # and due (the mail server was away). A run no worker took in time is replaced.
    "outbox-sweep": {
        "task": "peernet.outbox_tasks.outbox_sweep",
        "schedule": float(settings.OUTBOX_BEAT_SECONDS),
        "options": {"expires": float(settings.OUTBOX_BEAT_SECONDS)},
    },
    # The daily at-risk scan and digests, before the working day (CELERY_TIMEZONE is
    # Europe/London, so 06:00 is local time in summer and winter).
    "risk-scan-all-hubs": {
        "task": "reporting.tasks.risk_scan_all",
        "schedule": crontab(hour=6, minute=0),
    },
    # docs/returns.md: a draft return for every hub on the 1st for the month just ended, and a
    # reminder on the 5th to hubs not yet submitted (M1: due by the 7th). Both idempotent.
    "returns-compile-drafts": {
        "task": "reporting.tasks.return_compile_drafts_all",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    "returns-send-reminders": {
        "task": "reporting.tasks.return_send_reminders_all",
        "schedule": crontab(day_of_month=5, hour=9, minute=0),
    },
    # docs/security.md §24: retention (peernet.privacy), nightly, out of the working day.
    "retention-apply": {
        "task": "peernet.tasks.retention_apply",
        "schedule": crontab(hour=2, minute=30),
    },
    # S1–S4: survey invitations not yet sent, and the one reminder after a few days.
    "survey-send-due": {
        "task": "participants.tasks.survey_send_due",
        "schedule": 15 * 60.0,
        "options": {"expires": 15 * 60},
    },
    # K7, O5: joining instructions go out from an hour before the 48-hour line
    # (sessions.joining.SEND_AHEAD); each run sends only to those not yet sent, so a late
    # or repeated run is safe.
    "joining-instructions-send-due": {
        "task": "sessions.tasks.joining_instructions_send_due",
        "schedule": 15 * 60.0,
        "options": {"expires": 15 * 60},
    },
}
