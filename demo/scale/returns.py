"""The national-scale programme's monthly returns, submitted as the hubs would have
submitted them (`manage.py seed_scale --returns`, and the benchmark).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from demo.scale.shape import BATCH, YEAR_END, YEAR_START, london_at
from peernet.models import Hub, Role, RoleAssignment
from reporting import kpi, returns
from reporting.models import MonthlyReturn, ReturnVersion


def months() -> list[dt.date]:
    """The first day of each month of the delivery window."""
    first, result = YEAR_START.replace(day=1), []
    while first <= YEAR_END:
        result.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return result


def submit_returns(skip: Iterable[dt.date] = (), only: Iterable[dt.date] | None = None) -> int:
    """Every hub's return for every month of the window, as the hubs would have submitted
    them: figures computed from the records (`reporting.kpi.compute_hubs`, one call per
    month for all hubs), frozen with their SHA-256 (`reporting.returns`), written in bulk.
    Most on time (the 5th), one in ten late (the 9th), one in twenty missing, fixed by
    the hub's and the month's position. Months in `skip` (or not in `only`, when given)
    are left without returns. Returns the number of versions made."""
    skip = set(skip)
    wanted = None if only is None else set(only)
    hubs = list(Hub.objects.order_by("pk"))
    admins = {
        assignment.hub_id: assignment.user_id
        for assignment in RoleAssignment.objects.filter(role=Role.HUB_ADMIN).order_by("pk")
    }
    made = 0
    for j, month in enumerate(months()):
        if month in skip or (wanted is not None and month not in wanted):
            continue
        results = kpi.compute_hubs(hubs, month)
        due = (month + dt.timedelta(days=32)).replace(day=1)
        drafts, versions = [], []
        for i, hub in enumerate(hubs):
            figures, breakdowns, parts = kpi.stored(results[hub.pk])
            draw = (i * 7 + j * 3) % 20
            narrative = f"{hub.name}: {month:%B %Y} went to plan."
            draft = MonthlyReturn(
                hub=hub,
                month=month,
                draft_figures=figures,
                draft_breakdowns=breakdowns,
                draft_parts=parts,
                draft_compiled_at=london_at(due, 6),
                narrative=narrative if draw else "",
            )
            drafts.append(draft)
            if draw == 0:  # missing
                continue
            content = returns.frozen_content(
                hub_key=hub.key,
                month=month,
                figures=figures,
                breakdowns=breakdowns,
                parts=parts,
                narrative=narrative,
            )
            versions.append(
                ReturnVersion(
                    monthly_return=draft,
                    version=1,
                    figures=figures,
                    breakdowns=breakdowns,
                    parts=parts,
                    narrative=narrative,
                    sha256=hashlib.sha256(
                        returns.canonical_json(content).encode("utf-8")
                    ).hexdigest(),
                    submitted_at=london_at(due + dt.timedelta(days=8 if draw <= 2 else 4), 10),
                    submitted_by_id=admins[hub.pk],
                )
            )
        MonthlyReturn.objects.bulk_create(drafts, batch_size=BATCH)
        ReturnVersion.objects.bulk_create(versions, batch_size=BATCH)
        made += len(versions)
    return made
