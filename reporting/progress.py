"""Progress you can see: a cohort's group hours (K2) and a participant's one-to-one hours
(O1) as small bars (`reporting.charts.stacked_bar`), from numbers the pages already read,
each part with its words so the page can list the numbers beside the chart; and a
session's attendance at a glance where sessions are listed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from cohorts.models import Cohort
from cohorts.selectors import CohortForecast
from peernet.hours import sum_hours
from peernet.words import hours_words
from reporting.charts import StackedBar, stacked_bar
from sessions.models import Attendance, OneToOneRoute, SessionStatus


def cohort_hours_chart(cohort: Cohort, forecast: CohortForecast) -> StackedBar:
    """The cohort's hours: delivered, scheduled, and the gap still to schedule."""
    needed = hours_words(forecast.needed)
    return stacked_bar(
        "cohort-hours",
        f"{cohort.name}: hours toward {needed}",
        f"{hours_words(forecast.delivered)} hours delivered, {hours_words(forecast.scheduled)} "
        f"scheduled and {hours_words(forecast.shortfall)} still to schedule, of {needed}.",
        [
            ("Delivered", forecast.delivered, "done"),
            ("Scheduled", forecast.scheduled, "booked"),
            ("Still to schedule", forecast.shortfall, "gap"),
        ],
    )


def one_to_one_hours_chart(name: str, needed: Decimal, one_to_ones: Iterable[Any]) -> StackedBar:
    """A participant's one-to-one hours by route: delivered by the programme, delivered
    through an existing local programme, booked, and the gap still to arrange."""
    sessions = list(one_to_ones)

    def hours(status: str, route: str | None = None) -> Decimal:
        return sum_hours(
            o for o in sessions if o.status == status and (route is None or o.route == route)
        )

    programme = hours(SessionStatus.DELIVERED, OneToOneRoute.PROGRAMME)
    existing = hours(SessionStatus.DELIVERED, OneToOneRoute.EXISTING)
    booked = hours(SessionStatus.SCHEDULED)
    gap = max(needed - programme - existing - booked, Decimal(0))
    return stacked_bar(
        "one-to-one-hours",
        f"{name}: one-to-one hours toward {hours_words(needed)}",
        f"{hours_words(programme)} hours delivered by the programme, {hours_words(existing)} "
        f"through existing local programmes, {hours_words(booked)} booked and "
        f"{hours_words(gap)} still to arrange, of {hours_words(needed)}.",
        [
            ("Delivered by the programme", programme, "done"),
            ("Delivered through existing local programmes", existing, "done-other"),
            ("Booked", booked, "booked"),
            ("Still to arrange", gap, "gap"),
        ],
    )


def attendance_at_a_glance(cohort: Cohort) -> dict[int, tuple[int, int]]:
    """{session id: (present, absent)} for the cohort's sessions with attendance recorded,
    in one query."""
    rows = (
        Attendance.objects.filter(session__cohort=cohort)
        .values("session")
        .annotate(
            present_count=Count("pk", filter=Q(present=True)),
            absent_count=Count("pk", filter=Q(present=False)),
        )
        .order_by()
    )
    return {row["session"]: (row["present_count"], row["absent_count"]) for row in rows}
