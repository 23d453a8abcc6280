"""The monthly KPI return's figures (docs/returns.md, generated from here: its ids are the
contract with every output and must not drift).

Every figure is an SQL aggregate over one hub's records for a period, computed for many
hubs at once in a fixed number of queries (grouped by hub), whatever the number of hubs
or records. Periods are Europe/London local dates: `_month` counts what is dated inside
the calendar month, `_cumulative` from the programme's delivery start to the month's end;
"as at month end" figures (no suffix) read the records as they stand.

A result is `{"figures": {id: value}, "breakdowns": {id: {category: count}}, "_parts":
{id: {"numerator", "denominator"}}}`: counts are `int`, hours and percentages `Decimal`,
an empty rate or mean `None`. `_parts` keeps what each rate or mean was divided from, so
`combine()` recomputes cluster and national rates from summed parts (never an
average of hubs' rates). Breakdowns hold raw counts: suppressing 1 to 4 for a single hub
is a display matter (SECURITY.md 7).

Stored and printed forms (`to_json`, `stored`, `from_stored`) write every `Decimal` as a
string ("12.50"), so a frozen return is exact and its SHA-256 stable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate

from cohorts.models import Cohort, CohortMembership
from participants.models import (
    AgeBand,
    Disability,
    EligibilityException,
    EligibilityStatus,
    EthnicGroup,
    Gender,
    Participant,
    Sector,
    SurveyKind,
    SurveyResponse,
)
from peernet.calendar import LONDON, london_midnight, month_end, month_start
from peernet.hours import hours_exact, hours_total, running_hours_total
from peernet.models import Programme
from sessions.models import (
    Attendance,
    Complaint,
    ComplaintKind,
    GroupSession,
    Observation,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
    Topic,
)

DELIVERED = SessionStatus.DELIVERED
ZERO = Decimal(0)
HOURS_PLACES = Decimal("0.01")
PCT_PLACES = Decimal("0.1")
MEAN_PLACES = Decimal("0.01")
NOT_KNOWN = "not known"

# --- the figure ids, in the return's order ---------------------------------------------------

# (base id, suffixes: M = _month, C = _cumulative, E = as at month end, definition)
_FIGURES: list[tuple[str, str, str]] = [
    (
        "registrations",
        "MC",
        "participants whose registration (the first enquiry recorded) is dated in the period",
    ),
    (
        "eligible",
        "MC",
        'participants whose eligibility decision, dated in the period, is "eligible"',
    ),
    (
        "ineligible",
        "MC",
        'participants whose eligibility decision, dated in the period, is "ineligible"',
    ),
    (
        "allocated",
        "MC",
        "participants whose first cohort membership starts in the period (a move between "
        "cohorts does not count again)",
    ),
    (
        "started",
        "MC",
        "participants whose first attended (marked present) delivered group session is in "
        "the period",
    ),
    ("cohorts_started", "MC", "cohorts whose first delivered session is in the period"),
    (
        "cohorts_completed",
        "MC",
        "cohorts whose delivered hours first reach the required total (18) with a session in "
        "the period",
    ),
    (
        "participants_completed",
        "MC",
        "participants, not dropped out on that date, who were members of a cohort on the "
        "day it completed in the period (their cohort at completion; counted once)",
    ),
    ("sessions_delivered", "MC", "delivered group sessions dated in the period"),
    ("group_hours_delivered", "MC", "sum of the hours of those delivered group sessions"),
    (
        "participant_hours_attended",
        "MC",
        "sum of the hours attended over attendance marked present at those sessions (a late "
        "arrival may record fewer hours than the session)",
    ),
    (
        "attendance_rate",
        "MC",
        "percentage, one decimal (half up): attendance marked present divided by attendance "
        "recorded (present plus absent) at those sessions; empty when nothing was recorded",
    ),
    ("one_to_one_sessions", "MC", "delivered one-to-one sessions dated in the period"),
    (
        "one_to_one_hours_programme",
        "MC",
        "hours of those one-to-one sessions delivered by the programme",
    ),
    (
        "one_to_one_hours_existing",
        "MC",
        "hours of those one-to-one sessions delivered through existing local programmes",
    ),
    (
        "one_to_one_participants",
        "C",
        "participants with at least one delivered one-to-one session",
    ),
    (
        "one_to_one_minimum_met",
        "MC",
        "participants whose total delivered one-to-one hours (both routes) first reach the "
        "minimum (3.5) with a session in the period",
    ),
    (
        "one_to_one_minimum_met_programme",
        "C",
        "of one_to_one_minimum_met_cumulative: participants all of whose delivered hours up "
        "to month end came through the programme",
    ),
    (
        "one_to_one_minimum_met_existing",
        "C",
        "of one_to_one_minimum_met_cumulative: participants all of whose delivered hours up "
        "to month end came through existing local programmes",
    ),
    (
        "one_to_one_minimum_met_mixed",
        "C",
        "of one_to_one_minimum_met_cumulative: participants whose hours came through both "
        "(the three add up to one_to_one_minimum_met_cumulative)",
    ),
    (
        "one_to_one_declined",
        "C",
        "participants who declined one-to-one support on or before the month's end (the "
        "date recorded with the refusal; a refusal imported without a date counts from the "
        "participant's registration)",
    ),
    ("baseline_surveys", "MC", "baseline surveys completed in the period"),
    (
        "session_feedback_responses",
        "MC",
        "post-session feedback surveys completed in the period",
    ),
    (
        "session_satisfaction_mean",
        "MC",
        "mean of the overall_satisfaction answer (1 to 5) over those responses that answered "
        "it, two decimals (half up); empty when none",
    ),
    ("exit_surveys", "MC", "exit surveys completed in the period"),
    ("dropout_surveys", "MC", "drop-out surveys completed in the period"),
    ("dropped_out", "MC", "participants whose drop-out is dated in the period"),
    (
        "sessions_observed",
        "MC",
        "completed observations of group sessions dated in the period",
    ),
    (
        "complaints",
        "MC",
        "complaints (not compliments) recorded in the period, by the date received",
    ),
    (
        "late_joining_instructions",
        "M",
        "delivered sessions (group and one-to-one) in the period whose joining instructions "
        "were first sent less than 48 real hours before the start, or never",
    ),
    (
        "sessions_missing_attendance",
        "E",
        "delivered group sessions from delivery start up to month end with no attendance recorded",
    ),
    (
        "cohorts_at_risk",
        "E",
        "cohorts of the programme year with a member or a session by month end, not completed "
        "by month end, whose delivered plus scheduled hours before the delivery window "
        "closes fall short of 18",
    ),
    (
        "participants_at_risk_one_to_one",
        "E",
        "participants allocated by month end and not dropped out nor declined by then, whose "
        "delivered plus scheduled one-to-one hours before the window closes fall short of 3.5",
    ),
    ("target", "E", "the hub's participant target for the programme year"),
    (
        "started_vs_target_pct",
        "E",
        "started_cumulative divided by target as a percentage, one decimal (half up); empty "
        "when the target is 0",
    ),
]

_SUFFIX = {"M": "_month", "C": "_cumulative", "E": ""}
PERIOD_WORDS = {
    "M": "In the calendar month (Europe/London dates)",
    "C": "From the programme's delivery start to the end of the month (Europe/London dates)",
    "E": "As at the end of the month",
}

# Each figure's human label, beside its id: the one source for the pages, the XLSX
# Definitions sheet and the generated docs (docs/returns.md). A period's figure adds it.
_LABELS: dict[str, str] = {
    "registrations": "Registrations",
    "eligible": "Decided eligible",
    "ineligible": "Decided not eligible",
    "allocated": "Allocated to a cohort",
    "started": "Participants started",
    "cohorts_started": "Cohorts started",
    "cohorts_completed": "Cohorts completed (18 hours)",
    "participants_completed": "Participants completed",
    "sessions_delivered": "Group sessions delivered",
    "group_hours_delivered": "Group hours delivered",
    "participant_hours_attended": "Participant hours attended",
    "attendance_rate": "Attendance rate (%)",
    "one_to_one_sessions": "One-to-one sessions delivered",
    "one_to_one_hours_programme": "One-to-one hours, programme",
    "one_to_one_hours_existing": "One-to-one hours, existing local programmes",
    "one_to_one_participants": "Participants with one-to-one support",
    "one_to_one_minimum_met": "Participants meeting the 3.5-hour minimum",
    "one_to_one_minimum_met_programme": "Minimum met through the programme only",
    "one_to_one_minimum_met_existing": "Minimum met through existing programmes only",
    "one_to_one_minimum_met_mixed": "Minimum met through both",
    "one_to_one_declined": "Declined one-to-one support",
    "baseline_surveys": "Baseline surveys completed",
    "session_feedback_responses": "Session feedback responses",
    "session_satisfaction_mean": "Session satisfaction, mean (1 to 5)",
    "exit_surveys": "Exit surveys completed",
    "dropout_surveys": "Drop-out surveys completed",
    "dropped_out": "Participants dropped out",
    "sessions_observed": "Sessions observed",
    "complaints": "Complaints received",
    "late_joining_instructions": "Joining instructions sent late",
    "sessions_missing_attendance": "Delivered sessions without attendance",
    "cohorts_at_risk": "Cohorts at risk of missing 18 hours",
    "participants_at_risk_one_to_one": "Participants at risk of missing 3.5 hours",
    "target": "Target (participants)",
    "started_vs_target_pct": "Started against target (%)",
}
_PERIOD_LABELS = {"M": ", month", "C": ", cumulative", "E": ""}

FIGURE_IDS: list[str] = [f"{base}{_SUFFIX[s]}" for base, suffixes, _ in _FIGURES for s in suffixes]
# Each figure's period: "M" (the month), "C" (cumulative) or "E" (as at the month's end).
PERIODS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": s for base, suffixes, _ in _FIGURES for s in suffixes
}
LABELS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": f"{_LABELS[base]}{_PERIOD_LABELS[s]}"
    for base, suffixes, _ in _FIGURES
    for s in suffixes
}
DEFINITIONS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": f"{PERIOD_WORDS[s]}: {words}."
    for base, suffixes, words in _FIGURES
    for s in suffixes
}

RATE_IDS = {
    "attendance_rate_month",
    "attendance_rate_cumulative",
    "session_satisfaction_mean_month",
    "session_satisfaction_mean_cumulative",
    "started_vs_target_pct",
}
DECIMAL_IDS: set[str] = {
    *(i for i in FIGURE_IDS if "hours" in i),
    *RATE_IDS,
}
# Figures that add up across hubs (everything but the rates and means).
SUMMED_IDS: list[str] = [i for i in FIGURE_IDS if i not in RATE_IDS]

# --- breakdowns -------------------------------------------------------------------------

BREAKDOWN_IDS: list[str] = [
    "sector",
    "employees_band",
    "turnover_band",
    "gender",
    "ethnic_group",
    "age_band",
    "disability",
    "exporter",
    "scale_up_potential",
    "topics_month",
    "eligibility_exceptions",
]
# The breakdowns of participants started (the others count sessions and exceptions).
STARTED_BREAKDOWN_IDS: list[str] = BREAKDOWN_IDS[:-2]
# Equality breakdowns: a single hub's counts of 1 to 4 are suppressed when shown.
EQUALITY_BREAKDOWN_IDS: list[str] = ["gender", "ethnic_group", "age_band", "disability"]

BREAKDOWN_DEFINITIONS: dict[str, str] = {
    "sector": "Participants started (cumulative) by their business's SIC 2007 section.",
    "employees_band": (
        "Participants started (cumulative) by their business's PAYE employees; none "
        "recorded, or fewer than 5 (ineligible under E3), is not known."
    ),
    "turnover_band": (
        "Participants started (cumulative) by their business's turnover; none recorded, or "
        "under £100k (ineligible under E4), is not known. £5m-£36m includes £36m."
    ),
    "gender": "Participants started (cumulative) by gender.",
    "ethnic_group": "Participants started (cumulative) by ethnic group (the five ONS groups).",
    "age_band": "Participants started (cumulative) by age band.",
    "disability": "Participants started (cumulative) by whether they consider themselves disabled.",
    "exporter": "Participants started (cumulative) by whether their business exports.",
    "scale_up_potential": (
        "Participants started (cumulative) by whether their business has scale-up potential."
    ),
    "topics_month": (
        "Delivered group sessions in the month per BEIS core topic (a finer topic counts "
        "under its core topic; a session counts once per core topic); not known: no topic."
    ),
    "eligibility_exceptions": (
        "The return's notes: participants decided eligible by the month's end under a "
        "recorded exception, by kind: E3 or E4 under the Covid-19 flexibility, E3 under the "
        "creative industries flexibility, E6 agreed by both LEPs, E8 at local discretion."
    ),
}
EXCEPTION_KINDS = ["E3 covid", "E3 creative", "E4 covid", "E6", "E8"]


_EMPLOYEES = "business__employees"
_TURNOVER = "business__turnover"


def _turnover(low: int, high: int | None, *, high_inclusive: bool = False) -> Q:
    q = Q(**{f"{_TURNOVER}__gte": Decimal(low)})
    if high is not None:
        q &= Q(**{f"{_TURNOVER}__{'lte' if high_inclusive else 'lt'}": Decimal(high)})
    return q


def _choices(alias: str, values: Iterable[str]) -> list[tuple[str, Q]]:
    return [(value, Q(**{alias: value})) for value in values] + [(NOT_KNOWN, Q(**{alias: ""}))]


def _yes_no(field: str) -> list[tuple[str, Q]]:
    return [
        ("yes", Q(**{field: True})),
        ("no", Q(**{field: False})),
        (NOT_KNOWN, Q(**{f"{field}__isnull": True})),
    ]


# breakdown id -> [(category, condition over a started participant)], in the return's order.
PARTICIPANT_BREAKDOWNS: dict[str, list[tuple[str, Q]]] = {
    "sector": [(s.value, Q(business__sector=s.value)) for s in Sector]
    + [(NOT_KNOWN, Q(business__sector=""))],
    "employees_band": [
        ("5-9", Q(**{f"{_EMPLOYEES}__gte": 5, f"{_EMPLOYEES}__lte": 9})),
        ("10-49", Q(**{f"{_EMPLOYEES}__gte": 10, f"{_EMPLOYEES}__lte": 49})),
        ("50-249", Q(**{f"{_EMPLOYEES}__gte": 50, f"{_EMPLOYEES}__lte": 249})),
        ("250+", Q(**{f"{_EMPLOYEES}__gte": 250})),
        (NOT_KNOWN, Q(**{f"{_EMPLOYEES}__isnull": True}) | Q(**{f"{_EMPLOYEES}__lt": 5})),
    ],
    "turnover_band": [
        ("£100k-£499k", _turnover(100_000, 500_000)),
        ("£500k-£999k", _turnover(500_000, 1_000_000)),
        ("£1m-£4.9m", _turnover(1_000_000, 5_000_000)),
        ("£5m-£36m", _turnover(5_000_000, 36_000_000, high_inclusive=True)),
        ("over £36m", Q(**{f"{_TURNOVER}__gt": Decimal(36_000_000)})),
        (
            NOT_KNOWN,
            Q(**{f"{_TURNOVER}__isnull": True}) | Q(**{f"{_TURNOVER}__lt": Decimal(100_000)}),
        ),
    ],
    "gender": _choices("eq_gender", Gender.values),
    "ethnic_group": _choices("eq_ethnic_group", EthnicGroup.values),
    "age_band": _choices("eq_age_band", AgeBand.values),
    "disability": _choices("eq_disability", Disability.values),
    "exporter": _yes_no("business__exporter"),
    "scale_up_potential": _yes_no("business__scale_up_potential"),
}


# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive London dates; `starts` and `ends` bound datetimes as [starts, ends)."""

    first: dt.date
    last: dt.date

    @property
    def starts(self) -> dt.datetime:
        return london_midnight(self.first)

    @property
    def ends(self) -> dt.datetime:
        return london_midnight(self.last + dt.timedelta(days=1))

    # BETWEEN writes the field once: when it is a correlated subquery ("first session
    # attended"), PostgreSQL then runs it once per row and bound, not twice.
    def days(self, field: str) -> Q:
        return Q(**{f"{field}__range": (self.first, self.last)})

    def moments(self, field: str) -> Q:
        # [starts, ends): the last microsecond before the next day is the last one stored.
        return Q(**{f"{field}__range": (self.starts, self.ends - dt.timedelta(microseconds=1))})


