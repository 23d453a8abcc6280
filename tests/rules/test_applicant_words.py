"""The registration form's start page lists the rules in the applicant's words, from the
registry: each eligibility rule has its wording, and the numbers are the programme's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from peernet.models import Programme
from rules import CHECKS, criteria_for_applicants

ELIGIBILITY = [f"E{n}" for n in range(1, 11)]


def _programme(**changes: object) -> Programme:
    return Programme(
        name="Test year",
        delivery_start=dt.date(2021, 4, 1),
        delivery_end=dt.date(2022, 3, 31),
        national_target=100,
        **changes,
    )


def test_every_eligibility_rule_is_told_to_the_applicant():
    missing = [rule for rule in ELIGIBILITY if not CHECKS[rule].applicant]
    assert not missing, f"Give these rules an applicant's wording: {missing}"


def test_the_criteria_in_the_rules_order_and_kinds():
    criteria = criteria_for_applicants(_programme())
    assert len(criteria.essential) == 9  # E1–E9 must be met
    assert criteria.essential[1] == "Your business has been trading for at least 12 months."
    assert criteria.essential[3] == "Your business has a turnover of at least £100,000 a year."
    assert criteria.desirable == [
        "Your business has the potential to scale up, or exports or could export."
    ]
    assert criteria.commitments == [
        "You sign the Participant Charter, which sets out what the members of a group agree "
        "to, before you join your group.",
        "You join a group of up to 11 business leaders.",
        "Your group meets for 18 hours in all, in sessions of 2 to 3 hours led by a facilitator.",
        "You get at least 3.5 hours of one-to-one support.",
    ]


def test_another_years_numbers_change_the_words():
    criteria = criteria_for_applicants(
        _programme(min_trading_months=1, min_turnover=Decimal("80000"), cohort_hours=Decimal(20))
    )
    assert criteria.essential[1] == "Your business has been trading for at least 1 month."
    assert criteria.essential[3] == "Your business has a turnover of at least £80,000 a year."
    assert "meets for 20 hours in all" in criteria.commitments[2]


def test_no_rule_id_in_the_applicants_words():
    for check in CHECKS.values():
        assert check.rule not in check.applicant
