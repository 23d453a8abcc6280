"""Rules the database itself holds, whatever code writes the rows.

Each case writes one row that breaks one rule and expects the database to refuse it;
a matching valid row beside it shows the constraint is not simply refusing everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from participants.models import (
    EligibilityException,
    EligibilityStatus,
    EqualityData,
    SurveyInstrument,
    SurveyResponse,
)
from peernet.models import Programme, Role, RoleAssignment, User
from reporting.models import MonthlyReturn, ReturnVersion
from sessions.models import Attendance, OneToOneRoute
from tests.factories import (
    make_business,
    make_cohort,
    make_eligible,
    make_member,
    make_one_to_one,
    make_participant,
    make_personas,
    make_programme,
    make_session,
)

pytestmark = pytest.mark.django_db


def refused(write: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.fixture
def p():
    return make_personas()


def test_programme_window_and_parameters(p):
    refused(lambda: make_programme(name="Backwards", delivery_end=dt.date(2021, 3, 31)))
    refused(lambda: make_programme(name="No hours", cohort_hours=Decimal("0")))
    refused(lambda: make_programme(name="Odd sessions", session_hours_max=Decimal("1.5")))
    refused(lambda: make_programme(name="Due day 30", return_due_day=30))
    assert make_programme(
        name="Peer Networks 2022/23",
        delivery_start=dt.date(2022, 4, 1),
        delivery_end=dt.date(2023, 3, 31),
    ).pk
    assert Programme.objects.count() == 2


def test_e9_one_eligible_participant_per_business_per_programme(p):
    business = p.participant_a.business
    second = make_participant(p.hub_a, p.programme, business=business)
    refused(lambda: make_eligible(second))
    # An ineligible second person from the same business is allowed on record.
    second.eligibility_status = EligibilityStatus.INELIGIBLE
    second.eligibility_decided = second.registered
    second.save()
    # And the same business may take part again in another programme year.
    next_year = make_programme(
        name="Peer Networks 2022/23",
        delivery_start=dt.date(2022, 4, 1),
        delivery_end=dt.date(2023, 3, 31),
    )
    assert make_eligible(make_participant(p.hub_a, next_year, business=business)).pk


def test_participant_dates_and_decision(p):
    # C2: the privacy notice is acknowledged before anything else is captured.
    refused(
        lambda: make_participant(
            p.hub_a,
            p.programme,
            registered=dt.date(2021, 5, 3),
            privacy_notice_acknowledged=dt.date(2021, 5, 4),
        )
    )
    # A decision always has a date, and is not before registration.
    refused(
        lambda: make_participant(
            p.hub_a, p.programme, eligibility_status=EligibilityStatus.ELIGIBLE
        )
    )
    refused(
        lambda: make_participant(
            p.hub_a,
            p.programme,
            eligibility_status=EligibilityStatus.INELIGIBLE,
            eligibility_decided=dt.date(2021, 5, 2),
        )
    )
    refused(lambda: make_participant(p.hub_a, p.programme, eligibility_status="maybe"))
    # A drop-out reason needs a date; a charter signature needs its version.
    refused(lambda: make_participant(p.hub_a, p.programme, dropout_reason="Moved away"))
    refused(
        lambda: make_participant(
            p.hub_a,
            p.programme,
            charter_signed_at=dt.datetime(2021, 5, 12, 9, tzinfo=dt.UTC),
        )
    )
    ok = make_participant(
        p.hub_a,
        p.programme,
        charter_signed_at=dt.datetime(2021, 5, 12, 9, tzinfo=dt.UTC),
        charter_version="2021-1",
        dropped_out_on=dt.date(2021, 7, 1),
        dropout_reason="Moved away",
    )
    assert ok.pk


def test_exceptions_only_where_the_rule_allows_one(p):
    refused(
        lambda: EligibilityException.objects.create(
            participant=p.participant_a, rule="E4", agreed_by="Hub", agreed_on="2021-05-10"
        )
    )
    refused(
        lambda: EligibilityException.objects.create(
            participant=p.participant_a, rule="E6", agreed_by="", agreed_on="2021-05-10"
        )
    )
    assert EligibilityException.objects.create(
        participant=p.participant_a,
        rule="E6",
        agreed_by="GM LEP and Lancashire LEP",
        agreed_on="2021-05-10",
    ).pk


def test_equality_values_from_the_vocabulary_only(p):
    refused(lambda: EqualityData.objects.create(participant=p.participant_a, gender="unknown"))
    assert EqualityData.objects.create(participant=p.participant_b, gender="", age_band="65+").pk


def test_business_money_is_not_negative():
    refused(lambda: make_business(turnover=Decimal("-1")))
    refused(lambda: make_business(sector="Z"))
    assert make_business(turnover=Decimal("0")).pk


def test_membership_one_current_cohort_and_ordered_dates(p):
    # participant_a is a current member of cohort_a already.
    refused(lambda: make_member(p.cohort_a2, p.participant_a, joined=dt.date(2021, 6, 1)))
    refused(
        lambda: make_member(
            p.cohort_a2, p.participant_a2, joined=dt.date(2021, 6, 1), left=dt.date(2021, 5, 1)
        )
    )
    # A move: the old membership ends, the new one starts; both are kept.
    p.participant_a.memberships.update(left=dt.date(2021, 5, 31))
    assert make_member(p.cohort_a2, p.participant_a, joined=dt.date(2021, 6, 1)).pk
    assert p.participant_a.memberships.count() == 2


def test_group_sessions_and_attendance(p):
    refused(lambda: make_session(p.cohort_a, hours=Decimal("0")))
    refused(lambda: make_session(p.cohort_a, status="postponed"))
    session = make_session(p.cohort_a, "2021-06-01T09:30")
    refused(lambda: make_session(p.cohort_a, "2021-06-01T09:30"))  # same start twice
    refused(
        lambda: Attendance.objects.create(
            session=session, participant=p.participant_a, present=True, hours=0
        )
    )
    refused(
        lambda: Attendance.objects.create(
            session=session, participant=p.participant_a, present=False, hours=1
        )
    )
    Attendance.objects.create(
        session=session, participant=p.participant_a, present=True, hours=Decimal("2.5")
    )
    refused(
        lambda: Attendance.objects.create(
            session=session, participant=p.participant_a, present=False, hours=0
        )
    )


def test_one_to_one_route_is_recorded(p):
    # O1: the existing programme is named; the programme route has a provider.
    refused(lambda: make_one_to_one(p.participant_a, None, route=OneToOneRoute.EXISTING))
    refused(lambda: make_one_to_one(p.participant_a, None, route=OneToOneRoute.PROGRAMME))
    refused(lambda: make_one_to_one(p.participant_a, p.provider, hours=Decimal("0")))
    refused(
        lambda: make_one_to_one(
            p.participant_a,
            p.provider,
            route=OneToOneRoute.PROGRAMME,
            existing_programme="Made Smarter",
        )
    )
    assert make_one_to_one(
        p.participant_a, None, route=OneToOneRoute.EXISTING, existing_programme="Made Smarter"
    ).pk


def test_role_assignments_match_their_scope(p):
    user = User.objects.create_user(email="new@example.org", name="New")
    refused(lambda: RoleAssignment.objects.create(user=user, role=Role.HUB_ADMIN))
    refused(lambda: RoleAssignment.objects.create(user=user, role=Role.FUNDER, hub=p.hub_a))
    refused(
        lambda: RoleAssignment.objects.create(
            user=user, role=Role.HUB_ADMIN, hub=p.hub_a, cohort=p.cohort_a
        )
    )
    # cohort_a already has its facilitator.
    refused(
        lambda: RoleAssignment.objects.create(
            user=user, role=Role.FACILITATOR, hub=p.hub_a, cohort=p.cohort_a
        )
    )
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR)
    refused(lambda: RoleAssignment.objects.create(user=user, role=Role.COORDINATOR))
    RoleAssignment.objects.create(user=user, role=Role.HUB_ADMIN, hub=p.hub_a)
    refused(lambda: RoleAssignment.objects.create(user=user, role=Role.HUB_ADMIN, hub=p.hub_a))


def test_user_email_stored_lower_case():
    refused(lambda: User.objects.create(email="Someone@Example.org", name="Someone"))
    assert User.objects.create_user(email="Someone@Example.org", name="S").email == (
        "someone@example.org"
    )


def test_survey_responses(p):
    baseline = SurveyInstrument.objects.get(kind="baseline", active=True)
    feedback = SurveyInstrument.objects.get(kind="session_feedback", active=True)
    session = make_session(p.cohort_a)

    def answer(instrument, **fields):
        """participant_a's answers to `instrument` (of its kind)."""
        return SurveyResponse.objects.create(
            participant=p.participant_a, instrument=instrument, kind=instrument.kind, **fields
        )

    refused(lambda: answer(feedback, completed="2021-06-02"))  # feedback names its session
    refused(lambda: answer(baseline, session=session, completed="2021-06-02"))  # baseline not
    answer(baseline, completed="2021-05-20")
    refused(lambda: answer(baseline, completed="2021-05-21"))  # one baseline a participant
    refused(
        lambda: SurveyInstrument.objects.create(
            kind="baseline", version=2, title="Second active", questions=[], active=True
        )
    )


def test_monthly_returns_and_versions(p):
    refused(lambda: MonthlyReturn.objects.create(hub=p.hub_a, month=dt.date(2021, 10, 2)))
    monthly = MonthlyReturn.objects.create(hub=p.hub_a, month=dt.date(2021, 10, 1))
    refused(lambda: MonthlyReturn.objects.create(hub=p.hub_a, month=dt.date(2021, 10, 1)))

    def version(number: int, reason: str = "") -> ReturnVersion:
        return ReturnVersion.objects.create(
            monthly_return=monthly,
            version=number,
            figures={},
            breakdowns={},
            sha256="0" * 64,
            submitted_at=dt.datetime(2021, 11, 5, tzinfo=dt.UTC),
            submitted_by=p.hub_a_admin,
            reason=reason,
        )

    version(1)
    refused(lambda: version(2))  # a resubmission needs a reason
    refused(lambda: version(1, reason="again"))
    assert version(2, reason="Late attendance added").pk


def test_cohort_names_unique_within_a_hub(p):
    refused(lambda: make_cohort(p.hub_a, p.programme, name=p.cohort_a.name))
    assert make_cohort(p.hub_b, p.programme, name=p.cohort_a.name).pk
