"""What the API's tests share: a world with a completed cohort and its surveys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from sessions.models import Attendance, SessionStatus
from tests.factories import Personas, make_cohort_member, make_session, make_survey_response


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> None:
    """Every test's tokens start with no calls counted (peernet.rate_limits)."""
    cache.clear()


@pytest.fixture
def evaluated(personas: Personas) -> Personas:
    """Cohort A completed on 31 August 2021 (six delivered sessions of 3 hours) by
    participant_a, who consented to the evaluator's contact in the exit survey, and
    `other`, who did not; both answered the baseline survey."""
    other = make_cohort_member(personas.cohort_a, first_name="Odile", last_name="Quenby")
    days = ["06-01", "06-15", "06-29", "07-13", "07-27", "08-31"]
    for day in days:
        session = make_session(
            personas.cohort_a,
            f"2021-{day}T09:30",
            status=SessionStatus.DELIVERED,
            hours=Decimal(3),
        )
        for person in (personas.participant_a, other):
            Attendance.objects.create(session=session, participant=person, present=True, hours=3)
    baseline = {"resilience": 3, "business_plan": True, "evaluator_consent": False}
    make_survey_response(personas.participant_a, "baseline", dt.date(2021, 5, 25), baseline)
    make_survey_response(other, "baseline", dt.date(2021, 5, 26), {**baseline, "resilience": 5})
    make_survey_response(
        personas.participant_a, "exit", dt.date(2021, 9, 5), {"evaluator_consent": True}
    )
    personas.other = other  # type: ignore[attr-defined]
    return personas
