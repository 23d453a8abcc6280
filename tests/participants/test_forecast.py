"""The participant one-to-one forecast (O1, O3, O4), worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from participants.selectors import participant_forecast
from sessions.models import Attendance, SessionStatus
from tests.factories import (
    local,
    make_cohort,
    make_member,
    make_one_to_one,
    make_participant,
    make_session,
)

pytestmark = pytest.mark.django_db

DELIVERED, CANCELLED = SessionStatus.DELIVERED, SessionStatus.CANCELLED
AS_OF = local("2021-11-20T12:00")


@pytest.fixture
def cohort(hub, programme):
    return make_cohort(hub, programme, name="GM-3")


@pytest.fixture
def participant(hub, cohort, provider):
    person = make_participant(
        hub, cohort.programme, first_name="Priya", last_name="Shah", one_to_one_provider=provider
    )
    make_member(cohort, person)
    return person


def test_3_49_hours_is_short_of_3_5(cohort, participant, provider):
    make_session(cohort, "2022-01-11T09:30")  # the final group session
    make_one_to_one(participant, provider, hours=Decimal("2"), status=DELIVERED)
    make_one_to_one(
        participant, provider, starts_at=local("2021-12-01T10:00"), hours=Decimal("1.49")
    )

    forecast = participant_forecast(participant, as_of=AS_OF)

    assert (forecast.delivered, forecast.scheduled) == (Decimal("2"), Decimal("1.49"))
    assert forecast.projected == Decimal("3.49")
    assert forecast.at_risk
    assert forecast.reason == (
        "Priya Shah has 3.49 of 3.5 hours of one-to-one support delivered or scheduled by "
        "11 February 2022: schedule 0.01 more hours."
    )


def test_3_5_hours_delivered_and_scheduled_is_enough(cohort, participant, provider):
    make_session(cohort, "2022-01-11T09:30")
    make_one_to_one(participant, provider, hours=Decimal("2"), status=DELIVERED)
    make_one_to_one(
        participant, provider, starts_at=local("2021-12-01T10:00"), hours=Decimal("1.50")
    )
    forecast = participant_forecast(participant, as_of=AS_OF)
    assert forecast.projected == Decimal("3.5")
    assert not forecast.at_risk


def test_the_deadline_is_one_month_after_the_final_session(cohort, participant, provider):
    make_session(cohort, "2021-11-10T09:30", status=DELIVERED)
    make_session(cohort, "2021-11-24T09:30", status=CANCELLED)  # not the final session
    make_one_to_one(participant, provider, hours=Decimal("2"), status=DELIVERED)
    make_one_to_one(
        participant, provider, starts_at=local("2021-12-10T10:00"), hours=Decimal("0.5")
    )  # the last day that counts
    make_one_to_one(
        participant, provider, starts_at=local("2021-12-11T10:00"), hours=Decimal("1")
    )  # a day late

    forecast = participant_forecast(participant, as_of=AS_OF)

    assert forecast.final_session_on == dt.date(2021, 11, 10)
    assert forecast.o3_deadline == forecast.deadline == dt.date(2021, 12, 10)
    assert forecast.o4_deadline == dt.date(2022, 3, 31)
    assert (forecast.scheduled, forecast.scheduled_late) == (Decimal("0.5"), Decimal("1"))
    assert forecast.at_risk
    assert forecast.reason.endswith(
        "schedule 1.0 more hours; 1.0 hours are scheduled after that date (1 month after the "
        "cohort's final group session, or the end of the delivery window)."
    )


def test_the_deadline_is_capped_at_the_window_end(cohort, participant):
    make_session(cohort, "2022-03-15T09:30")
    forecast = participant_forecast(participant, as_of=AS_OF)
    assert forecast.o3_deadline == dt.date(2022, 3, 31)  # not 15 April


def test_without_group_sessions_the_window_end_is_the_deadline(participant):
    forecast = participant_forecast(participant, as_of=AS_OF)
    assert forecast.o3_deadline is None
    assert forecast.deadline == dt.date(2022, 3, 31)
    assert forecast.at_risk  # allocated, and nothing scheduled yet


@pytest.mark.parametrize("change", ["declined", "dropped_out", "not_allocated", "left"])
def test_not_at_risk_when_support_is_not_due(hub, cohort, participant, change):
    if change == "declined":
        participant.one_to_one_declined = True
        participant.save()
    elif change == "dropped_out":
        participant.dropped_out_on = dt.date(2021, 10, 1)
        participant.dropout_reason = "Moved abroad"
        participant.save()
    elif change == "not_allocated":
        participant = make_participant(hub, cohort.programme)
    else:
        participant.memberships.update(left=dt.date(2021, 9, 1))
    forecast = participant_forecast(participant, as_of=AS_OF)
    assert not forecast.at_risk


def test_attended_group_hours(cohort, participant):
    first = make_session(cohort, "2021-10-05T09:30", status=DELIVERED)
    second = make_session(cohort, "2021-10-19T09:30", status=DELIVERED)
    third = make_session(cohort, "2021-11-02T09:30", status=DELIVERED)
    Attendance.objects.create(session=first, participant=participant, present=True, hours=3)
    Attendance.objects.create(
        session=second, participant=participant, present=True, hours=Decimal("2.25")
    )
    Attendance.objects.create(session=third, participant=participant, present=False, hours=0)
    assert participant_forecast(participant, as_of=AS_OF).attended == Decimal("5.25")
