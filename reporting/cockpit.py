"""Reads for the hub administrator's cockpit (/hub/<hub>/, docs/cockpit.md): this week,
what is at risk, the return due and the hub's progress over the months; and the one
"change since last month" of a return's figures, which the return page shows too.

Every number here is one the rest of the product already defines: the week's sessions
and one-to-ones are the records themselves; what is at risk is the return's own two
figures for the current month (`cohorts_at_risk`, `participants_at_risk_one_to_one`),
listed by `reporting.drilldown` with the same conditions, so the cockpit and the return
never disagree; progress is the return's `started_cumulative` and
`participants_completed_cumulative` month by month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from participants.models import Participant
from peernet.calendar import Month, local_date, london_midnight
from peernet.models import Hub, Programme
from reporting import drilldown, kpi, returns
from reporting.models import MonthlyReturn, ReturnVersion
from reporting.selectors import ACTIONS
from rules.monthly_return import return_due_at
from sessions.models import GroupSession, OneToOneSession, SessionStatus
from sessions.selectors import registers_missing

WEEK_DAYS = 7
AT_RISK_SHOWN = 10
PROGRESS_FIGURES = ("started_cumulative", "participants_completed_cumulative")

# --- this week -----------------------------------------------------------------------------


def week_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From London midnight today to London midnight seven days on (exclusive): today
    and the six days after it, whole London days whatever the clock change."""
    today = local_date(now)
    return london_midnight(today), london_midnight(today + dt.timedelta(days=WEEK_DAYS))


@dataclass(frozen=True)
class Week:
    start: dt.datetime
    end: dt.datetime
    sessions: list[GroupSession]  # not cancelled, starting this week
    one_to_ones: list[OneToOneSession]  # not cancelled, starting this week
    joining_due: list[tuple[GroupSession, dt.datetime]]  # unsent, with the K7 deadline
    attendance_missing: list[GroupSession]  # delivered, no attendance recorded

    @property
    def last_day(self) -> dt.date:
        return local_date(self.end) - dt.timedelta(days=1)


