"""Reads for the national area and its downloads: statuses, completeness and timeliness,
the return table (a row per hub, a subtotal per cluster, a national total) and trends.

National, cluster and hub figures come from SUBMITTED versions only (docs/returns.md Submission):
a hub with nothing submitted shows its status (missing, due...) and no figures, never a
figure computed afresh. Sums and recomputed rates are `reporting.kpi.combine`'s; the
status of a return is `reporting.returns`' (M1).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from peernet.calendar import local_date
from peernet.models import Cluster, Hub, Programme
from peernet.privacy.suppression import SUPPRESSED, suppress_breakdown
from reporting import kpi, returns
from reporting.models import ReturnVersion
from reporting.returns import DUE, LATE, MISSING, NOT_YET_DUE, ON_TIME, STATUS_WORDS
from rules.monthly_return import return_due_at

SUBMITTED = (ON_TIME, LATE)
STATUS_TAGS = {  # GOV.UK tag colours
    NOT_YET_DUE: "govuk-tag--grey",
    DUE: "govuk-tag--blue",
    ON_TIME: "govuk-tag--green",
    LATE: "govuk-tag--orange",
    MISSING: "govuk-tag--red",
}

# docs/security.md §7: no equality breakdown shows a count from 1 to 4, nor lets one be worked
# out from what else is shown (peernet.privacy.suppress_breakdown says how).
EQUALITY_BREAKDOWNS = kpi.EQUALITY_BREAKDOWN_IDS

# The headline figures of the summary page and the PDF, in this order.
HEADLINES = (
    "registrations_cumulative",
    "started_cumulative",
    "target",
    "started_vs_target_pct",
    "cohorts_completed_cumulative",
    "participants_completed_cumulative",
    "one_to_one_minimum_met_cumulative",
    "attendance_rate_cumulative",
)
# Counts worth following month by month (summed in SQL over the latest versions).
TREND_FIGURES = ("registrations_month", "started_month", "sessions_delivered_month")

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
ONE_PLACE = Decimal("0.1")


# --- months ------------------------------------------------------------------------------


def programme_months(programme: Programme) -> list[dt.date]:
    """The first day of every month of the delivery window."""
    return [month.first_day for month in programme.months()]


def default_month(months: Sequence[dt.date], now: dt.datetime) -> dt.date:
    """The latest month that has ended (London), within the window."""
    this_month = local_date(now).replace(day=1)
    ended = [m for m in months if m < this_month]
    return ended[-1] if ended else months[0]


def month_in(value: str | None, months: Sequence[dt.date]) -> dt.date | None:
    """The month `YYYY-MM` if it is one of `months`, else None."""
    match = MONTH_PATTERN.match(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and dt.date(year, month, 1) in months:
            return dt.date(year, month, 1)
    return None


def parse_month(value: str | None, months: Sequence[dt.date], now: dt.datetime) -> dt.date:
    """`YYYY-MM` of a month in the window; anything else gives the default month."""
    return month_in(value, months) or default_month(months, now)


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_PLACE, ROUND_HALF_UP)


# --- statuses, completeness and timeliness (docs/returns.md "Statuses") -------------------


class Rates:
    """Completeness (returns submitted ÷ expected) and timeliness (on time ÷ expected) of
    some returns, a month's or the year's."""

    expected: int
    submitted: int
    on_time: int

    @property
    def completeness(self) -> Decimal | None:
        return percent(self.submitted, self.expected)

    @property
    def timeliness(self) -> Decimal | None:
        return percent(self.on_time, self.expected)


@dataclass
class MonthSummary(Rates):
    month: dt.date
    expected: int
    counts: dict[str, int]
    closed: bool  # the due date has passed: counted in the year's figures

    @property
    def submitted(self) -> int:  # type: ignore[override]
        return self.counts[ON_TIME] + self.counts[LATE]

    @property
    def on_time(self) -> int:  # type: ignore[override]
        return self.counts[ON_TIME]


@dataclass
class YearRates(Rates):
    """The months whose due date has passed, added up (M1)."""

    expected: int = 0
    submitted: int = 0
    on_time: int = 0


@dataclass
class HubStatuses:
    hub: Hub
    statuses: list[str]

    @property
    def cells(self) -> list[tuple[str, str, str]]:
        return [(s, STATUS_WORDS[s], STATUS_TAGS[s]) for s in self.statuses]


@dataclass
class Timeliness:
    months: list[MonthSummary]
    hubs: list[HubStatuses]
    year: YearRates = field(default_factory=YearRates)


def timeliness(
    hubs: Sequence[Hub], months: Sequence[dt.date], programme: Programme, now: dt.datetime
) -> Timeliness:
    """Each hub's status per month; completeness = hubs submitted ÷ hubs expected and
    timeliness = hubs on time ÷ hubs expected, per month and over the year. Every hub is
    expected every month of the window; the year counts the months whose due date has
    passed (M1), so a month still open does not pull the year's figures down."""
    statuses = returns.return_statuses(hubs, months, now=now)
    rows = [HubStatuses(hub, [statuses[(hub.pk, m)] for m in months]) for hub in hubs]
    result = Timeliness(months=[], hubs=rows)
    for index, month in enumerate(months):
        counts = dict.fromkeys(STATUS_WORDS, 0)
        for row in rows:
            counts[row.statuses[index]] += 1
        summary = MonthSummary(
            month=month,
            expected=len(rows),
            counts=counts,
            closed=return_due_at(month, programme) < now,
        )
        result.months.append(summary)
        if summary.closed:
            result.year.expected += summary.expected
            result.year.submitted += summary.submitted
            result.year.on_time += summary.on_time
    return result


