"""The national pages' charts, built once for the pages, their CSV downloads and the PDF
report: progress to the target (a line chart), the monthly trends and completeness
(column charts), and each chart's figures (or the timeliness grid's, or the ranking's) as
the rows of a table, a header row first. Aggregates only: no row names a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from peernet import access
from peernet.models import Programme
from reporting import national
from reporting.charts import ColumnChart, LineChart, line_chart


class Period(Protocol):
    """What a page or a download shows, besides its area: the programme's months, the
    month chosen and the moment it is read at."""

    programme: Programme
    months: list[dt.date]
    month: dt.date
    now: dt.datetime


TREND_TITLES = {
    "registrations_month": "Registrations",
    "started_month": "Participants started",
    "sessions_delivered_month": "Group sessions delivered",
}


def completeness_chart(area_timeliness: national.Timeliness) -> ColumnChart:
    return ColumnChart(
        ident="completeness",
        title="Returns submitted over the programme year",
        description="Completeness: the percentage of hubs that submitted each month's "
        "return (months not yet due have no column).",
        items=[
            (f"{m.month:%b %y}", m.completeness if (m.closed or m.submitted) else None)
            for m in area_timeliness.months
        ],
        unit="%",
        maximum=100,
    )


def progress_chart(area: access.Area, programme: Programme, months: list[dt.date]) -> LineChart:
    """Participants started and completed so far, month by month, and the target."""
    target = national.area_target(area.kind, area.hubs, programme)
    progress = national.progress_over_months(area.hubs, months, target)
    return line_chart(
        ident="progress",
        title=f"Progress to the target over the programme year, {area.name}",
        description="Participants started so far and participants completed so far at the "
        f"end of each month, from the hubs' submitted returns, against the target of "
        f"{target}; the table with it has the same figures.",
        labels=[f"{m.month:%b %y}" for m in progress],
        series=[
            ("Started so far", [m.started for m in progress]),
            ("Completed so far", [m.completed for m in progress]),
            ("Target", [m.target for m in progress]),
        ],
    )


def trend_charts(
    area: access.Area, months: list[dt.date], figures: tuple[str, ...] = tuple(TREND_TITLES)
) -> dict[str, ColumnChart]:
    """A column chart per trend figure, from the area's submitted returns (one query)."""
    trend = national.national_trend(area.hubs, months, figures)
    return {
        figure: ColumnChart(
            ident=f"trend-{figure}",
            title=f"{TREND_TITLES[figure]} over the programme year",
            description=f"{TREND_TITLES[figure]} in each month of the programme, "
            f"{area.name}, from the hubs' submitted returns; the table with it "
            "has the same figures.",
            items=[(f"{m:%b %y}", value) for m, value in values],
        )
        for figure, values in trend.items()
    }


@dataclass(frozen=True)
class ReportChart:
    """A chart of the PDF report with its figures laid out beneath it, the months across
    (a row per line of the chart), so the table fits the page's width."""

    name: str  # what a row of figures is, for a column chart's one row
    chart: ColumnChart | LineChart

    @property
    def labels(self) -> list[str]:
        if isinstance(self.chart, LineChart):
            return self.chart.labels
        return [column.label for column in self.chart.columns]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        if isinstance(self.chart, LineChart):
            return [(line.name, line.texts) for line in self.chart.lines]
        return [(self.name, [column.text for column in self.chart.columns])]


def report_charts(
    area: access.Area, period: Period, area_timeliness: national.Timeliness
) -> list[ReportChart]:
    """The PDF report's charts: progress to the target, participants started each month
    and completeness."""
    started = trend_charts(area, period.months, ("started_month",))["started_month"]
    return [
        ReportChart("", progress_chart(area, period.programme, period.months)),
        ReportChart("Participants started", started),
        ReportChart("Completeness (%)", completeness_chart(area_timeliness)),
    ]


# --- the figures as tables (CSV) ----------------------------------------------------------


def _month_cell(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _progress_table(area: access.Area, period: Period) -> list[list[Any]]:
    chart = progress_chart(area, period.programme, period.months)
    return [
        ["Month", *(line.name for line in chart.lines)],
        *(
            [_month_cell(month), *(line.values[index] for line in chart.lines)]
            for index, month in enumerate(period.months)
        ),
    ]


def _completeness_table(area: access.Area, period: Period) -> list[list[Any]]:
    area_timeliness = national.timeliness(area.hubs, period.months, period.programme, period.now)
    return [
        [
            "Month",
            "Expected",
            *national.STATUS_WORDS.values(),
            "Completeness (%)",
            "Timeliness (%)",
        ],
        *(
            [
                _month_cell(m.month),
                m.expected,
                *m.counts.values(),
                m.completeness if (m.closed or m.submitted) else None,
                m.timeliness if (m.closed or m.submitted) else None,
            ]
            for m in area_timeliness.months
        ),
    ]


def _timeliness_table(area: access.Area, period: Period) -> list[list[Any]]:
    area_timeliness = national.timeliness(area.hubs, period.months, period.programme, period.now)
    return [
        ["Hub", "Cluster", *(_month_cell(m) for m in period.months)],
        *(
            [row.hub.name, row.hub.cluster.name, *(words for _, words, _ in row.cells)]
            for row in area_timeliness.hubs
        ),
    ]


def _ranking_table(area: access.Area, period: Period) -> list[list[Any]]:
    rows = national.return_table(area.hubs, period.month, period.now)
    return [
        ["Rank", "Hub", "Cluster", "Started so far", "Target", "Started vs target (%)"],
        *(
            [
                entry.rank,
                entry.row.name,
                entry.row.cluster.name if entry.row.cluster else "",
                entry.started,
                entry.target,
                entry.percent,
            ]
            for entry in national.hubs_ranked(rows)
        ),
    ]


Table = Callable[[access.Area, Period], list[list[Any]]]


def _trend_table(figure: str) -> Table:
    def table(area: access.Area, period: Period) -> list[list[Any]]:
        trend = national.national_trend(area.hubs, period.months, (figure,))
        return [
            ["Month", TREND_TITLES[figure]],
            *([_month_cell(month), value] for month, value in trend[figure]),
        ]

    return table


CHART_TABLES: dict[str, Table] = {
    "progress": _progress_table,
    "completeness": _completeness_table,
    "timeliness": _timeliness_table,
    "ranking": _ranking_table,
    **{figure: _trend_table(figure) for figure in TREND_TITLES},
}
