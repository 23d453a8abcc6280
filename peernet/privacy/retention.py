"""Retention: each registry entry's records kept as long as the registry says, then
deleted, and participants erased once their period has ended (7 years after their
programme year).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from peernet import audit
from peernet.models import AuditEvent
from peernet.privacy.erasure import ERASED_DOMAIN, erase_participant
from peernet.privacy.registry import entries


def participants_past_retention(now: dt.datetime) -> QuerySet:
    """Participants whose programme year ended more than 7 years ago, not yet erased."""
    # participants.models imports peernet (its querysets and models): read here, not above.
    from participants.models import Participant

    cutoff = _years_before(timezone.localdate(now), 7)
    return Participant.objects.filter(programme__delivery_end__lt=cutoff).exclude(
        email__endswith=f"@{ERASED_DOMAIN}"
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def retention_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every registry entry's retention: delete what has run out, erase the
    participants whose period has ended. Idempotent: a second run finds nothing."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for entry in entries():
        retention = entry.retention
        if retention.action != "delete" or retention.keep_for is None:
            continue
        model = entry.model_class
        assert model is not None  # entries() lists installed models only
        cutoff = now - retention.keep_for
        if model is AuditEvent:
            deleted = audit.purge_expired(older_than=cutoff)
        else:
            rows = model._default_manager.filter(**{f"{retention.since}__lt": cutoff})
            if retention.only is not None:
                rows = rows.filter(retention.only)
            with transaction.atomic():
                deleted, _ = rows.delete()
        if deleted:
            done[entry.model] = deleted
    erased = 0
    for participant in participants_past_retention(now).order_by("pk"):
        erase_participant(participant, None, "Retention period ended (7 years after the year).")
        erased += 1
    if erased:
        done["participants.Participant"] = erased
    if done:
        audit.record(
            None,
            "retention",
            summary="Retention schedule applied",
            after=dict(sorted(done.items())),
        )
    return done
