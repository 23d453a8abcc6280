"""The records behind a figure of the return (issue 8, drill-down), for the hub's own
administrators only: aggregate-only roles never reach these lists (the hub area is a 404
for them).

The conditions are `reporting.kpi.sources`' own, so a list always holds exactly what its
figure counts, computed from the records as they now stand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from peernet.calendar import LONDON
from peernet.models import Hub, Programme
from peernet.words import date_words, hours_words
from reporting import kpi

# figure -> [(source kind, measure)]; by default a figure is its source's measure of the
# same name. Rates list the records they divide; the target has no records.
SPECIAL: dict[str, list[tuple[str, str]]] = {
    "late_joining_instructions_month": [
        ("sessions", "late_group"),
        ("one_to_ones", "late_one_to_one"),
    ],
    "attendance_rate_month": [("attendance", "recorded_month")],
    "attendance_rate_cumulative": [("attendance", "recorded_cumulative")],
    "session_satisfaction_mean_month": [("surveys", "satisfaction_count_month")],
    "session_satisfaction_mean_cumulative": [("surveys", "satisfaction_count_cumulative")],
    "started_vs_target_pct": [("participants", "started_cumulative")],
    "target": [],
}

RELATED = {
    "participants": ["business"],
    "cohorts": [],
    "memberships": ["participant", "cohort"],
    "sessions": ["cohort"],
    "attendance": ["participant", "session__cohort"],
    "one_to_ones": ["participant"],
    "surveys": ["participant", "session__cohort"],
    "observations": ["session__cohort"],
    "complaints": [],
}
HEADINGS = {
    "participants": ["Participant", "Business", "Registered"],
    "cohorts": ["Cohort"],
    "memberships": ["Participant", "Cohort", "Joined", "Left"],
    "sessions": ["Cohort", "Session", "Hours", "Joining instructions first sent"],
    "attendance": ["Participant", "Session", "Present", "Hours"],
    "one_to_ones": ["Participant", "Session", "Hours", "Route", "Joining instructions sent"],
    "surveys": ["Participant", "Survey", "Completed", "Overall satisfaction"],
    "observations": ["Session", "Completed"],
    "complaints": ["Received", "From", "Summary"],
}


@dataclass
class Cell:
    text: str
    url: str = ""


@dataclass
class Section:
    kind: str
    headings: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def drillable(figure: str) -> bool:
    return figure in kpi.FIGURE_IDS and SPECIAL.get(figure, [None]) != []


def _measures(figure: str) -> list[tuple[str, str]]:
    return SPECIAL.get(figure) or []


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "Never"
    local = moment.astimezone(LONDON)
    return f"{date_words(local.date())} at {local:%H:%M}"


def _participant(hub: Hub, participant: Any) -> Cell:
    return Cell(
        participant.full_name,
        reverse("hub:participant", kwargs={"hub": hub.key, "code": participant.code}),
    )


def _cohort(hub: Hub, cohort: Any) -> Cell:
    return Cell(cohort.name, reverse("hub:cohort", kwargs={"hub": hub.key, "code": cohort.code}))


def _session(session: Any) -> Cell:
    return Cell(f"{session.cohort.name}, {_when(session.starts_at)}")


def _row(kind: str, hub: Hub, record: Any) -> list[Cell]:
    if kind == "participants":
        return [
            _participant(hub, record),
            Cell(record.business.name),
            Cell(date_words(record.registered)),
        ]
    if kind == "cohorts":
        return [_cohort(hub, record)]
    if kind == "memberships":
        return [
            _participant(hub, record.participant),
            _cohort(hub, record.cohort),
            Cell(date_words(record.joined)),
            Cell(date_words(record.left) if record.left else ""),
        ]
    if kind == "sessions":
        return [
            _cohort(hub, record.cohort),
            Cell(_when(record.starts_at)),
            Cell(hours_words(record.hours)),
            Cell(_when(record.joining_instructions_sent_at)),
        ]
    if kind == "attendance":
        return [
            _participant(hub, record.participant),
            _session(record.session),
            Cell("Present" if record.present else "Absent"),
            Cell(hours_words(record.hours)),
        ]
    if kind == "one_to_ones":
        return [
            _participant(hub, record.participant),
            Cell(_when(record.starts_at)),
            Cell(hours_words(record.hours)),
            Cell(record.get_route_display()),
            Cell(_when(record.joining_instructions_sent_at)),
        ]
    if kind == "surveys":
        score = record.answers.get("overall_satisfaction", "")
        return [
            _participant(hub, record.participant),
            Cell(record.get_kind_display()),
            Cell(date_words(record.completed)),
            Cell(str(score) if score not in (None, "") else ""),
        ]
    if kind == "observations":
        return [_session(record.session), Cell(date_words(record.completed))]
    return [  # complaints
        Cell(date_words(record.received)),
        Cell(record.received_from),
        Cell(
            record.summary[:120],
            reverse("hub:complaint", kwargs={"hub": hub.key, "key": record.key}),
        ),
    ]


def _sources(hub: Hub, month: dt.date) -> dict[str, Any]:
    programme = Programme.for_month(month)
    m, c = kpi.periods(month, programme)
    return {source.kind: source for source in kpi.all_sources([hub.pk], programme, m, c)}


def _counted(sources: dict[str, Any], kind: str | None, measure: str) -> tuple[str, QuerySet]:
    if kind is None:
        kind = next(k for k, source in sources.items() if measure in source.measures)
    source = sources[kind]
    return kind, source.queryset.filter(source.measures[measure].condition)


def figure_queryset(hub: Hub, month: dt.date, figure: str) -> QuerySet:
    """The records a figure of one kind of record counts (a participant, a cohort ...)
    for the hub's return for `month`, as a query others may narrow by."""
    return _counted(_sources(hub, month), None, figure)[1]


def figure_records(hub: Hub, month: dt.date, figure: str) -> list[Section]:
    """The records behind one figure of the hub's return for `month`, one section per
    kind of record (a fixed number of queries)."""
    measures = _measures(figure) or [(None, figure)]
    sources = _sources(hub, month)
    sections = []
    for kind, measure in measures:
        kind, queryset = _counted(sources, kind, measure)
        if RELATED[kind]:
            queryset = queryset.select_related(*RELATED[kind])
        section = Section(kind, HEADINGS[kind])
        section.rows = [_row(kind, hub, record) for record in queryset.order_by("pk")]
        sections.append(section)
    return sections
