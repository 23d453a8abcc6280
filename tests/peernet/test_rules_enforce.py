"""Enforcing the checks at an action: `enforce`, `RuleBroken`, `rule_warnings_record`."""

from __future__ import annotations

import pytest

from peernet.models import Role, RuleWarning
from rules import CHECKS, Outcome, Result, RuleBroken, enforce, run_rules
from rules.services import rule_warnings_record
from tests.factories import local, make_cohort, make_hub, make_programme, make_user

PASSED = Result("E5", Outcome.PASS, "Alex Smith has declared an aspiration to improve.")
WARNED = Result("E10", Outcome.WARN, "Acme Ltd is not recorded as exporting.")
FAILED = Result("E6", Outcome.FAIL, "Leeds is outside the GM LEP area.")
FAILED_TOO = Result("E8", Outcome.FAIL, "Alex Smith took part last year.")
NOT_APPLICABLE = Result("O8", Outcome.NOT_APPLICABLE, "Alex Smith has not declined.")


def test_enforce_returns_the_warnings_when_nothing_fails():
    assert enforce([PASSED, WARNED, NOT_APPLICABLE]) == [WARNED]
    assert enforce([]) == []


def test_enforce_raises_with_every_failure_in_order():
    with pytest.raises(RuleBroken) as refused:
        enforce([PASSED, FAILED, WARNED, FAILED_TOO])
    assert refused.value.results == [FAILED, FAILED_TOO]
    assert str(refused.value) == "Leeds is outside the GM LEP area. Alex Smith took part last year."


def test_enforce_lets_an_excused_rule_through():
    assert enforce([FAILED, WARNED], exceptions_allowed={"E6"}) == [WARNED]
    with pytest.raises(RuleBroken) as refused:
        enforce([FAILED, FAILED_TOO], exceptions_allowed={"E6"})
    assert refused.value.results == [FAILED_TOO]


@pytest.mark.django_db
def test_run_rules_asks_only_the_named_checks_in_order():
    cohort = make_cohort(make_hub("gm"), make_programme(), name="Greater Manchester 3")
    results = run_rules(cohort, ["K6", "K1"], as_of=local("2021-05-20T12:00"))
    assert [r.rule for r in results] == ["K6", "K1"]
    # K1 on a forming cohort with no session yet.
    assert results[1] == Result(
        "K1", Outcome.PASS, "Greater Manchester 3 has 0 participants; the target is 11."
    )
    assert CHECKS["K1"].judges == "cohort"


@pytest.mark.django_db
def test_rule_warnings_record_keeps_only_the_warnings():
    hub = make_hub("gm")
    admin = make_user(Role.HUB_ADMIN, hub=hub)
    recorded = rule_warnings_record(
        results=[PASSED, WARNED, FAILED, NOT_APPLICABLE],
        subject_kind="participant",
        subject_id=42,
        hub=hub,
        action="participant_decide_eligibility",
        by=admin,
    )
    row = RuleWarning.objects.get()
    assert recorded == [row]
    assert (
        row.rule,
        row.sentence,
        row.subject_kind,
        row.subject_id,
        row.hub,
        row.action,
        row.recorded_by,
    ) == (
        "E10",
        "Acme Ltd is not recorded as exporting.",
        "participant",
        42,
        hub,
        "participant_decide_eligibility",
        admin,
    )
    assert row.recorded_at is not None


@pytest.mark.django_db
def test_rule_warnings_are_scoped_to_their_hub():
    hub_a, hub_b = make_hub("hub-a"), make_hub("hub-b")
    admin_a = make_user(Role.HUB_ADMIN, hub=hub_a)
    for hub in (hub_a, hub_b):
        rule_warnings_record(
            results=[WARNED],
            subject_kind="participant",
            subject_id=1,
            hub=hub,
            action="participant_decide_eligibility",
            by=None,
        )
    assert [w.hub for w in RuleWarning.objects.visible_to(admin_a)] == [hub_a]
