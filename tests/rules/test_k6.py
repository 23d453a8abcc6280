"""K6's one definition of the hours planned in the delivery window, read in Python (the
check, the forecast) and in SQL (the lists), held to the same hand-worked cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cohorts.models import Cohort
from cohorts.selectors import cohort_at_risk, cohort_forecast, cohorts_with_hours
from rules import CHECKS, Outcome
from rules.cohorts import k6_planned_sessions
from tests.factories import local, make_cohort, make_hub, make_programme, make_session

AS_OF = local("2022-03-01T12:00")

# The window closes on Thursday 31 March 2022; the clocks went forward on Sunday 27 March,
# so 00:30 on 1 April in London is 23:30 on 31 March in UTC.
CASES = [
    # (sessions as (London start, hours, status), planned hours in the window, K6)
    ([], "0", Outcome.WARN),
    (
        [
            ("2021-06-01T09:30", "3", "delivered"),
            ("2021-06-15T09:30", "3", "scheduled"),
            ("2021-06-29T09:30", "3", "cancelled"),  # cancelled: not planned
        ],
        "6",
        Outcome.WARN,
    ),
    (
        [
            ("2022-03-31T21:00", "2.5", "scheduled"),  # the last evening: inside
            ("2022-04-01T00:30", "3", "scheduled"),  # 31 March in UTC, 1 April in London
        ],
        "2.5",
        Outcome.WARN,
    ),
    (
        [(f"2021-{month:02d}-07T09:30", "3", "delivered") for month in range(5, 10)]
        + [("2021-10-05T09:30", "2.75", "scheduled"), ("2021-10-19T09:30", "0.25", "scheduled")],
        "18",
        Outcome.PASS,
    ),
    (
        [(f"2021-{month:02d}-07T09:30", "3", "delivered") for month in range(5, 10)]
        + [("2022-04-05T09:30", "3", "scheduled")],  # after the window: K6 warns
        "15",
        Outcome.WARN,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions", "planned", "outcome"), CASES)
def test_python_and_sql_agree_on_the_hours_planned_in_the_window(sessions, planned, outcome):
    cohort = make_cohort(make_hub("gm"), make_programme())
    for starts_at, hours, status in sessions:
        make_session(cohort, starts_at, hours=Decimal(hours), status=status)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)

    in_python = sum((s.hours for s in k6_planned_sessions(cohort)), Decimal(0))
    listed = cohorts_with_hours(Cohort.objects.select_related("programme")).get(pk=cohort.pk)

    assert in_python == listed.projected_hours == Decimal(planned)
    check = CHECKS["K6"](cohort, as_of=AS_OF)
    assert check.outcome == outcome
    # The list's K6, from its SQL hours, is the check's own result, sentence and all.
    assert cohort_at_risk(listed) == check
    assert cohort_forecast(cohort, as_of=AS_OF).at_risk == (outcome == Outcome.WARN)


@pytest.mark.django_db
def test_the_lists_sentence_is_k6s():
    cohort = make_cohort(make_hub("gm"), make_programme(), name="Salford autumn")
    make_session(cohort, "2021-06-01T09:30", hours=Decimal("3"), status="delivered")
    listed = cohorts_with_hours(Cohort.objects.select_related("programme")).get(pk=cohort.pk)
    result = cohort_at_risk(listed)
    assert result.rule == "K6"
    assert result.sentence == (
        "Salford autumn has 3.0 of 18 hours delivered or scheduled by 31 March 2022."
    )
    assert result.due == dt.date(2022, 3, 31)
