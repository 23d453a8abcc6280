"""The breach register's writes, the national coordinator's: a personal-data breach
recorded, and the decision on reporting it to the ICO (within 72 hours of its discovery,
`Breach.report_due`). The pages are `peernet.privacy_views`; reading the register needs
no more than `Breach.objects`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from peernet import audit
from peernet.models import Breach, Hub, User

REPORTED, NOT_REPORTED = "reported", "not_reported"
ALREADY_DECIDED = "The decision on this breach is already recorded"


@transaction.atomic
def breach_record(
    *,
    discovered_at: dt.datetime,
    description: str,
    data_affected: str,
    hubs: Iterable[Hub],
    by: User,
    request: Any = None,
) -> Breach:
    """A breach in the register, with the hubs whose data it touched."""
    breach = Breach.objects.create(
        discovered_at=discovered_at,
        description=description.strip(),
        data_affected=data_affected.strip(),
        recorded_by=by,
    )
    breach.hubs.set(hubs)
    audit.record(by, "create", breach, summary="Breach recorded", request=request)
    return breach


@transaction.atomic
def breach_decide(
    *,
    breach: Breach,
    reported_at: dt.datetime | None,
    not_reported_reason: str = "",
    by: User,
    request: Any = None,
) -> Breach:
    """The one decision on a breach: reported to the ICO at `reported_at`, or (None) not
    reported, for `not_reported_reason`. A second decision is refused."""
    locked = Breach.objects.select_for_update().get(pk=breach.pk)
    if locked.decided:
        raise ValidationError(ALREADY_DECIDED)
    if reported_at is not None:
        locked.reported_to_ico_at = reported_at
    else:
        locked.not_reported_reason = not_reported_reason.strip()
    locked.save(update_fields=["reported_to_ico_at", "not_reported_reason"])
    audit.record(
        by,
        "update",
        locked,
        summary="Breach decision recorded",
        after={"decision": REPORTED if reported_at is not None else NOT_REPORTED},
        request=request,
    )
    return locked
