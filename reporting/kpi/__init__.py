"""The monthly KPI return's figures (docs/returns.md is generated from them).

Every figure is an SQL aggregate over one hub's records for a period, computed for many
hubs at once in a fixed number of queries (grouped by hub), whatever the number of hubs or
records. The package in four parts:

- `figures`: the contract: figure ids in the return's order, labels, periods,
  definitions and breakdowns (what the pages, downloads and generated docs read);
- `query`: the small query language the figures are written in (periods, measures,
  sources and the joined count query);
- `sources`: one function per kind of record the figures read, with each figure's
  conditions (also listed row by row by `reporting.drilldown`);
- `results`: computing a return for hubs, combining hubs into a cluster or the nation,
  and a result's stored and JSON forms.

Callers use the names below (`from reporting import kpi`; `kpi.compute_hub(...)`).
"""

# The month a return is for, as the return's own tests ask it of this package.
from peernet.calendar import month_start
from reporting.kpi.figures import (
    BREAKDOWN_DEFINITIONS,
    BREAKDOWN_IDS,
    DECIMAL_IDS,
    DEFINITIONS,
    EQUALITY_BREAKDOWN_IDS,
    EXCEPTION_KINDS,
    FIGURE_IDS,
    LABELS,
    NOT_KNOWN,
    PART_IDS,
    PARTICIPANT_BREAKDOWNS,
    PERIOD_WORDS,
    PERIODS,
    RATE_IDS,
    SECTIONS,
    STARTED_BREAKDOWN_IDS,
    SUMMED_IDS,
)
from reporting.kpi.query import (
    Among,
    AnyOf,
    Measure,
    Period,
    Source,
    counted,
    periods,
)
from reporting.kpi.results import (
    Part,
    Result,
    cluster_scope,
    combine,
    compute_hub,
    compute_hubs,
    figures_json,
    from_stored,
    hub_scope,
    json_value,
    national_scope,
    return_json,
    stored,
)
from reporting.kpi.sources import all_sources

__all__ = [
    "BREAKDOWN_DEFINITIONS",
    "BREAKDOWN_IDS",
    "DECIMAL_IDS",
    "DEFINITIONS",
    "EQUALITY_BREAKDOWN_IDS",
    "EXCEPTION_KINDS",
    "FIGURE_IDS",
    "LABELS",
    "NOT_KNOWN",
    "PART_IDS",
    "PARTICIPANT_BREAKDOWNS",
    "PERIODS",
    "PERIOD_WORDS",
    "RATE_IDS",
    "SECTIONS",
    "STARTED_BREAKDOWN_IDS",
    "SUMMED_IDS",
    "Among",
    "AnyOf",
    "Measure",
    "Part",
    "Period",
    "Result",
    "Source",
    "all_sources",
    "cluster_scope",
    "combine",
    "compute_hub",
    "compute_hubs",
    "counted",
    "figures_json",
    "from_stored",
    "hub_scope",
    "json_value",
    "month_start",
    "national_scope",
    "periods",
    "return_json",
    "stored",
]
