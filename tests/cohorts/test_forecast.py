"""The cohort hours forecast (K2, K6), worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cohorts.models import Cohort
from cohorts.selectors import cohort_forecast, cohorts_with_hours
from rules import CHECKS, Outcome
from sessions.models import SessionStatus
from tests.factories import local, make_cohort, make_hub, make_programme, make_session

pytestmark = pytest.mark.django_db

DELIVERED, SCHEDULED, CANCELLED = (
    SessionStatus.DELIVERED,
    SessionStatus.SCHEDULED,
    SessionStatus.CANCELLED,
)
AS_OF = local("2021-11-20T12:00")


@pytest.fixture
def programme():
    return make_programme()


@pytest.fixture
def cohort(programme):
    return make_cohort(make_hub("gm"), programme, name="GM-3")


def fortnightly(cohort, first: str, hours: list[str], status: str) -> None:
    start = dt.date.fromisoformat(first)
    for n, value in enumerate(hours):
        day = start + dt.timedelta(days=14 * n)
        make_session(cohort, f"{day}T09:30", hours=Decimal(value), status=status)


def test_seventeen_and_a_half_hours_is_at_risk(cohort):
    fortnightly(cohort, "2021-06-01", ["3"] * 5, DELIVERED)
    fortnightly(cohort, "2021-12-07", ["2.5"], SCHEDULED)

    forecast = cohort_forecast(cohort, as_of=AS_OF)

    assert forecast.delivered == Decimal("15")
    assert forecast.scheduled == Decimal("2.5")
    assert forecast.projected == Decimal("17.5")
    assert forecast.shortfall == Decimal("0.5")
    assert forecast.reaches_on is None
    assert forecast.at_risk
    assert forecast.reason == (
        "GM-3 has 17.5 of 18 hours delivered or scheduled by 31 March 2022: "
        "schedule 0.5 more hours."
    )
    # The forecast and K6 agree: the scan reports it once, as K6.
    assert CHECKS["K6"](cohort, as_of=AS_OF).outcome == Outcome.WARN


def test_twelve_delivered_and_six_scheduled_reach_18_on_the_last_scheduled_date(cohort):
    fortnightly(cohort, "2021-08-03", ["3"] * 4, DELIVERED)
    fortnightly(cohort, "2021-11-23", ["3", "3"], SCHEDULED)  # 23 November, 7 December

    forecast = cohort_forecast(cohort, as_of=AS_OF)

    assert (forecast.delivered, forecast.scheduled) == (Decimal("12"), Decimal("6"))
    assert forecast.reaches_on == dt.date(2021, 12, 7)
    assert not forecast.at_risk
    assert forecast.reason == (
        "GM-3 has 12.0 hours delivered and 6.0 scheduled, so reaches 18 hours on "
        "7 December 2021 if the schedule holds."
    )
    assert CHECKS["K6"](cohort, as_of=AS_OF).outcome == Outcome.PASS


def test_a_completed_cohort_is_not_at_risk(cohort):
    fortnightly(cohort, "2021-05-04", ["3"] * 6, DELIVERED)
    forecast = cohort_forecast(cohort, as_of=AS_OF)
    assert forecast.reaches_on == dt.date(2021, 7, 13)
    assert not forecast.at_risk
    assert forecast.reason == "GM-3 has delivered 18.0 of 18 hours."


def test_cancelled_and_after_the_window_do_not_count(cohort):
    fortnightly(cohort, "2021-11-02", ["3"] * 5, DELIVERED)
    make_session(cohort, "2022-03-29T09:30", hours=Decimal("3"), status=CANCELLED)
    # 00:30 on 1 April in London is still 31 March in UTC: after the window, all the same.
    make_session(cohort, "2022-04-01T00:30", hours=Decimal("3"))

    forecast = cohort_forecast(cohort, as_of=AS_OF)

    assert forecast.projected == Decimal("15")
    assert forecast.at_risk


def test_hours_come_from_the_programme(programme, cohort):
    programme.cohort_hours = Decimal("12")
    programme.save()
    fortnightly(cohort, "2021-08-03", ["3"] * 4, DELIVERED)
    forecast = cohort_forecast(Cohort.objects.get(pk=cohort.pk), as_of=AS_OF)
    assert forecast.needed == Decimal("12")
    assert not forecast.at_risk


def test_cohorts_with_hours_counts_in_sql_as_the_forecast_does(programme, cohort):
    fortnightly(cohort, "2021-11-02", ["3"] * 5, DELIVERED)
    make_session(cohort, "2022-03-29T09:30", hours=Decimal("2.5"))
    make_session(cohort, "2022-03-22T09:30", hours=Decimal("3"), status=CANCELLED)
    make_session(cohort, "2022-03-31T23:30", hours=Decimal("0.25"))  # the last day, late
    make_session(cohort, "2022-04-01T00:30", hours=Decimal("3"))  # after the window
    empty = make_cohort(cohort.hub, programme, name="Empty")

    rows = {c.pk: c for c in cohorts_with_hours(Cohort.objects.all())}

    forecast = cohort_forecast(cohort, as_of=AS_OF)
    assert rows[cohort.pk].delivered_hours == forecast.delivered == Decimal("15")
    assert rows[cohort.pk].scheduled_hours == forecast.scheduled == Decimal("2.75")
    assert rows[cohort.pk].projected_hours == forecast.projected == Decimal("17.75")
    assert rows[empty.pk].delivered_hours == rows[empty.pk].scheduled_hours == Decimal(0)
    assert isinstance(rows[empty.pk].projected_hours, Decimal)


def test_cohorts_with_hours_is_one_query(django_assert_num_queries, cohort, programme):
    for n in range(3):
        other = make_cohort(cohort.hub, programme, name=f"Other {n}")
        fortnightly(other, "2021-06-01", ["3"] * 3, DELIVERED)
    with django_assert_num_queries(1):
        rows = list(cohorts_with_hours(Cohort.objects.all()))
    assert len(rows) == 4
