"""Celery tasks for reporting. Thin: take ids, load, call the services (idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from peernet.models import Hub
from reporting.services import risk_digest_send, risk_scan_run


@shared_task
def risk_scan_hub(hub_id: int) -> int:
    """The daily at-risk scan of one hub, then its digest; safe to run twice a day."""
    hub = Hub.objects.get(pk=hub_id)
    scan = risk_scan_run(hub=hub, as_of=timezone.now())
    risk_digest_send(scan=scan)
    return scan.pk


@shared_task
def risk_scan_all() -> int:
    """Enqueue one scan per hub (scheduled by beat at 06:00 Europe/London)."""
    hub_ids = list(Hub.objects.order_by("pk").values_list("pk", flat=True))
    for hub_id in hub_ids:
        risk_scan_hub.delay_on_commit(hub_id)
    return len(hub_ids)
