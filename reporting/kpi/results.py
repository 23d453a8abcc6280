"""The computed return: a hub's figures and breakdowns for a month, cluster and national
figures combined from the hubs', and the stored and printed forms of a result.

A result is `{"figures": {id: value}, "breakdowns": {id: {category: count}}, "_parts":
{id: {"numerator", "denominator"}}}` (`Result`): counts are `int`, hours and percentages
`Decimal`, an empty rate or mean `None`. `_parts` keeps what each rate or mean was divided
from, so `combine()` recomputes cluster and national rates from summed parts (never an
average of hubs' rates). Breakdowns hold raw counts: suppressing small counts for a single
hub is a matter for the pages that show them (`reporting.national`).

Stored and printed forms (`figures_json`, `stored`, `from_stored`, `return_json`) write
every `Decimal` as a string ("12.50"), so a frozen return is exact and its SHA-256 stable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from peernet.calendar import month_start
from peernet.hours import ZERO
from peernet.models import Programme
from reporting.kpi.figures import (
    BREAKDOWN_IDS,
    DECIMAL_IDS,
    FIGURE_IDS,
    NOT_KNOWN,
    PART_IDS,
    RATE_IDS,
    SUMMED_IDS,
)
from reporting.kpi.query import periods
from reporting.kpi.sources import (
    all_sources,
    exceptions_by_kind,
    participant_queries,
    sessions_by_topic,
    started_breakdowns,
)

HOURS_PLACES = Decimal("0.01")
PCT_PLACES = Decimal("0.1")
MEAN_PLACES = Decimal("0.01")


class Part(TypedDict):
    """What a rate or mean was divided from."""

    numerator: int
    denominator: int


class Result(TypedDict):
    """One hub's (or a cluster's, or the nation's) return for a month."""

    figures: dict[str, Any]
    breakdowns: dict[str, dict[str, int]]
    _parts: dict[str, Part]