def periods(month: dt.date, programme: Programme) -> tuple[Period, Period]:
    """The month and the cumulative period (delivery start to the month's end)."""
    month = month_start(month)
    last = month_end(month)
    return Period(month, last), Period(programme.delivery_start, last)


# --- SQL building blocks ------------------------------------------------------------------


def _completing_sessions(cohorts: Any, required: Decimal) -> Any:
    """The delivered session of each of `cohorts` that takes its running total of delivered
    hours to `required` (K2): the cohort completes at its start. Hours are positive and a
    cohort has one session per start (the constraints of GroupSession), so the running
    total (a window over the cohort's sessions in order) passes `required` at exactly one
    session, the first whose total reaches it."""
    return (
        GroupSession.objects.filter(cohort__in=cohorts, status=DELIVERED)
        .alias(
            running=running_hours_total(partition_by=[F("cohort")], order_by=F("starts_at").asc())
        )
        .alias(before=hours_exact(F("running") - F("hours")))
        .filter(running__gte=required, before__lt=required)
    )


def _counts(queryset: Any, group: str, aggregates: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """One grouped query: {hub id: {name: value}}."""
    rows = queryset.order_by().values(group).annotate(**aggregates)
    return {row.pop(group): row for row in rows}


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _joined_counts(source: Source) -> dict[int, dict[str, Any]]:
    """`_counts` for a source whose measures read per-key facts tables: one query, each
    facts table grouped once and LEFT JOINed to the rows by key (PostgreSQL does not share
    identical subqueries, so testing `pk IN (grouped subquery)` per figure read the same
    child table once per figure). Every condition is compiled by the ORM into a 0/1 column
    (of the rows or of a facts table); the outer query only adds the columns up by group."""
    facts = source.facts or {}
    quote = connection.ops.quote_name
    # One 0/1 column per distinct condition: {condition: column}, of the rows and of each
    # facts table.
    row_flags: list[tuple[Q, str]] = []
    fact_flags: dict[str, list[tuple[Q, str]]] = {name: [] for name in facts}

    def column(flags: list[tuple[Q, str]], condition: Q, prefix: str) -> str:
        for known, name in flags:
            if known == condition:
                return name
        flags.append((condition, f"{prefix}{len(flags)}"))
        return flags[-1][1]

    def test(one: Among) -> str:  # a key absent from a facts table meets no `having`
        n = list(facts).index(one.facts)
        flag = f"f{n}.{quote(column(fact_flags[one.facts], one.having, f'a{n}_'))}"
        return f"({flag} IS NULL OR {flag} = 0)" if one.negated else f"{flag} = 1"

    terms: dict[str, list[str]] = {}
    for name, measure in source.measures.items():
        if measure.total or measure.distinct or (measure.where is None and not measure.among):
            raise ValueError(f"{name}: only counts given as `where` and `among` can be joined")
        parts = []
        if measure.where is not None and measure.where != Q():
            parts.append(f"r.{quote(column(row_flags, measure.where, 'w'))} = 1")
        for term in measure.among:
            if isinstance(term, AnyOf):
                parts.append(f"({' OR '.join(test(one) for one in term.among)})")
            else:
                parts.append(test(term))
        terms[name] = parts or ["1 = 1"]
    rows_sql, params = (
        source.queryset.order_by()
        .annotate(**{name: _flag(condition) for condition, name in row_flags})
        .values(*(name for _, name in row_flags), _row_id=F("pk"), _group=F(source.group))
        .query.sql_with_params()
    )
    sql = [f"FROM ({rows_sql}) r"]
    params = list(params)
    for n, (facts_name, queryset) in enumerate(facts.items()):
        flags = {name: _flag(condition) for condition, name in fact_flags[facts_name]}
        if not flags:
            continue
        facts_sql, facts_params = (
            queryset.annotate(_key=F(source.key), **flags)
            .values("_key", *flags)
            .query.sql_with_params()
        )
        sql.append(f"LEFT JOIN ({facts_sql}) f{n} ON f{n}.{quote('_key')} = r.{quote('_row_id')}")
        params.extend(facts_params)
    columns = [
        f"SUM(CASE WHEN {' AND '.join(parts)} THEN 1 ELSE 0 END) AS {quote(name)}"
        for name, parts in terms.items()
    ]
    group = f"r.{quote('_group')}"
    query = f"SELECT {group}, {', '.join(columns)} {' '.join(sql)} GROUP BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: dict(zip(terms, row[1:], strict=True)) for row in cursor.fetchall()}


def _hours(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(HOURS_PLACES)


def _ratio(numerator: Any, denominator: Any, places: Decimal, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


# --- the records behind the figures -----------------------------------------------------


@dataclass(frozen=True)
class Among:
    """Rows whose key is (or, `negated`, is not) among the keys of a source's `facts`
    table (a queryset grouped by key) whose row meets `having`."""

    facts: str
    having: Q
    negated: bool = False


@dataclass(frozen=True)
class AnyOf:
    """Rows meeting at least one of these."""

    among: tuple[Among, ...]


@dataclass(frozen=True)
class Measure:
    """What a figure takes from its source's rows: those meeting `condition`, counted, or
    their `total` summed, or their distinct `distinct` values counted.

    A count may instead be given as `where` (over the row itself) and `among` (over the
    source's per-key facts tables): see `counted`."""

    condition: Q
    total: str | None = None
    distinct: str | None = None
    where: Q | None = None
    among: tuple[Among | AnyOf, ...] = ()

    def aggregate(self) -> Any:
        if self.total:
            return hours_total(self.total, filter=self.condition, zero=False)
        if self.distinct:
            return Count(self.distinct, distinct=True, filter=self.condition)
        return Count("pk", filter=self.condition)


@dataclass(frozen=True)
class Source:
    """One kind of record (`kind`), the path from it to its hub, and its measures."""

    kind: str
    queryset: Any
    group: str
    measures: dict[str, Measure]
    # Per-key tables (querysets grouped by `key`, the row's pk) that measures' `among` read.
    facts: Mapping[str, Any] | None = None
    key: str = "participant"

    def aggregates(self) -> dict[str, Any]:
        return {name: measure.aggregate() for name, measure in self.measures.items()}

    def counts(self) -> dict[int, dict[str, Any]]:
        """{hub id: {measure: value}} in one query."""
        if not self.facts:
            return _counts(self.queryset, self.group, self.aggregates())
        return _joined_counts(self)


def counted(source_facts: Mapping[str, Any], key: str, where: Q, *among: Among | AnyOf) -> Measure:
    """A count of the rows meeting `where` and whose pk is among (or not among) the keys of
    facts tables meeting their `having`. Its `condition` tests each with a grouped
    subquery (`pk IN (SELECT key ... GROUP BY key HAVING ...)`), as reporting.drilldown
    lists the rows; `compute_hubs` instead joins each facts table once (`_joined_counts`),
    as one table read serves every figure that needs it."""

    def keys(one: Among) -> Q:
        found = Q(pk__in=source_facts[one.facts].filter(one.having).values(key))
        return ~found if one.negated else found

    condition = where
    for term in among:
        if isinstance(term, AnyOf):
            condition &= reduce(or_, (keys(one) for one in term.among))
        else:
            condition &= keys(term)
    return Measure(condition, where=where, among=among)


# --- computing ----------------------------------------------------------------------------


def compute_hubs(hubs: Iterable[Any], month: dt.date | str) -> dict[int, dict[str, Any]]:
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
    for source in sources(hub_ids, programme, m, c):
        for query in _participant_queries(source) if source.kind == "participants" else [source]:
            for hub_id, values in query.counts().items():
                raw[hub_id].update(values)
    topics = _topics(hub_ids, m)
    exceptions = _exceptions(hub_ids, m)
    return {
        hub.pk: _result(
            raw[hub.pk],
            hub.target,
            {**_breakdowns(raw[hub.pk]), "eligibility_exceptions": exceptions[hub.pk]},
            topics[hub.pk],
        )
        for hub in hubs
    }


def compute_hub(hub: Any, month: dt.date | str) -> dict[str, Any]:
    """One hub's figures and breakdowns for `month` (see `compute_hubs`)."""
    return compute_hubs([hub], month)[hub.pk]


def sources(hub_ids: list[int], programme: Programme, m: Period, c: Period) -> Iterable[Source]:
    """The records behind the figures, one source per kind of record, each with the
    conditions that select what each figure counts (used by `compute_hubs` as grouped
    aggregates and by reporting.drilldown as lists)."""
    need_hours = programme.cohort_hours  # K2
    need_one_to_one = programme.one_to_one_hours  # O1
    notice = dt.timedelta(hours=programme.joining_instructions_hours)  # K7, O5
    window_closes = london_midnight(programme.delivery_end + dt.timedelta(days=1))  # K5, O4

    # Participants: registration, eligibility, allocation, start, drop-out, one-to-one.
    # Each "first X" and each total of one-to-one hours is computed once per participant,
    # in a grouped facts table over the hubs' records of one kind (GROUP BY participant);
    # a figure asks whether a participant is among the rows meeting a condition (HAVING).
    # Each facts table is read once per query for every figure that needs it
    # (`_joined_counts`). (Correlated subqueries instead ran once per participant and use.)
    memberships = CohortMembership.objects.filter(participant__hub_id__in=hub_ids)
    attended = Attendance.objects.filter(
        participant__hub_id__in=hub_ids, present=True, session__status=DELIVERED
    )
    delivered_one_to_ones = OneToOneSession.objects.filter(
        participant__hub_id__in=hub_ids, status=DELIVERED
    )

    def route_hours(route: str) -> Coalesce:
        return hours_total(filter=Q(route=route))

    facts = {
        # The first cohort membership.
        "memberships": memberships.order_by().values("participant").annotate(first=Min("joined")),
        # The first attended (present) delivered group session.
        "attended": attended.order_by()
        .values("participant")
        .annotate(first=Min("session__starts_at")),
        # Delivered one-to-one hours up to the month's end: in all, before the month,
        # before delivery start, and by route; sessions from delivery start.
        "one_to_ones": delivered_one_to_ones.filter(starts_at__lt=m.ends)
        .order_by()
        .values("participant")
        .annotate(
            to_end=hours_total(zero=False),
            before_month=hours_total(filter=Q(starts_at__lt=m.starts)),
            before_start=hours_total(filter=Q(starts_at__lt=c.starts)),
            programme_hours=route_hours(OneToOneRoute.PROGRAMME),
            existing_hours=route_hours(OneToOneRoute.EXISTING),
            from_start=Count("pk", filter=Q(starts_at__gte=c.starts)),
        ),
        # Delivered and scheduled one-to-one hours before the delivery window closes.
        "one_to_ones_planned": OneToOneSession.objects.filter(
            participant__hub_id__in=hub_ids,
            status__in=[DELIVERED, SessionStatus.SCHEDULED],
            starts_at__lt=window_closes,
        )
        .order_by()
        .values("participant")
        .annotate(total=hours_total(zero=False)),
    }

    def person(where: Q, *among: Among | AnyOf) -> Measure:
        return counted(facts, "participant", where, *among)

    def allocated(period: Period) -> Among:  # first cohort membership in the period
        return Among("memberships", period.days("first"))

    def started(period: Period) -> Among:  # first attended delivered group session in it
        return Among("attended", period.moments("first"))

    def one_to_one(**conditions: Any) -> Among:  # hours to month end meeting these
        return Among("one_to_ones", Q(**conditions))

    met_cumulative = {"to_end__gte": need_one_to_one, "before_start__lt": need_one_to_one}
    people = Participant.objects.filter(hub_id__in=hub_ids)
    eligible = Q(eligibility_status=EligibilityStatus.ELIGIBLE)
    ineligible = Q(eligibility_status=EligibilityStatus.INELIGIBLE)
    not_dropped_by_end = Q(dropped_out_on__isnull=True) | Q(dropped_out_on__gt=m.last)
    # O8: declined by the month's end, on the date recorded with the refusal (a refusal
    # imported without one counts from registration), so an earlier month recompiled
    # later does not count a refusal made after it.
    declined_by_end = Q(one_to_one_declined=True) & (
        Q(one_to_one_decline__declined_on__lte=m.last)
        | Q(one_to_one_decline__isnull=True, registered__lte=m.last)
    )
    people_aggregates = {
        "registrations_month": person(m.days("registered")),
        "registrations_cumulative": person(c.days("registered")),
        "eligible_month": person(eligible & m.days("eligibility_decided")),
        "eligible_cumulative": person(eligible & c.days("eligibility_decided")),
        "ineligible_month": person(ineligible & m.days("eligibility_decided")),
        "ineligible_cumulative": person(ineligible & c.days("eligibility_decided")),
        "allocated_month": person(Q(), allocated(m)),
        "allocated_cumulative": person(Q(), allocated(c)),
        "started_month": person(Q(), started(m)),
        "started_cumulative": person(Q(), started(c)),
        "dropped_out_month": person(m.days("dropped_out_on")),
        "dropped_out_cumulative": person(c.days("dropped_out_on")),
        # a delivered session from delivery start to month end
        "one_to_one_participants_cumulative": person(Q(), one_to_one(from_start__gt=0)),
        "one_to_one_minimum_met_month": person(
            Q(), one_to_one(to_end__gte=need_one_to_one, before_month__lt=need_one_to_one)
        ),
        "one_to_one_minimum_met_cumulative": person(Q(), one_to_one(**met_cumulative)),
        "one_to_one_minimum_met_programme_cumulative": person(
            Q(), one_to_one(**met_cumulative, existing_hours=ZERO)
        ),
        "one_to_one_minimum_met_existing_cumulative": person(
            Q(), one_to_one(**met_cumulative, programme_hours=ZERO)
        ),
        "one_to_one_minimum_met_mixed_cumulative": person(
            Q(), one_to_one(**met_cumulative, programme_hours__gt=ZERO, existing_hours__gt=ZERO)
        ),
        "one_to_one_declined_cumulative": person(declined_by_end),
        # allocated by month end (a membership joined by then), planned hours short
        "participants_at_risk_one_to_one": person(
            ~declined_by_end & not_dropped_by_end,
            Among("memberships", Q(first__lte=m.last)),
            Among("one_to_ones_planned", Q(total__gte=need_one_to_one), negated=True),
        ),
    }
    yield Source("participants", people, "hub", people_aggregates, facts)

    # Cohorts: started, completed, at risk (per-cohort facts tables, as for participants).
    cohorts = Cohort.objects.filter(hub_id__in=hub_ids)
    hub_sessions = GroupSession.objects.filter(cohort__hub_id__in=hub_ids)
    completing = _completing_sessions(cohorts.values("pk"), need_hours)
    cohort_facts = {
        # The first delivered session.
        "delivered": hub_sessions.filter(status=DELIVERED)
        .order_by()
        .values("cohort")
        .annotate(first=Min("starts_at")),
        # The session completing the cohort, counted in the month, from delivery start,
        # and up to month end. (Filtered outside the window: a filter on `completing`
        # would narrow its sums.)
        "completing": hub_sessions.filter(pk__in=completing)
        .order_by()
        .values("cohort")
        .annotate(
            in_month=Count("pk", filter=m.moments("starts_at")),
            in_cumulative=Count("pk", filter=c.moments("starts_at")),
            by_end=Count("pk", filter=Q(starts_at__lt=m.ends)),
        ),
        # Delivered and scheduled hours before the delivery window closes.
        "planned": hub_sessions.filter(
            status__in=[DELIVERED, SessionStatus.SCHEDULED], starts_at__lt=window_closes
        )
        .order_by()
        .values("cohort")
        .annotate(total=hours_total(zero=False)),
        # The first member to join; the first session not cancelled.
        "members": CohortMembership.objects.filter(cohort__hub_id__in=hub_ids)
        .order_by()
        .values("cohort")
        .annotate(first=Min("joined")),
        "sessions": hub_sessions.exclude(status=SessionStatus.CANCELLED)
        .order_by()
        .values("cohort")
        .annotate(first=Min("starts_at")),
    }

    def cohort(where: Q, *among: Among | AnyOf) -> Measure:
        return counted(cohort_facts, "cohort", where, *among)

    def cohorts_started(period: Period) -> Among:  # first delivered session in the period
        return Among("delivered", period.moments("first"))

    exists_by_end = AnyOf(
        (Among("members", Q(first__lte=m.last)), Among("sessions", Q(first__lt=m.ends)))
    )
    yield Source(
        "cohorts",
        cohorts,
        "hub",
        {
            "cohorts_started_month": cohort(Q(), cohorts_started(m)),
            "cohorts_started_cumulative": cohort(Q(), cohorts_started(c)),
            "cohorts_completed_month": cohort(Q(), Among("completing", Q(in_month__gt=0))),
            "cohorts_completed_cumulative": cohort(
                Q(), Among("completing", Q(in_cumulative__gt=0))
            ),
            "cohorts_at_risk": cohort(
                Q(programme=programme),
                exists_by_end,
                Among("completing", Q(by_end__gt=0), negated=True),
                Among("planned", Q(total__gte=need_hours), negated=True),
            ),
        },
        cohort_facts,
        "cohort",
    )

    # Participants completed: members of a cohort on the day it completed, not dropped out
    # that day (a membership ends on its `left` date; a drop-out counts from its date). A
    # membership is joined to its cohort's completing session (one at most).
    members = (
        memberships.filter(
            cohort__sessions__in=_completing_sessions(memberships.values("cohort"), need_hours)
        )
        .alias(completed_at=F("cohort__sessions__starts_at"))
        .alias(completed_on=TruncDate("completed_at", tzinfo=LONDON))
        .filter(joined__lte=F("completed_on"))
        .filter(Q(left__isnull=True) | Q(left__gt=F("completed_on")))
        .filter(
            Q(participant__dropped_out_on__isnull=True)
            | Q(participant__dropped_out_on__gt=F("completed_on"))
        )
    )
    yield Source(
        "memberships",
        members,
        "participant__hub",
        {
            "participants_completed_month": Measure(
                m.moments("completed_at"), distinct="participant"
            ),
            "participants_completed_cumulative": Measure(
                c.moments("completed_at"), distinct="participant"
            ),
        },
    )

    # Group sessions: delivered, hours, missing attendance, late joining instructions.
    late = Q(joining_instructions_sent_at__isnull=True) | Q(
        joining_instructions_sent_at__gt=ExpressionWrapper(
            F("starts_at") - Value(notice), output_field=DateTimeField()
        )
    )
    sessions = GroupSession.objects.filter(cohort__hub_id__in=hub_ids, status=DELIVERED).alias(
        has_attendance=Exists(Attendance.objects.filter(session=OuterRef("pk")))
    )
    yield Source(
        "sessions",
        sessions,
        "cohort__hub",
        {
            "sessions_delivered_month": Measure(m.moments("starts_at")),
            "sessions_delivered_cumulative": Measure(c.moments("starts_at")),
            "group_hours_delivered_month": Measure(m.moments("starts_at"), total="hours"),
            "group_hours_delivered_cumulative": Measure(c.moments("starts_at"), total="hours"),
            "sessions_missing_attendance": Measure(
                c.moments("starts_at") & Q(has_attendance=False)
            ),
            "late_group": Measure(m.moments("starts_at") & late),
        },
    )

    # Attendance at delivered group sessions.
    present = Q(present=True)
    attendance = Attendance.objects.filter(
        session__cohort__hub_id__in=hub_ids, session__status=DELIVERED
    )
    yield Source(
        "attendance",
        attendance,
        "session__cohort__hub",
        {
            "participant_hours_attended_month": Measure(
                present & m.moments("session__starts_at"), total="hours"
            ),
            "participant_hours_attended_cumulative": Measure(
                present & c.moments("session__starts_at"), total="hours"
            ),
            "present_month": Measure(present & m.moments("session__starts_at")),
            "present_cumulative": Measure(present & c.moments("session__starts_at")),
            "recorded_month": Measure(m.moments("session__starts_at")),
            "recorded_cumulative": Measure(c.moments("session__starts_at")),
        },
    )

    # One-to-one sessions delivered, by route (M3).
    programme_route = Q(route=OneToOneRoute.PROGRAMME)
    existing_route = Q(route=OneToOneRoute.EXISTING)
    one_to_ones = OneToOneSession.objects.filter(participant__hub_id__in=hub_ids, status=DELIVERED)
    yield Source(
        "one_to_ones",
        one_to_ones,
        "participant__hub",
        {
            "one_to_one_sessions_month": Measure(m.moments("starts_at")),
            "one_to_one_sessions_cumulative": Measure(c.moments("starts_at")),
            "one_to_one_hours_programme_month": Measure(
                programme_route & m.moments("starts_at"), total="hours"
            ),
            "one_to_one_hours_programme_cumulative": Measure(
                programme_route & c.moments("starts_at"), total="hours"
            ),
            "one_to_one_hours_existing_month": Measure(
                existing_route & m.moments("starts_at"), total="hours"
            ),
            "one_to_one_hours_existing_cumulative": Measure(
                existing_route & c.moments("starts_at"), total="hours"
            ),
            "late_one_to_one": Measure(m.moments("starts_at") & late),
        },
    )

    # Surveys, by kind and completion date.
    surveys = SurveyResponse.objects.filter(participant__hub_id__in=hub_ids).alias(
        satisfaction=Cast(KT("answers__overall_satisfaction"), IntegerField())
    )
    survey_aggregates: dict[str, Measure] = {}
    for kind, name in [
        (SurveyKind.BASELINE, "baseline_surveys"),
        (SurveyKind.SESSION_FEEDBACK, "session_feedback_responses"),
        (SurveyKind.EXIT, "exit_surveys"),
        (SurveyKind.DROPOUT, "dropout_surveys"),
    ]:
        for suffix, period in (("month", m), ("cumulative", c)):
            survey_aggregates[f"{name}_{suffix}"] = Measure(Q(kind=kind) & period.days("completed"))
    feedback = Q(kind=SurveyKind.SESSION_FEEDBACK, satisfaction__isnull=False)
    for suffix, period in (("month", m), ("cumulative", c)):
        survey_aggregates[f"satisfaction_sum_{suffix}"] = Measure(
            feedback & period.days("completed"), total="satisfaction"
        )
        survey_aggregates[f"satisfaction_count_{suffix}"] = Measure(
            feedback & period.days("completed")
        )
    yield Source("surveys", surveys, "participant__hub", survey_aggregates)

    # Observations completed, by the date of the session observed.
    observations = Observation.objects.filter(
        session__cohort__hub_id__in=hub_ids, completed__isnull=False
    )
    yield Source(
        "observations",
        observations,
        "session__cohort__hub",
        {
            "sessions_observed_month": Measure(m.moments("session__starts_at")),
            "sessions_observed_cumulative": Measure(c.moments("session__starts_at")),
        },
    )

    # Complaints (Q5), by the date received; compliments are not complaints.
    complaints = Complaint.objects.filter(hub_id__in=hub_ids, kind=ComplaintKind.COMPLAINT)
    yield Source(
        "complaints",
        complaints,
        "hub",
        {
            "complaints_month": Measure(m.days("received")),
            "complaints_cumulative": Measure(c.days("received")),
        },
    )


def _exceptions(hub_ids: list[int], m: Period) -> dict[int, dict[str, int]]:
    """eligibility_exceptions: eligible participants, decided by the month's end, under
    each kind of recorded exception (a participant with two counts under each)."""
    rows = (
        EligibilityException.objects.filter(
            participant__hub_id__in=hub_ids,
            participant__eligibility_status=EligibilityStatus.ELIGIBLE,
            participant__eligibility_decided__lte=m.last,
        )
        .order_by()
        .values("participant__hub", "rule", "flexibility")
        .annotate(n=Count("participant", distinct=True))
    )
    result = {hub_id: dict.fromkeys(EXCEPTION_KINDS, 0) for hub_id in hub_ids}
    for row in rows:
        kind = " ".join(filter(None, [row["rule"], row["flexibility"]]))
        result[row["participant__hub"]][kind] += row["n"]
    return result


def _topics(hub_ids: list[int], m: Period) -> dict[int, dict[str, int]]:
    """topics_month: delivered group sessions in the month per BEIS core topic."""
    core = list(Topic.objects.filter(parent__isnull=True).order_by("position", "key"))
    rows = (
        GroupSession.objects.filter(cohort__hub_id__in=hub_ids, status=DELIVERED)
        .filter(m.moments("starts_at"))
        .order_by()
        .values("cohort__hub", core_topic=Coalesce("topics__parent__key", "topics__key"))
        .annotate(sessions=Count("pk", distinct=True))
    )
    result = {hub_id: {t.key: 0 for t in core} | {NOT_KNOWN: 0} for hub_id in hub_ids}
    for row in rows:  # one row per hub and topic, not per record
        result[row["cohort__hub"]][row["core_topic"] or NOT_KNOWN] += row["sessions"]
    return result


def _participant_queries(participants: Source) -> list[Source]:
    """The participants' source as two joined queries (`Source.counts`), each facts table
    read by one of them only: the figures reading the one-to-one hours to month end; and
    the others, with the cumulative breakdowns over participants who have started (named
    `b{i}_{j}`, see `_breakdowns`: started_cumulative's own condition, so the same read of
    attendance serves both)."""
    facts = participants.facts or {}
    one_to_one_hours = {"one_to_ones"}

    def reads(measure: Measure) -> set[str]:
        return {
            one.facts
            for term in measure.among
            for one in (term.among if isinstance(term, AnyOf) else (term,))
        }

    started = participants.measures["started_cumulative"].among
    breakdowns = {
        f"b{i}_{j}": counted(facts, participants.key, condition, *started)
        for i, (_, categories) in enumerate(PARTICIPANT_BREAKDOWNS.items())
        for j, (_, condition) in enumerate(categories)
    }
    rest = {
        name: measure
        for name, measure in participants.measures.items()
        if not reads(measure) & one_to_one_hours
    }
    queryset = participants.queryset.alias(
        eq_gender=Coalesce("equality__gender", Value("")),
        eq_ethnic_group=Coalesce("equality__ethnic_group", Value("")),
        eq_age_band=Coalesce("equality__age_band", Value("")),
        eq_disability=Coalesce("equality__disability", Value("")),
    )
    return [
        replace(
            participants,
            measures={k: v for k, v in participants.measures.items() if k not in rest},
            facts={k: v for k, v in facts.items() if k in one_to_one_hours},
        ),
        replace(
            participants,
            queryset=queryset,
            measures={**rest, **breakdowns},
            facts={k: v for k, v in facts.items() if k not in one_to_one_hours},
        ),
    ]


def _breakdowns(raw: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """A hub's cumulative breakdowns from its counts `b{i}_{j}` (`_with_breakdowns`)."""
    return {
        breakdown: {
            category: int(raw.get(f"b{i}_{j}") or 0) for j, (category, _) in enumerate(cats)
        }
        for i, (breakdown, cats) in enumerate(PARTICIPANT_BREAKDOWNS.items())
    }


def _result(
    raw: Mapping[str, Any],
    target: int,
    breakdowns: dict[str, dict[str, int]],
    topics: dict[str, int],
) -> dict[str, Any]:
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


def _part(numerator: Any, denominator: Any) -> dict[str, int]:
    return {"numerator": int(numerator or 0), "denominator": int(denominator or 0)}


def _finish(
    figures: dict[str, Any], breakdowns: dict[str, dict[str, int]], parts: dict[str, Any]
) -> dict[str, Any]:
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


PART_IDS = [
    "attendance_rate_month",
    "attendance_rate_cumulative",
    "session_satisfaction_mean_month",
    "session_satisfaction_mean_cumulative",
]


def _decimal(value: Any) -> Decimal:
    return Decimal(value) if value not in (None, "") else ZERO


def combine(results: list[dict[str, Any]]) -> dict[str, Any]:
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
) -> dict[str, Any]:
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