# --- the return table -------------------------------------------------------------------


@dataclass
class ReturnRow:
    level: str  # hub, cluster, national
    name: str
    cluster: Cluster | None
    hub: Hub | None = None
    status: str = ""
    version: ReturnVersion | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    breakdowns: dict[str, Any] = field(default_factory=dict)
    hubs: int = 0  # hubs in the row
    hubs_submitted: int = 0
    sources: frozenset[int] = frozenset()  # the submitted versions the row adds up
    shown: dict[str, Any] | None = None  # the breakdowns as shown; `return_table` sets it

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, "")

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS.get(self.status, "")

    def values(self) -> list[Any]:
        """The figures in FIGURE_IDS order (None where there is nothing)."""
        return [self.figures.get(figure) for figure in kpi.FIGURE_IDS]

    def shown_breakdowns(self) -> dict[str, Any]:
        """The breakdowns as they may be shown (docs/security.md §7). Every row is protected,
        not only a hub's: a cluster's or the nation's count is one hub's own whenever only
        that hub has submitted. `return_table` suppresses the whole programme's table at
        once, so the same counts are hidden on every page and in every download; a row
        made any other way is suppressed on its own."""
        return self.shown if self.shown is not None else suppressed(self.breakdowns)


def suppressed(breakdowns: dict[str, Any]) -> dict[str, Any]:
    """One area's breakdowns shown on their own, beside its total (a hub's own return
    pages): each equality breakdown through `peernet.privacy.suppress_breakdown` as a
    table of one row; the others (sector, size, ...) as they are."""
    return _suppressed({0: breakdowns}, {})[0]


def _suppressed(
    table: dict[int, dict[str, Any]], parts: dict[int, list[int]]
) -> dict[int, dict[str, Any]]:
    """Numbered rows of breakdowns, `parts` saying which rows add up to which: every
    equality breakdown suppressed across all the rows at once, the others as they are.
    Every row's total (participants started so far) is shown beside it."""
    shown = {key: dict(breakdowns) for key, breakdowns in table.items()}
    for name in EQUALITY_BREAKDOWNS:
        counts = {
            key: breakdowns[name]
            for key, breakdowns in table.items()
            if isinstance(breakdowns.get(name), dict)
        }
        for key, categories in suppress_breakdown(counts, parts, totals_shown=True).items():
            shown[key][name] = categories
    return shown


def _suppress(rows: Sequence[ReturnRow], whole: Sequence[ReturnRow]) -> None:
    """Set each row's shown breakdowns from `whole`, the table of every hub, its clusters
    and the nation, suppressed at once. An area's page or download shows a part of that
    table; were it suppressed on its own, a count hidden in the whole table (to protect
    another hub's) could be shown there, and the hidden one worked out from the two.

    A row is matched to the row of the whole table that adds up the same submitted
    versions (a cluster's download ends with a "national" row that is the cluster's sum;
    a hub's, with cluster and national rows that are the hub's own). A row that matches
    none (the versions changed between two reads) has every equality count suppressed."""
    table = {n: row.breakdowns for n, row in enumerate(whole) if row.breakdowns}
    hidden = _hidden_by_versions(whole, _suppressed(table, _parts(whole, table)))
    for row in rows:
        row.shown = _shown(row.breakdowns, hidden.get(row.sources))


def _parts(whole: Sequence[ReturnRow], table: dict[int, Any]) -> dict[int, list[int]]:
    """Which rows of the whole table add up to which: a cluster's hubs, the nation's
    clusters."""
    parts: dict[int, list[int]] = {}
    for n, row in enumerate(whole):
        if n not in table:
            continue
        if row.level == "cluster":
            parts[n] = [
                m
                for m, hub in enumerate(whole)
                if m in table and hub.level == "hub" and hub.cluster == row.cluster
            ]
        elif row.level == "national":
            parts[n] = [
                m for m, other in enumerate(whole) if m in table and other.level == "cluster"
            ]
    return parts


