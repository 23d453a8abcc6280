"""The rules package as a whole: every family's module keeps the conventions the registry
relies on (numbers from the Programme record, the rule ID bound by the registry)."""

from __future__ import annotations

import datetime as dt
import io
import re
import tokenize
from decimal import Decimal
from pathlib import Path

import rules
from rules import CHECKS, Check, Outcome, Result, Verdict
from rules.cohorts import k1_cohort_size

PACKAGE = Path(rules.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
# A check's result naming a rule ID itself: `Result("E1", ...)` or `Verdict("E1", ...)`.
WRITES_AN_ID = re.compile(r"""\b(Result|Verdict)\(\s*["'][A-Z][0-9]+["']""")


def test_every_family_module_is_read():
    names = {path.stem for path in MODULES}
    assert {"registry", "records", "eligibility", "cohorts", "one_to_one"} <= names
    assert {"quality", "surveys", "monthly_return"} <= names


def test_no_playbook_number_is_written_into_any_rules_module():
    """The 2021/22 numbers live on the Programme record, never in the modules."""
    playbook = {Decimal(n) for n in ("11", "18", "3.5", "48", "24", "250", "21", "100000")}
    for path in MODULES:
        numbers = {
            Decimal(token.string)
            for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
            if token.type == tokenize.NUMBER
        }
        assert not numbers & playbook, path.name


def test_only_the_registry_names_a_result_and_no_check_writes_its_id():
    for path in MODULES:
        source = path.read_text()
        assert not WRITES_AN_ID.search(source), path.name
        if path.stem != "registry":
            assert "Result(" not in source, path.name
    assert WRITES_AN_ID.search('return Verdict("K1", Outcome.PASS, "...")')


def test_a_check_answers_a_verdict_and_the_registry_adds_its_id():
    assert isinstance(k1_cohort_size, Check)
    assert CHECKS["K1"] is k1_cohort_size
    verdict = Verdict(Outcome.PASS, "Fine.")
    registered = Check(
        rule="Z9",
        judges="cohort",
        kind="warn",
        function=lambda subject, *, as_of: verdict,
        section="",
        summary="",
    )
    result = registered(object(), as_of=dt.datetime(2021, 10, 1, tzinfo=dt.UTC))
    assert result == Result("Z9", Outcome.PASS, "Fine.")
