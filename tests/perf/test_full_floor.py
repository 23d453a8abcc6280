"""Issue 24 (2): the benchmark's full floor (`benchmarks/floor.py`), every figure of the
national return in one hand-written SQL statement, gives exactly the application's
national figures (`reporting.kpi.compute_hubs` + `combine` over every hub).

Compared figure by figure, written alike ("12.50", not "12.5"), in two worlds: the
deterministic scale world (`demo.scale`, 600 participants) early, in the middle and late
in delivery; and the demo programme (`demo.document`) in every month of its delivery
window, then again after edits that put records on the boundaries the definitions draw
(a membership ending on the day its cohort completes, a session at the London midnight
that starts a month, a refusal dated after the month, a session without attendance), each
moving the figures it touches by a hand-worked amount. PostgreSQL only, as the floor is.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connection

from cohorts.models import CohortMembership
from demo.document import build_demo_document
from demo.scale.world import build
from participants.models import Participant
from peernet.calendar import LONDON, london_midnight, month_end
from peernet.models import Hub, Programme
from reporting import kpi
from reporting.scenario import import_document
from sessions.models import (
    Attendance,
    GroupSession,
    OneToOneDecline,
    OneToOneSession,
    SessionStatus,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is PostgreSQL's"),
]

FLOOR_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "floor.py"
ANCHOR = dt.date(2026, 11, 21)  # the demo programme as it stands on this day


def _floor() -> ModuleType:
    """benchmarks/floor.py (benchmarks/ is not a package: loaded from its path)."""
    spec = importlib.util.spec_from_file_location("benchmarks_floor", FLOOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floor = _floor()


def _differences(month: dt.date) -> dict[str, str]:
    """The figures where the floor and the application differ: none, when all is well."""
    hubs = list(Hub.objects.all())
    values, matches = floor.full_floor_check(hubs, month)
    assert list(values) == list(floor.FULL_FLOOR_FIGURES)
    return {figure: values[figure] for figure, same in matches.items() if not same}


def _non_zero(values: dict) -> set[str]:
    return {figure for figure, value in values.items() if value not in (None, 0, Decimal(0))}


def test_the_full_floor_computes_every_figure_of_the_return_in_its_order():
    assert list(floor.FULL_FLOOR_FIGURES) == kpi.FIGURE_IDS


def test_the_full_floor_equals_the_national_return_in_the_scale_world():
    build(600)
    # Early in delivery, in the middle (the benchmark's month), and its last month.
    for month in (dt.date(2021, 6, 1), dt.date(2021, 11, 1), dt.date(2022, 3, 1)):
        assert _differences(month) == {}, month
    # Not a comparison of zeros: by November nearly every figure has something to count.
    november = floor.full_floor_query(dt.date(2021, 11, 1))
    assert len(_non_zero(november)) >= 50
    registered = Participant.objects.filter(
        registered__range=(dt.date(2021, 4, 1), dt.date(2021, 11, 30))
    )
    assert november["registrations_cumulative"] == registered.count()


def test_the_full_floor_equals_the_national_return_in_every_month_of_the_demo():
    import_document(build_demo_document(ANCHOR))
    for month in Programme.objects.get().months():
        assert _differences(month.first_day) == {}, month
    assert _non_zero(floor.full_floor_query(dt.date(2026, 10, 1))) >= {
        "participants_completed_cumulative",
        "cohorts_at_risk",
        "participants_at_risk_one_to_one",
        "one_to_one_declined_cumulative",
        "session_satisfaction_mean_cumulative",
    }


def _completion(cohort_id: int, required: Decimal) -> GroupSession | None:
    """The delivered session that takes the cohort's delivered hours to `required`."""
    total = Decimal(0)
    for session in GroupSession.objects.filter(
        cohort_id=cohort_id, status=SessionStatus.DELIVERED
    ).order_by("starts_at"):
        total += session.hours
        if total >= required:
            return session
    return None


def _a_completed_member() -> tuple[CohortMembership, dt.date]:
    """A membership, the participant's only one, of a cohort that completed while they
    were a member and had not dropped out; and the London day it completed."""
    required = Programme.objects.get().cohort_hours
    for membership in CohortMembership.objects.filter(left__isnull=True).order_by("pk"):
        session = _completion(membership.cohort_id, required)
        if session is None:
            continue
        day = session.starts_at.astimezone(LONDON).date()
        participant = membership.participant
        if (
            membership.joined <= day
            and participant.memberships.count() == 1
            and (participant.dropped_out_on is None or participant.dropped_out_on > day)
        ):
            return membership, day
    raise AssertionError("the demo has no completed member")