def _hours(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(HOURS_PLACES)


def _ratio(numerator: Any, denominator: Any, places: Decimal, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


# --- computing ----------------------------------------------------------------------------


def compute_hubs(hubs: Iterable[Any], month: dt.date | str) -> dict[int, Result]:
    """Every figure and breakdown of the return for each hub, for `month`: {hub.pk: result}.

    A fixed number of queries (one per kind of record, grouped by hub; two for the
    participants, which also give the breakdowns), whatever the number of hubs or
    records."""
    hubs = list(hubs)
    month = month_start(month)
    raw: dict[int, dict[str, Any]] = {hub.pk: {} for hub in hubs}
    if not hubs:
        return {}
    programme = Programme.for_month(month)
    m, c = periods(month, programme)
    hub_ids = list(raw)
    for source in all_sources(hub_ids, programme, m, c):
        for query in participant_queries(source) if source.kind == "participants" else [source]:
            for hub_id, values in query.counts().items():
                raw[hub_id].update(values)
    topics = sessions_by_topic(hub_ids, m)
    exceptions = exceptions_by_kind(hub_ids, m)
    return {
        hub.pk: _result(
            raw[hub.pk],
            hub.target,
            {**started_breakdowns(raw[hub.pk]), "eligibility_exceptions": exceptions[hub.pk]},
            topics[hub.pk],
        )
        for hub in hubs
    }


def compute_hub(hub: Any, month: dt.date | str) -> Result:
    """One hub's figures and breakdowns for `month` (see `compute_hubs`)."""
    return compute_hubs([hub], month)[hub.pk]


def _result(
    raw: Mapping[str, Any],
    target: int,
    breakdowns: dict[str, dict[str, int]],
    topics: dict[str, int],
) -> Result:
    figures: dict[str, Any] = {}
    for figure in FIGURE_IDS:
        if figure in RATE_IDS:
            continue
        value = raw.get(figure)
        if figure in DECIMAL_IDS:
            figures[figure] = _hours(value)
        else:
            figures[figure] = int(value or 0)
    figures["late_joining_instructions_month"] = int(raw.get("late_group") or 0) + int(
        raw.get("late_one_to_one") or 0
    )
    figures["target"] = int(target)
    parts = {
        "attendance_rate_month": _part(raw.get("present_month"), raw.get("recorded_month")),
        "attendance_rate_cumulative": _part(
            raw.get("present_cumulative"), raw.get("recorded_cumulative")
        ),
        "session_satisfaction_mean_month": _part(
            raw.get("satisfaction_sum_month"), raw.get("satisfaction_count_month")
        ),
        "session_satisfaction_mean_cumulative": _part(
            raw.get("satisfaction_sum_cumulative"), raw.get("satisfaction_count_cumulative")
        ),
    }
    return _finish(figures, {**breakdowns, "topics_month": topics}, parts)


def _part(numerator: Any, denominator: Any) -> Part:
    return {"numerator": int(numerator or 0), "denominator": int(denominator or 0)}


def _finish(
    figures: dict[str, Any], breakdowns: dict[str, dict[str, int]], parts: dict[str, Part]
) -> Result:
    """Derive the rates and means from their parts, and put the figures in the return's order."""
    figures = dict(figures)
    for figure in ("attendance_rate_month", "attendance_rate_cumulative"):
        figures[figure] = _ratio(
            parts[figure]["numerator"], parts[figure]["denominator"], PCT_PLACES, 100
        )
    for figure in ("session_satisfaction_mean_month", "session_satisfaction_mean_cumulative"):
        figures[figure] = _ratio(
            parts[figure]["numerator"], parts[figure]["denominator"], MEAN_PLACES
        )
    figures["started_vs_target_pct"] = _ratio(
        figures["started_cumulative"], figures["target"], PCT_PLACES, 100
    )
    return {
        "figures": {figure: figures[figure] for figure in FIGURE_IDS},
        "breakdowns": {b: dict(breakdowns.get(b, {})) for b in BREAKDOWN_IDS},
        "_parts": parts,
    }


def _decimal(value: Any) -> Decimal:
    return Decimal(value) if value not in (None, "") else ZERO


def combine(results: list[Mapping[str, Any]]) -> Result:
    """Cluster or national figures: the sums of the hubs' figures, with every rate and mean
    recomputed from the summed numerators and denominators (never averaged), breakdown counts
    summed category by category (categories in the order of the first result).

    Takes results as `compute_hub` gives them, or stored ones (Decimals as strings); the
    parts are read from "_parts" (or "parts", as a ReturnVersion stores them). A result
    without its parts cannot be recombined honestly, so then the rates are empty."""
    figures: dict[str, Any] = {}
    for figure in SUMMED_IDS:
        values = [r["figures"].get(figure) for r in results]
        if figure in DECIMAL_IDS:
            figures[figure] = _hours(sum((_decimal(v) for v in values), ZERO))
        else:
            figures[figure] = sum(int(v or 0) for v in values)
    all_parts = [r.get("_parts") or r.get("parts") for r in results]
    parts = {
        figure: (
            _part(
                sum(int(p[figure]["numerator"]) for p in all_parts),
                sum(int(p[figure]["denominator"]) for p in all_parts),
            )
            if all(p and figure in p for p in all_parts)
            else _part(0, 0)
        )
        for figure in PART_IDS
    }
    breakdowns: dict[str, dict[str, int]] = {}
    for breakdown in BREAKDOWN_IDS:
        summed: dict[str, int] = {}
        for result in results:
            for category, count in result["breakdowns"].get(breakdown, {}).items():
                summed[category] = summed.get(category, 0) + int(count)
        if NOT_KNOWN in summed:  # "not known" last, whatever the order met
            summed[NOT_KNOWN] = summed.pop(NOT_KNOWN)
        breakdowns[breakdown] = summed
    return _finish(figures, breakdowns, parts)


# --- JSON forms ---------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A figure as JSON holds it: a Decimal as its exact string, everything else as is."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def figures_json(figures: Mapping[str, Any]) -> dict[str, Any]:
    return {figure: json_value(figures.get(figure)) for figure in FIGURE_IDS}


def stored(result: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(figures, breakdowns, parts) ready for JSONFields."""
    return (
        figures_json(result["figures"]),
        {b: dict(result["breakdowns"].get(b, {})) for b in BREAKDOWN_IDS},
        {k: dict(v) for k, v in result["_parts"].items()},
    )


def from_stored(
    figures: Mapping[str, Any], breakdowns: Mapping[str, Any], parts: Mapping[str, Any]
) -> Result:
    """A result (as `compute_hub` gives) from its stored form, Decimals restored, so a
    frozen version combines and displays exactly like a fresh computation."""
    restored: dict[str, Any] = {}
    for figure in FIGURE_IDS:
        value = figures.get(figure)
        restored[figure] = Decimal(value) if figure in DECIMAL_IDS and value is not None else value
    return {
        "figures": restored,
        "breakdowns": {b: dict(breakdowns.get(b, {})) for b in BREAKDOWN_IDS},
        "_parts": {k: dict(v) for k, v in parts.items()},
    }


def hub_scope(hub: Any) -> dict[str, Any]:
    return {"level": "hub", "key": hub.key, "name": hub.name, "cluster": hub.cluster.key}


def cluster_scope(cluster: Any, hubs: Iterable[Any]) -> dict[str, Any]:
    return {
        "level": "cluster",
        "key": cluster.key,
        "name": cluster.name,
        "hubs": [hub.key for hub in hubs],
    }


def national_scope(hubs: Iterable[Any]) -> dict[str, Any]:
    return {"level": "national", "hubs": [hub.key for hub in hubs]}


def return_json(scope: dict[str, Any], month: dt.date | str, result: Mapping[str, Any]) -> dict:
    """The return as JSON (docs/returns.md "Outputs"): {"scope", "month": "YYYY-MM",
    "figures": {id: value}, "breakdowns"}."""
    return {
        "scope": scope,
        "month": f"{month_start(month):%Y-%m}",
        "figures": figures_json(result["figures"]),
        "breakdowns": {b: dict(result["breakdowns"].get(b, {})) for b in BREAKDOWN_IDS},
    }