def _hidden_by_versions(
    whole: Sequence[ReturnRow], suppressed: dict[int, dict[str, Any]]
) -> dict[frozenset[int], set[tuple[str, str]]]:
    """(breakdown, category) suppressed, by the submitted versions a row adds up: rows of
    the same versions hold the same counts, so what any of them hides, all do."""
    hidden: dict[frozenset[int], set[tuple[str, str]]] = {}
    for n, breakdowns in suppressed.items():
        hidden.setdefault(whole[n].sources, set()).update(
            (name, category)
            for name in EQUALITY_BREAKDOWNS
            for category, count in (breakdowns.get(name) or {}).items()
            if count == SUPPRESSED
        )
    return hidden


def _shown(breakdowns: dict[str, Any], hidden: set[tuple[str, str]] | None) -> dict[str, Any]:
    """A row's breakdowns as shown: every equality count it hides suppressed (all of them
    when `hidden` is None, a row matching no row of the whole table)."""

    def count_shown(name: str, category: str, count: Any) -> Any:
        return SUPPRESSED if hidden is None or (name, category) in hidden else count

    return {
        name: (
            {category: count_shown(name, category, count) for category, count in categories.items()}
            if name in EQUALITY_BREAKDOWNS and isinstance(categories, dict)
            else categories
        )
        for name, categories in breakdowns.items()
    }


def _total(
    level: str,
    name: str,
    cluster: Cluster | None,
    results: list[dict[str, Any]],
    *,
    hubs: int,
    sources: set[int],
) -> ReturnRow:
    """A cluster's subtotal or the national total: the submitted versions (`results`, of
    the versions `sources`) added up, out of `hubs` hubs."""
    combined = kpi.combine(results) if results else {"figures": {}, "breakdowns": {}}
    return ReturnRow(
        level=level,
        name=name,
        cluster=cluster,
        figures=combined["figures"],
        breakdowns=combined["breakdowns"],
        hubs=hubs,
        hubs_submitted=len(results),
        sources=frozenset(sources),
    )


def return_table(hubs: Sequence[Hub], month: dt.date, now: dt.datetime) -> list[ReturnRow]:
    """A row per hub (its latest submitted version), a subtotal row after each cluster's
    hubs and a national total row last. Totals are the sums over submitted versions.

    The equality breakdowns are suppressed over every hub's return for the month, not
    only these hubs' (`_suppress` says why)."""
    hubs = _in_order(hubs)
    every_hub = _in_order(Hub.objects.select_related("cluster"))
    versions = returns.latest_versions(every_hub, month)
    statuses = returns.return_statuses(hubs, [month], now=now)
    rows = _rows(hubs, versions, statuses, month)
    whole = rows if len(hubs) == len(every_hub) else _rows(every_hub, versions, {}, month)
    _suppress(rows, whole)
    return rows


def _in_order(hubs: Iterable[Hub]) -> list[Hub]:
    return sorted(hubs, key=lambda h: (h.cluster.name, h.name, h.pk))


def _rows(
    hubs: Sequence[Hub],
    versions: dict[int, ReturnVersion],
    statuses: dict[tuple[int, dt.date], str],
    month: dt.date,
) -> list[ReturnRow]:
    rows: list[ReturnRow] = []
    everyone: list[dict[str, Any]] = []
    sources: set[int] = set()
    clusters: dict[int, list[Hub]] = {}
    for hub in hubs:
        clusters.setdefault(hub.cluster_id, []).append(hub)
    for cluster_hubs in clusters.values():
        cluster = cluster_hubs[0].cluster
        results = []
        cluster_sources: set[int] = set()
        for hub in cluster_hubs:
            version = versions.get(hub.pk)
            row = ReturnRow(
                level="hub",
                name=hub.name,
                cluster=cluster,
                hub=hub,
                status=statuses.get((hub.pk, month), ""),
                version=version,
                hubs=1,
            )
            if version is not None:
                result = returns.version_result(version)
                row.figures, row.breakdowns = result["figures"], result["breakdowns"]
                row.hubs_submitted = 1
                row.sources = frozenset([version.pk])
                cluster_sources.add(version.pk)
                results.append(result)
            rows.append(row)
        name = f"{cluster.name} (cluster)"
        rows.append(
            _total(
                "cluster", name, cluster, results, hubs=len(cluster_hubs), sources=cluster_sources
            )
        )
        everyone += results
        sources |= cluster_sources
    rows.append(
        _total("national", "National total", None, everyone, hubs=len(hubs), sources=sources)
    )
    return rows


