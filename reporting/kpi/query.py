"""The small query language the figures are written in.

A `Period` is a span of Europe/London dates (the month, or the programme's delivery start
to the month's end) that turns into a condition over a date (`days`) or a moment
(`moments`). A `Source` is one kind of record, the path from it to its hub and its
`Measure`s: what each figure takes from the rows (a count, a sum of hours, a distinct
count). A count may also ask whether a row's key is `Among` the keys of a per-key facts
table meeting a condition (`counted`); such a source is computed in one SQL query that
joins each facts table once (`Source.counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from peernet.calendar import london_midnight, month_end, month_start
from peernet.hours import hours_total
from peernet.models import Programme

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


def month_and_cumulative(
    m: Period, c: Period, **measures: Callable[[Period], Measure]
) -> dict[str, Measure]:
    """Each figure twice: `<name>_month` over the month `m` and `<name>_cumulative` over
    the cumulative period `c` (`periods`), each its `measures[name]` of the period."""
    return {
        f"{name}_{suffix}": measure(period)
        for name, measure in measures.items()
        for suffix, period in (("month", m), ("cumulative", c))
    }


def periods(month: dt.date, programme: Programme) -> tuple[Period, Period]:
    """The month and the cumulative period (delivery start to the month's end)."""
    month = month_start(month)
    last = month_end(month)
    return Period(month, last), Period(programme.delivery_start, last)


# --- SQL building blocks ------------------------------------------------------------------


def _counts(queryset: Any, group: str, aggregates: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """One grouped query: {hub id: {name: value}}."""
    rows = queryset.order_by().values(group).annotate(**aggregates)
    return {row.pop(group): row for row in rows}


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


class _Flags:
    """The 0/1 columns of a joined count query, one per distinct condition, named in the
    order first met: of the rows (`rows`) and of each facts table (`facts[name]`), each as
    [(condition, column)]."""

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.names = list(facts)
        self.rows: list[tuple[Q, str]] = []
        self.facts: dict[str, list[tuple[Q, str]]] = {name: [] for name in facts}

    @staticmethod
    def _column(flags: list[tuple[Q, str]], condition: Q, prefix: str) -> str:
        for known, name in flags:
            if known == condition:
                return name
        flags.append((condition, f"{prefix}{len(flags)}"))
        return flags[-1][1]

    def _test(self, one: Among) -> str:  # a key absent from a facts table meets no `having`
        quote = connection.ops.quote_name
        n = self.names.index(one.facts)
        flag = f"f{n}.{quote(self._column(self.facts[one.facts], one.having, f'a{n}_'))}"
        return f"({flag} IS NULL OR {flag} = 0)" if one.negated else f"{flag} = 1"

    def terms(self, name: str, measure: Measure) -> list[str]:
        """What a row must meet, in SQL over the flags, to be counted by `measure`."""
        if measure.total or measure.distinct or (measure.where is None and not measure.among):
            raise ValueError(f"{name}: only counts given as `where` and `among` can be joined")
        parts = []
        if measure.where is not None and measure.where != Q():
            column = self._column(self.rows, measure.where, "w")
            parts.append(f"r.{connection.ops.quote_name(column)} = 1")
        for term in measure.among:
            if isinstance(term, AnyOf):
                parts.append(f"({' OR '.join(self._test(one) for one in term.among)})")
            else:
                parts.append(self._test(term))
        return parts or ["1 = 1"]


def _joined_counts(source: Source) -> dict[int, dict[str, Any]]:
    """`_counts` for a source whose measures read per-key facts tables: one query, each
    facts table grouped once and LEFT JOINed to the rows by key (PostgreSQL does not share
    identical subqueries, so testing `pk IN (grouped subquery)` per figure read the same
    child table once per figure). Every condition is compiled by the ORM into a 0/1 column
    (of the rows or of a facts table); the outer query only adds the columns up by group."""
    facts = source.facts or {}
    quote = connection.ops.quote_name
    flags = _Flags(facts)
    terms = {name: flags.terms(name, measure) for name, measure in source.measures.items()}
    rows_sql, params = (
        source.queryset.order_by()
        .annotate(**{name: _flag(condition) for condition, name in flags.rows})
        .values(*(name for _, name in flags.rows), _row_id=F("pk"), _group=F(source.group))
        .query.sql_with_params()
    )
    sql = [f"FROM ({rows_sql}) r"]
    params = list(params)
    for n, (facts_name, queryset) in enumerate(facts.items()):
        columns = {name: _flag(condition) for condition, name in flags.facts[facts_name]}
        if not columns:
            continue
        facts_sql, facts_params = (
            queryset.annotate(_key=F(source.key), **columns)
            .values("_key", *columns)
            .query.sql_with_params()
        )
        sql.append(f"LEFT JOIN ({facts_sql}) f{n} ON f{n}.{quote('_key')} = r.{quote('_row_id')}")
        params.extend(facts_params)
    sums = [
        f"SUM(CASE WHEN {' AND '.join(parts)} THEN 1 ELSE 0 END) AS {quote(name)}"
        for name, parts in terms.items()
    ]
    group = f"r.{quote('_group')}"
    query = f"SELECT {group}, {', '.join(sums)} {' '.join(sql)} GROUP BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: dict(zip(terms, row[1:], strict=True)) for row in cursor.fetchall()}


# --- measures and sources ---------------------------------------------------------------


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