def this_week(hub: Hub, now: dt.datetime) -> Week:
    """The hub's week ahead: three queries whatever the numbers."""
    start, end = week_window(now)
    sessions = list(
        GroupSession.objects.filter(cohort__hub=hub, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("cohort__programme")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
            absent_count=Count("attendance", filter=Q(attendance__present=False)),
        )
        .order_by("starts_at", "pk")
    )
    one_to_ones = list(
        OneToOneSession.objects.filter(
            participant__hub=hub, starts_at__gte=start, starts_at__lt=end
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("participant", "provider")
        .order_by("starts_at", "pk")
    )
    # K7: joining instructions go out `joining_instructions_hours` real hours before.
    joining_due = [
        (s, s.starts_at - dt.timedelta(hours=s.cohort.programme.joining_instructions_hours))
        for s in sessions
        if s.status == SessionStatus.SCHEDULED
        and s.joining_instructions_sent_at is None
        and s.starts_at > now
    ]
    missing = list(
        registers_missing(GroupSession.objects.filter(cohort__hub=hub))
        .select_related("cohort")
        .order_by("starts_at", "pk")
    )
    return Week(start, end, sessions, one_to_ones, joining_due, missing)


# --- what is at risk ---------------------------------------------------------------------


# The registrations list's risk filter: its value -> the return's figure it narrows to
# (a participant at risk of missing the one-to-one hours; a member of a cohort at risk of
# missing the group hours).
RISK_FIGURES = {
    "one_to_one": "participants_at_risk_one_to_one",
    "group": "cohorts_at_risk",
}


def risk_choices() -> list[tuple[str, str]]:
    """The risk filter's choices, in the return's words."""
    return [
        ("one_to_one", kpi.LABELS["participants_at_risk_one_to_one"]),
        ("group", f"Members of {kpi.LABELS['cohorts_at_risk'].lower()}"),
    ]


def participants_at_risk(hub: Hub, today: dt.date, risk: str) -> QuerySet[Participant]:
    """The hub's participants behind this month's at-risk figure `risk` (a key of
    RISK_FIGURES): those the return counts, or the current members of the cohorts it
    counts; none outside the programme's delivery window (the cockpit shows none)."""
    month = Month.of(today)
    try:
        in_window = Programme.for_month(today).holds(month)
    except Programme.DoesNotExist:
        in_window = False
    if not in_window:
        return Participant.objects.none()
    counted = drilldown.figure_queryset(hub, month.first_day, RISK_FIGURES[risk])
    if risk == "one_to_one":
        return Participant.objects.filter(pk__in=counted.values("pk"))
    return Participant.objects.filter(
        Q(memberships__left__isnull=True) | Q(memberships__left__gt=today),
        memberships__cohort__in=counted.values("pk"),
    )


@dataclass(frozen=True)
class AtRisk:
    """One of the return's at-risk figures, the records behind it and what fixes each."""

    figure: str
    label: str
    count: int
    action: str  # the imperative (reporting.selectors.ACTIONS), with the programme's hours
    rows: list[drilldown.Cell]  # each record's name, linked to the page that acts on it
    list_url: str  # every record behind the figure
    people_url: str  # the registrations list filtered to the people at risk


def at_risk(hub: Hub, month: Month, programme: Programme) -> list[AtRisk]:
    """Cohorts at risk of missing their group hours (K6) and participants at risk of
    missing their one-to-one hours (O1), as the return for `month` counts them."""
    shown = []
    for figure, rule in (("cohorts_at_risk", "K6"), ("participants_at_risk_one_to_one", "O1")):
        rows = [
            row[0]
            for section in drilldown.figure_records(hub, month.first_day, figure)
            for row in section.rows
        ]
        shown.append(
            AtRisk(
                figure=figure,
                label=kpi.LABELS[figure],
                count=len(rows),
                action=ACTIONS[rule].say(programme),
                rows=rows[:AT_RISK_SHOWN],
                list_url=reverse(
                    "hub:return-figure",
                    kwargs={"hub": hub.key, "month": month.first_day, "figure": figure},
                ),
                people_url=reverse("hub:registrations", kwargs={"hub": hub.key})
                + "?"
                + urlencode({"risk": next(k for k, f in RISK_FIGURES.items() if f == figure)}),
            )
        )
    return shown


# --- the return ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    figure: str
    label: str
    before: Any
    after: Any
    change: str  # "+3", "−1.5", "changed"; "" when the same


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def change_words(before: Any, after: Any) -> str:
    """How a figure moved: the signed difference of two numbers, "changed" for anything
    else that differs, "" when the same (or nothing to compare with)."""
    if before == after:
        return ""
    if _is_number(before) and _is_number(after):
        difference = Decimal(after) - Decimal(before)
        text = format(abs(difference).normalize(), "f")
        return f"+{text}" if difference > 0 else f"\N{MINUS SIGN}{text}"
    return "changed"


def figure_changes(
    current: dict[str, Any] | None, previous: dict[str, Any] | None
) -> dict[str, FigureChange]:
    """The change since last month of each figure of a return (results of
    `reporting.kpi`), in the return's order; empty without a previous month."""
    if not current or not previous:
        return {}
    now, before = current["figures"], previous["figures"]
    return {
        figure: FigureChange(
            figure,
            kpi.LABELS[figure],
            before.get(figure),
            now.get(figure),
            change_words(before.get(figure), now.get(figure)),
        )
        for figure in kpi.FIGURE_IDS
    }


def stored_results(hub: Hub, months: list[dt.date]) -> dict[dt.date, tuple[str, dict[str, Any]]]:
    """Each month's return as stored: its latest submitted version, else its draft, with
    words for which ("Submitted (version 2)", "Draft"); months with neither are left out.
    One query for any number of months."""
    found = {}
    for monthly_return in MonthlyReturn.objects.filter(hub=hub, month__in=months).prefetch_related(
        Prefetch("versions", queryset=ReturnVersion.objects.order_by("version"))
    ):
        versions = list(monthly_return.versions.all())
        if versions:
            latest = versions[-1]
            found[monthly_return.month] = (
                f"Submitted (version {latest.version})",
                returns.version_result(latest),
            )
        elif (draft := returns.draft_result(monthly_return)) is not None:
            found[monthly_return.month] = ("Draft", draft)
    return found


@dataclass(frozen=True)
class ReturnDue:
    month: Month
    due_at: dt.datetime  # M1: the 7th at 23:59:59 in London
    days_left: int  # London days from today to the due day; negative once past
    status: str  # returns.STATUS_WORDS
    state: str  # "Submitted (version 1)", "Draft", "Not compiled yet"
    changes: list[FigureChange]  # the figures that changed since the month before

    @property
    def days_words(self) -> str:
        days = self.days_left
        if days == 0:
            return "today"
        if days == 1:
            return "tomorrow"
        if days > 1:
            return f"in {days} days"
        return f"{-days} day{'s' if days < -1 else ''} ago"


def month_due(today: dt.date, programme: Programme) -> Month:
    """The month whose return is due next: last month's until its due day has passed
    (the 7th, to 23:59:59), then this month's."""
    last = Month.of(today).previous()
    if today <= return_due_at(last.first_day, programme).date():
        return last
    return Month.of(today)


def return_due(hub: Hub, programme: Programme, now: dt.datetime) -> ReturnDue | None:
    """The return due next, read from what is stored (no figure is computed), or None
    when that month is outside the programme's delivery window."""
    today = local_date(now)
    month = month_due(today, programme)
    if not programme.holds(month):
        return None
    due_at = return_due_at(month.first_day, programme)
    stored = stored_results(hub, [month.first_day, month.previous().first_day])
    state, current = stored.get(month.first_day, ("Not compiled yet", None))
    _, previous = stored.get(month.previous().first_day, ("", None))
    changes = [c for c in figure_changes(current, previous).values() if c.change]
    return ReturnDue(
        month=month,
        due_at=due_at,
        days_left=(due_at.date() - today).days,
        status=returns.STATUS_WORDS[returns.return_status(hub, month.first_day, now=now)],
        state=state,
        changes=changes,
    )


# --- progress over the months --------------------------------------------------------------


@dataclass(frozen=True)
class ProgressMonth:
    month: Month
    started: int | None  # started_cumulative (None: no return stored for the month)
    completed: int | None  # participants_completed_cumulative
    source: str  # where the numbers come from, in words


def progress_months(
    hub: Hub, programme: Programme, today: dt.date, live: dict[str, Any] | None
) -> list[ProgressMonth]:
    """The delivery window's months up to this one: each past month's figures as its
    return stores them; this month's from `live` (the records as they now stand)."""
    this_month = Month.of(today)
    months = [m for m in programme.months() if m <= this_month]
    stored = stored_results(hub, [m.first_day for m in months])
    shown = []
    for month in months:
        if month == this_month and live is not None:
            source, result = "As the records now stand", live
        else:
            source, result = stored.get(month.first_day, ("No return stored", None))
        figures = result["figures"] if result else {}
        shown.append(
            ProgressMonth(
                month,
                figures.get(PROGRESS_FIGURES[0]),
                figures.get(PROGRESS_FIGURES[1]),
                source,
            )
        )
    return shown


# --- the month's calendar ------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    sessions: list[GroupSession]
    one_to_ones: list[OneToOneSession]


def hub_month(hub: Hub, month: Month) -> list[CalendarDay]:
    """The hub's group sessions and one-to-ones of a London calendar month, cancelled ones
    included (they say so), by London day; days with nothing are left out. Two queries."""
    sessions = (
        GroupSession.objects.filter(
            cohort__hub=hub, starts_at__gte=month.start, starts_at__lt=month.end
        )
        .select_related("cohort")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
            absent_count=Count("attendance", filter=Q(attendance__present=False)),
        )
        .order_by("starts_at", "pk")
    )
    one_to_ones = (
        OneToOneSession.objects.filter(
            participant__hub=hub, starts_at__gte=month.start, starts_at__lt=month.end
        )
        .select_related("participant", "provider")
        .order_by("starts_at", "pk")
    )
    days: dict[dt.date, CalendarDay] = {}
    for session in sessions:
        day = local_date(session.starts_at)
        days.setdefault(day, CalendarDay(day, [], [])).sessions.append(session)
    for one_to_one in one_to_ones:
        day = local_date(one_to_one.starts_at)
        days.setdefault(day, CalendarDay(day, [], [])).one_to_ones.append(one_to_one)
    return [days[day] for day in sorted(days)]
