"""The schedule plan (K3–K6), worked by hand against the England and Wales bank holidays
the `holidays` package gives: 28 December 2021 (Boxing Day, observed), 3 January 2022
(New Year's Day, observed), 30 August 2021 (late summer bank holiday)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cohorts.selectors import bank_holidays, cohort_schedule_plan
from tests.factories import local, make_session

pytestmark = pytest.mark.django_db

AS_OF = local("2021-12-01T09:00")


def _plan(cohort, first_day, **overrides):
    values = {
        "first_day": first_day,
        "start_time": dt.time(9, 30),
        "cadence_weeks": 2,
        "session_hours": Decimal("3"),
        "total_hours": Decimal("18"),
        "as_of": AS_OF,
    }
    values.update(overrides)
    return cohort_schedule_plan(cohort, **values)


def test_the_package_knows_the_bank_holidays():
    closed = bank_holidays(range(2021, 2023))
    assert dt.date(2021, 12, 28) in closed
    assert dt.date(2022, 1, 3) in closed
    assert dt.date(2021, 8, 30) in closed
    assert dt.date(2021, 12, 14) not in closed


def test_fortnightly_from_14_december_moves_off_boxing_day(personas):
    plan = _plan(personas.cohort_a, dt.date(2021, 12, 14))
    days = [s.starts_at.date() for s in plan.sessions]
    assert days == [
        dt.date(2021, 12, 14),
        dt.date(2021, 12, 29),  # 28 December is Boxing Day (observed)
        dt.date(2022, 1, 11),
        dt.date(2022, 1, 25),
        dt.date(2022, 2, 8),
        dt.date(2022, 2, 22),
    ]
    assert [s.hours for s in plan.sessions] == [Decimal("3")] * 6
    assert plan.sessions[1].moved_from == dt.date(2021, 12, 28)
    assert plan.total == Decimal("18")
    assert not plan.blocked
    k6 = next(r for r in plan.results if r.rule == "K6")
    assert k6.outcome == "pass"


def test_a_monday_on_a_bank_holiday_moves_to_tuesday(personas):
    plan = _plan(personas.cohort_a, dt.date(2021, 12, 20), cadence_weeks=2)
    days = [s.starts_at.date() for s in plan.sessions]
    assert days[:2] == [dt.date(2021, 12, 20), dt.date(2022, 1, 4)]  # 3 January is closed
    assert days[2] == dt.date(2022, 1, 17)  # the cadence holds from the first date


def test_a_plan_past_the_window_fails_k5(personas):
    plan = _plan(personas.cohort_a, dt.date(2022, 2, 1))
    # 1, 15 February, 1, 15, 29 March, then 12 April 2022: after the window closed.
    assert [s.in_window for s in plan.sessions] == [True] * 5 + [False]
    assert {r.rule for r in plan.blocked} == {"K5"}
    assert "outside the delivery window" in plan.blocked[0].sentence


def test_uneven_hours_give_a_shorter_last_session_and_k3_warns(personas):
    plan = _plan(personas.cohort_a, dt.date(2021, 9, 7), session_hours=Decimal("4"))
    assert [s.hours for s in plan.sessions] == [Decimal(4)] * 4 + [Decimal(2)]
    assert any(r.rule == "K3" and r.outcome == "warn" for r in plan.results)


def test_hours_already_scheduled_are_counted(personas):
    make_session(personas.cohort_a, "2021-09-07T09:30", hours=Decimal("3"))
    plan = _plan(personas.cohort_a, dt.date(2021, 9, 21))
    assert len(plan.sessions) == 5
    assert plan.already == Decimal("3") and plan.total == Decimal("18")
