"""Celery tasks for reporting. Thin: take ids, load, call the services (idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from peernet.models import Hub
from reporting.models import ReturnVersion
from reporting.returns import compile_draft, compile_drafts, month_just_ended, send_reminder
from reporting.services import findings_judge, risk_digest_send, risk_scan_run


@shared_task
def risk_scan_hub(hub_id: int) -> int:
    """The daily at-risk scan of one hub, then its digest; safe to run twice a day."""
    hub = Hub.objects.get(pk=hub_id)
    scan = risk_scan_run(hub=hub, as_of=timezone.now())
    risk_digest_send(scan=scan)
    return scan.pk


@shared_task
def findings_judge_hub(hub_id: int) -> int:
    """Judge a whole hub again after a write that could not be placed on a participant or
    cohort (reporting.freshness); no digest. Returns the findings open."""
    hub = Hub.objects.filter(pk=hub_id).first()
    return findings_judge(hub=hub, as_of=timezone.now()).open if hub is not None else 0


@shared_task
def risk_scan_all() -> int:
    """Enqueue one scan per hub (scheduled by beat at 06:00 Europe/London)."""
    hub_ids = list(Hub.objects.order_by("pk").values_list("pk", flat=True))
    for hub_id in hub_ids:
        risk_scan_hub.delay_on_commit(hub_id)
    return len(hub_ids)


# --- monthly returns (docs/returns.md "Submission") --------------------------------------


@shared_task
def return_compile_draft(hub_id: int, month: str) -> int:
    """Compile one hub's draft for `month` ("YYYY-MM"); a submitted return is left alone."""

    return compile_draft(hub_id, month).pk


@shared_task
def return_compile_drafts_all() -> int:
    """On the 1st (beat): a draft for every hub for the month just ended, computed
    together (a fixed number of queries for every hub: reporting.returns.compile_drafts)."""

    month = month_just_ended(timezone.now())
    hub_ids = list(Hub.objects.order_by("pk").values_list("pk", flat=True))
    return len(compile_drafts(hub_ids, month))


@shared_task
def return_send_reminder(hub_id: int, month: str) -> int:
    """Remind one hub's administrators of a return not yet submitted; once per month."""

    return send_reminder(hub_id, month)


@shared_task
def return_send_reminders_all() -> int:
    """On the 5th (beat): remind every hub whose return for the month just ended is not in."""

    month = month_just_ended(timezone.now())
    submitted = ReturnVersion.objects.filter(monthly_return__month=month).values(
        "monthly_return__hub"
    )
    hub_ids = list(
        Hub.objects.exclude(pk__in=submitted).order_by("pk").values_list("pk", flat=True)
    )
    for hub_id in hub_ids:
        return_send_reminder.delay_on_commit(hub_id, f"{month:%Y-%m}")
    return len(hub_ids)