# --- at the definitions' boundaries: each edit moves the figures by the amount worked out
# beside it, in the floor and in the application alike --------------------------------------


@pytest.fixture
def demo_world() -> None:
    import_document(build_demo_document(ANCHOR))


def test_a_member_who_leaves_on_the_day_the_cohort_completes_has_not_completed(demo_world):
    """A membership ends on its "left" date; leaving the day after, they have completed."""
    membership, completed_on = _a_completed_member()
    march = dt.date(2027, 3, 1)  # the last month: every completion is cumulative by then
    before = floor.full_floor_query(march)
    CohortMembership.objects.filter(pk=membership.pk).update(left=completed_on)
    after = floor.full_floor_query(march)
    assert after["participants_completed_cumulative"] == (
        before["participants_completed_cumulative"] - 1
    )
    assert _differences(march) == {}
    CohortMembership.objects.filter(pk=membership.pk).update(
        left=completed_on + dt.timedelta(days=1)
    )
    assert floor.full_floor_query(march) == before
    assert _differences(march) == {}


def test_a_session_at_the_london_midnight_starting_a_month_is_that_months(demo_world):
    """A one-to-one at the London midnight that starts August (23:00 UTC on 31 July, in
    British Summer Time) is August's; a microsecond earlier, July's."""
    july, august = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
    one_to_one = OneToOneSession.objects.filter(
        status=SessionStatus.DELIVERED,
        starts_at__gte=london_midnight(dt.date(2026, 7, 2)),
        starts_at__lt=london_midnight(dt.date(2026, 7, 30)),
    ).first()
    assert one_to_one is not None
    july_before, august_before = floor.full_floor_query(july), floor.full_floor_query(august)
    midnight = london_midnight(august)
    assert midnight.astimezone(dt.UTC) == dt.datetime(2026, 7, 31, 23, tzinfo=dt.UTC)
    sessions = "one_to_one_sessions_month"

    OneToOneSession.objects.filter(pk=one_to_one.pk).update(starts_at=midnight)
    assert floor.full_floor_query(july)[sessions] == july_before[sessions] - 1
    assert floor.full_floor_query(august)[sessions] == august_before[sessions] + 1
    assert _differences(july) == {}
    assert _differences(august) == {}

    OneToOneSession.objects.filter(pk=one_to_one.pk).update(
        starts_at=midnight - dt.timedelta(microseconds=1)
    )
    assert floor.full_floor_query(july)[sessions] == july_before[sessions]
    assert floor.full_floor_query(august)[sessions] == august_before[sessions]
    assert _differences(july) == {}
    assert _differences(august) == {}


def test_a_refusal_counts_from_the_date_recorded_with_it(demo_world):
    """Dated after September's end it is not in September's return; dated on its last
    day, it is."""
    september = dt.date(2026, 9, 1)
    declined = "one_to_one_declined_cumulative"
    participant = Participant.objects.filter(one_to_one_declined=False).order_by("pk").first()
    assert participant is not None
    before = floor.full_floor_query(september)[declined]
    Participant.objects.filter(pk=participant.pk).update(one_to_one_declined=True)
    decline = OneToOneDecline.objects.create(
        participant=participant, declined_on=dt.date(2026, 10, 1)
    )
    assert floor.full_floor_query(september)[declined] == before
    assert _differences(september) == {}

    OneToOneDecline.objects.filter(pk=decline.pk).update(declined_on=month_end(september))
    assert floor.full_floor_query(september)[declined] == before + 1
    assert _differences(september) == {}


def test_a_delivered_session_without_attendance_is_missing_its_attendance(demo_world):
    september = dt.date(2026, 9, 1)
    session = GroupSession.objects.filter(
        status=SessionStatus.DELIVERED,
        starts_at__lt=london_midnight(dt.date(2026, 10, 1)),
        attendance__isnull=False,
    ).first()
    assert session is not None
    before = floor.full_floor_query(september)["sessions_missing_attendance"]
    Attendance.objects.filter(session=session).delete()
    assert floor.full_floor_query(september)["sessions_missing_attendance"] == before + 1
    assert _differences(september) == {}
