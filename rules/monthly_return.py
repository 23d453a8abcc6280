"""The monthly return: M1 (a hub's return for a month), and when a return is due."""

from __future__ import annotations

import datetime as dt

from peernet.calendar import LONDON, Month, local_date
from peernet.models import Programme
from peernet.words import when_words
from reporting.models import MonthlyReturn
from rules.registry import Outcome, Verdict, check

# Prefetch for returns: hub, versions.


def return_due_at(month: dt.date, programme: Programme) -> dt.datetime:
    """M1: the last second of `return_due_day` of the month after `month`, in London."""
    due_day = Month.of(month).next().day(programme.return_due_day)
    return dt.datetime.combine(due_day, dt.time(23, 59, 59), tzinfo=LONDON)


def _on_time(moment: dt.datetime, due_at: dt.datetime) -> bool:
    """Within the due day in London, to the last fraction of its last second."""
    return local_date(moment) <= due_at.date()


@check(
    "M1",
    judges="monthly_return",
    kind="fail",
    section="Reporting and Evaluation Framework",
    summary=(
        "A hub's return for a month is submitted by the end of day {return_due_day} of the "
        "following month (23:59:59, London time), judged by its first submitted version: "
        "later fails, and nothing submitted by then is missing."
    ),
)
def m1_return_on_time(monthly_return: MonthlyReturn, *, as_of: dt.datetime) -> Verdict:
    due_at = return_due_at(monthly_return.month, Programme.for_month(monthly_return.month))
    which = f"{monthly_return.hub.name}'s return for {monthly_return.month:%B %Y}"
    due_words = f"it was due by {when_words(due_at)}"
    first = min(monthly_return.versions.all(), key=lambda v: v.submitted_at, default=None)
    if first is not None:
        submitted = when_words(first.submitted_at)
        if _on_time(first.submitted_at, due_at):
            return Verdict(Outcome.PASS, f"{which} was submitted at {submitted}; {due_words}.")
        return Verdict(Outcome.FAIL, f"{which} was submitted late, at {submitted}; {due_words}.")
    if _on_time(as_of, due_at):
        return Verdict(
            Outcome.NOT_APPLICABLE,
            f"{which} is due by {when_words(due_at)}.",
            due_at.date(),
        )
    return Verdict(Outcome.FAIL, f"{which} is missing; {due_words}.", due_at.date())