@dataclass(frozen=True)
class TargetProgress:
    """Participants started, as the submitted returns count them, against a target: the
    nation's (Programme.national_target, 6,000) or the sum of an area's hubs' targets;
    the hubs whose return for the month is not in yet are named, as their count is not."""

    started: int
    target: int
    not_submitted: list[str]

    @property
    def percent(self) -> Decimal | None:
        return percent(self.started, self.target)


def target_progress(rows: Sequence[ReturnRow], target: int) -> TargetProgress:
    """The progress of the area whose return table is `rows` (its last row the total)."""
    total = rows[-1]
    return TargetProgress(
        started=int(total.figures.get("started_cumulative") or 0),
        target=target,
        not_submitted=[r.name for r in rows if r.level == "hub" and r.version is None],
    )


def national_trend(
    hubs: Iterable[Hub], months: Sequence[dt.date], figures: Sequence[str] = TREND_FIGURES
) -> dict[str, list[tuple[dt.date, Decimal | None]]]:
    """Each figure summed over the hubs' latest submitted versions, month by month, in
    one query (None for a month nobody has submitted)."""
    latest = (
        ReturnVersion.objects.filter(monthly_return=OuterRef("monthly_return"))
        .order_by("-version")
        .values("version")[:1]
    )
    sums = (
        ReturnVersion.objects.filter(
            monthly_return__hub__in=list(hubs),
            monthly_return__month__in=list(months),
            version=Subquery(latest),
        )
        .values("monthly_return__month")
        .order_by("monthly_return__month")
        .annotate(
            **{
                figure: Sum(
                    Cast(KT(f"figures__{figure}"), DecimalField(max_digits=14, decimal_places=2))
                )
                for figure in figures
            }
        )
    )
    by_month = {row["monthly_return__month"]: row for row in sums}
    return {
        figure: [
            (month, _plain(by_month[month][figure]) if month in by_month else None)
            for month in months
        ]
        for figure in figures
    }


def _plain(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# --- progress to the target and the hubs ranked (issue 18) -------------------------------

# The figures of the progress chart: participants started and completed so far.
PROGRESS_FIGURES = ("started_cumulative", "participants_completed_cumulative")


@dataclass(frozen=True)
class ProgressMonth:
    month: dt.date
    started: Decimal | None  # None: no hub had submitted the month's return
    completed: Decimal | None
    target: int


def area_target(kind: str, hubs: Iterable[Hub], programme: Programme) -> int:
    """The nation's target (Programme.national_target), or the sum of an area's hubs'."""
    if kind == "national":
        return programme.national_target
    return sum(hub.target or 0 for hub in hubs)


def progress_over_months(
    hubs: Iterable[Hub], months: Sequence[dt.date], target: int
) -> list[ProgressMonth]:
    """Participants started and completed so far, month by month, summed over the hubs'
    latest submitted versions (as `national_trend`, one query), beside the target."""
    trend = national_trend(hubs, months, PROGRESS_FIGURES)
    started, completed = (dict(trend[figure]) for figure in PROGRESS_FIGURES)
    return [ProgressMonth(month, started[month], completed[month], target) for month in months]


@dataclass(frozen=True)
class RankedHub:
    rank: int | None  # None: no return submitted for the month, so not ranked
    row: ReturnRow
    started: int | None
    target: int

    @property
    def percent(self) -> Decimal | None:
        return None if self.started is None else percent(self.started, self.target)


def hubs_ranked(rows: Sequence[ReturnRow]) -> list[RankedHub]:
    """The hub rows of a return table, ranked by participants started so far against the
    hub's target (highest first; a hub without a target after those with one, then by
    name), and the hubs with no submitted return for the month last, unranked. Hubs level
    on started-vs-target share a rank."""
    ranked, unranked = [], []
    for row in rows:
        if row.level != "hub" or row.hub is None:
            continue
        target = row.hub.target or 0
        if row.version is None:
            unranked.append(RankedHub(None, row, None, target))
        else:
            started = int(row.figures.get("started_cumulative") or 0)
            ranked.append(RankedHub(0, row, started, target))

    def order(entry: RankedHub) -> tuple[bool, Decimal, str]:
        value = entry.percent
        return (value is None, -(value or Decimal(0)), entry.row.name)

    ranked.sort(key=order)
    result: list[RankedHub] = []
    for index, entry in enumerate(ranked):
        shares = result and result[-1].percent == entry.percent
        rank = result[-1].rank if shares else index + 1
        result.append(RankedHub(rank, entry.row, entry.started, entry.target))
    return result + sorted(unranked, key=lambda e: e.row.name)
