"""Hours are exact on every database (peernet/hours.py): 1.2 + 1.4 + 0.9 one-to-one hours
meet the 3.5-hour minimum (O1) and 2.1 + 2.9 + 3.2 + 3.2 + 3.2 + 3.4 group hours complete
a cohort's 18 (K2), in the return, the forecasts and the pages.

The suite runs these on PostgreSQL; `test_the_same_cases_on_sqlite` runs this file again
on SQLite, the embedded default, whose SUM of decimals is binary floating point.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from cohorts.models import Cohort
from cohorts.selectors import cohort_forecast, cohorts_with_hours
from peernet.hours import sum_hours
from reporting import kpi
from sessions.models import Attendance, OneToOneSession, SessionStatus
from sessions.one_to_one.selectors import participant_support
from tests.factories import local, make_cohort, make_member, make_one_to_one, make_session

pytestmark = pytest.mark.django_db

ONE_TO_ONE_HOURS = ["1.2", "1.4", "0.9"]  # 3.5
GROUP_HOURS = ["2.1", "2.9", "3.2", "3.2", "3.2", "3.4"]  # 18
AS_OF = local("2021-12-01T12:00")


@pytest.fixture
def world(personas):
    p = personas
    cohort = make_cohort(p.hub_a, p.programme)
    person = p.participant_a
    person.memberships.all().delete()
    make_member(cohort, person, joined=dt.date(2021, 6, 1))
    day = dt.datetime(2021, 6, 8, 9, 30)  # noqa: DTZ001 (a London wall-clock time, for local())
    for n, hours in enumerate(GROUP_HOURS):
        session = make_session(
            cohort,
            (day + dt.timedelta(days=14 * n)).isoformat(timespec="minutes"),
            hours=Decimal(hours),
            status=SessionStatus.DELIVERED,
        )
        Attendance.objects.create(
            session=session, participant=person, present=True, hours=session.hours
        )
    for n, hours in enumerate(ONE_TO_ONE_HOURS):
        make_one_to_one(
            person,
            p.provider,
            starts_at=local(f"2021-09-{10 + n}T14:00"),
            hours=Decimal(hours),
            status=SessionStatus.DELIVERED,
        )
    p.cohort = cohort
    return p


def test_the_hours_add_up_in_python_as_written():
    assert sum_hours(OneToOneSession(hours=Decimal(h)) for h in ONE_TO_ONE_HOURS) == Decimal("3.5")
    assert float(sum(float(h) for h in ONE_TO_ONE_HOURS)) != 3.5  # what a float sum gives


def test_the_return_counts_3_5_hours_as_the_minimum_met(world):
    figures = kpi.compute_hub(world.hub_a, dt.date(2021, 9, 1))["figures"]
    assert figures["one_to_one_minimum_met_month"] == 1
    assert figures["one_to_one_minimum_met_cumulative"] == 1


def test_the_return_counts_18_hours_as_the_cohort_completed(world):
    # The sixth session, 3.4 hours, is on 17 August 2021: the cohort completes then.
    figures = kpi.compute_hub(world.hub_a, dt.date(2021, 8, 1))["figures"]
    assert figures["cohorts_completed_month"] == 1
    assert figures["participants_completed_month"] == 1
    assert figures["group_hours_delivered_cumulative"] == Decimal("18")


def test_the_pages_and_forecasts_read_18_and_3_5(world):
    cohort = cohorts_with_hours(Cohort.objects.filter(pk=world.cohort.pk)).get()
    assert cohort.delivered_hours == Decimal("18")
    assert cohort.projected_hours == Decimal("18")
    forecast = cohort_forecast(world.cohort, as_of=AS_OF)
    assert not forecast.at_risk
    support = participant_support(world.participant_a, as_of=AS_OF)
    assert support.delivered == Decimal("3.5")
    assert support.short == 0
    assert support.o1.outcome == "pass"


@pytest.mark.skipif(connection.vendor == "sqlite", reason="this is the run on SQLite")
def test_the_same_cases_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PEERNET_REQUIRE_SERVICES",)}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'hours.sqlite3'}")
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CACHE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            __file__,
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 passed, 1 skipped" in result.stdout, result.stdout[-2000:]
