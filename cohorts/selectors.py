"""Reads about cohorts: the hours forecast (K2, K6) for one cohort, and in SQL for lists.

The forecast asks the same questions as the K6 check (peernet.rules), from the same
rows: a cohort is at risk exactly when K6 warns. It adds the date the cohort reaches its
hours and the numbers on their own, for pages and to-do lists. Related rows are read
through `.all()`, so a caller forecasting many cohorts can prefetch `sessions` once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThanOrEqual

from peernet.rules import (
    LONDON,
    date_words,
    delivered_group_sessions,
    hours_words,
    local_date,
    number_words,
    sessions_not_cancelled,
    sum_hours,
)
from sessions.models import SessionStatus

if TYPE_CHECKING:
    from cohorts.models import Cohort


@dataclass(frozen=True)
class CohortForecast:
    """A cohort's hours (K2) if its schedule holds, as of a moment."""

    needed: Decimal  # the programme's cohort_hours
    window_end: dt.date  # the programme's delivery_end (K5)
    delivered: Decimal
    scheduled: Decimal  # not yet delivered, starting on or before the window end
    reaches_on: dt.date | None  # the local date the cohort reaches `needed`; None if never
    at_risk: bool
    reason: str

    @property
    def projected(self) -> Decimal:
        return self.delivered + self.scheduled

    @property
    def shortfall(self) -> Decimal:
        return max(self.needed - self.projected, Decimal(0))


def cohort_forecast(cohort: Cohort, *, as_of: dt.datetime) -> CohortForecast:
    """Delivered plus scheduled hours before the window closes, and when 18 is reached.

    At risk (K6) when the schedule falls short of the programme's hours: reaching them
    then depends on sessions not yet scheduled. A cohort that has delivered its hours is
    never at risk. `as_of` names the moment for the sentence's sake; the forecast itself
    reads the recorded statuses (a session is delivered once it is recorded as such).
    """
    programme = cohort.programme
    needed, end = programme.cohort_hours, programme.delivery_end
    planned = [
        s for s in sessions_not_cancelled(cohort.sessions.all()) if local_date(s.starts_at) <= end
    ]
    delivered = sum_hours(delivered_group_sessions(planned))
    scheduled = sum_hours(s for s in planned if s.status == SessionStatus.SCHEDULED)

    reaches_on, running = None, Decimal(0)
    for session in planned:  # in start order
        running += session.hours
        if running >= needed:
            reaches_on = local_date(session.starts_at)
            break

    name, of = cohort.name, number_words(needed)
    if delivered >= needed:
        reason = f"{name} has delivered {hours_words(delivered)} of {of} hours."
    elif reaches_on is not None:
        reason = (
            f"{name} has {hours_words(delivered)} hours delivered and "
            f"{hours_words(scheduled)} scheduled, so reaches {of} hours on "
            f"{date_words(reaches_on)} if the schedule holds."
        )
    else:
        reason = (
            f"{name} has {hours_words(delivered + scheduled)} of {of} hours delivered or "
            f"scheduled by {date_words(end)}: "
            f"schedule {hours_words(needed - delivered - scheduled)} more hours."
        )
    return CohortForecast(
        needed=needed,
        window_end=end,
        delivered=delivered,
        scheduled=scheduled,
        reaches_on=reaches_on,
        at_risk=reaches_on is None,
        reason=reason,
    )


_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=7, decimal_places=2))


def cohorts_with_hours(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate `delivered_hours`, `scheduled_hours` and `projected_hours` in SQL (for
    lists), counting as `cohort_forecast` does: scheduled sessions count when they start,
    in London, on or before the programme's last day of delivery."""
    in_window = LessThanOrEqual(
        TruncDate("sessions__starts_at", tzinfo=LONDON), F("programme__delivery_end")
    )
    delivered = Coalesce(
        Sum("sessions__hours", filter=Q(sessions__status=SessionStatus.DELIVERED) & Q(in_window)),
        _ZERO,
    )
    scheduled = Coalesce(
        Sum("sessions__hours", filter=Q(sessions__status=SessionStatus.SCHEDULED) & Q(in_window)),
        _ZERO,
    )
    return queryset.annotate(
        delivered_hours=delivered,
        scheduled_hours=scheduled,
        projected_hours=F("delivered_hours") + F("scheduled_hours"),
    )
