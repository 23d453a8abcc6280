"""The rule registry: how a programme rule is registered, judged and enforced.

Each Playbook rule that can be judged has one check, a function registered here with
`@check("E1", judges=..., kind=..., section=..., summary=...)` in its family's module
(rules/eligibility.py, cohorts.py, one_to_one.py, quality.py, surveys.py,
monthly_return.py). A check takes its subject and the moment to judge at and answers a
`Verdict`: pass, warn, fail or not applicable, one sentence, and where there is one the
date by which something must happen. The registry binds the rule ID, so every caller
gets a `Result` that names its rule. Rules no check judges are `FEATURES`.

At an action, `run_rules` asks the action's own checks and `enforce` refuses it on a
fail (`RuleBroken`), handing back the warnings to show and record.
"""

from __future__ import annotations

import datetime as dt
import string
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from django.core.exceptions import ValidationError

from peernet.models import Programme
from peernet.words import money_words, number_words


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    WARN = "warn"  # advisory: the Playbook recommends, local discretion
    FAIL = "fail"  # the Playbook says "must"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Result:
    rule: str
    outcome: Outcome
    sentence: str
    due: dt.date | None = None  # by when something must happen, when there is a date


@dataclass(frozen=True)
class Verdict:
    """What a check function answers; the registry adds the rule ID it was registered
    with, so a check never writes its own ID."""

    outcome: Outcome
    sentence: str
    due: dt.date | None = None


Judges = Literal[
    "participant",
    "business",
    "cohort",
    "session",
    "one_to_one",
    "observation",
    "facilitator",
    "complaint",
    "monthly_return",
]
Kind = Literal["fail", "warn", "—"]
CheckFunction = Callable[..., Verdict]


@dataclass(frozen=True)
class Check:
    """A registered rule: what it judges, how severe it is, how, and what it says about
    itself. The registry is the source of docs/rules.md, so the docs cannot drift from
    the checks (`manage.py docs_generate`; a test fails on a stale file)."""

    rule: str
    judges: Judges
    kind: Kind
    function: CheckFunction
    # The Playbook section(s) the rule comes from, to read its original wording.
    section: str
    # What the check looks at and when it warns or fails, in a hub administrator's words.
    # `{cohort_size}` and the like name the Programme record's parameters, and names in
    # capitals the check's module's own thresholds, so the words carry each year's numbers;
    # `{name:noun}` counts a noun (`{one_to_one_months_after_final:month}`: 1 month).
    summary: str
    # What the rule asks of someone applying, in their words ("Your business …"), with
    # the same placeholders; empty for a rule an applicant is not told up front.
    applicant: str = ""

    @property
    def name(self) -> str:
        return self.function.__name__

    def constant(self, name: str) -> Any:
        """One of the thresholds fixed in the check's own module (`K13_SERIES`)."""
        return getattr(sys.modules[self.function.__module__], name)

    def summary_for(self, programme: Programme) -> str:
        return summary_words(self.summary, programme, constant=self.constant)

    def applicant_for(self, programme: Programme) -> str:
        return summary_words(self.applicant, programme, constant=self.constant)

    def __call__(self, subject: Any, *, as_of: dt.datetime) -> Result:
        if as_of.tzinfo is None or as_of.utcoffset() is None:
            raise ValueError(f"{self.rule}: as_of must be an aware datetime, not {as_of!r}.")
        return self.judged(self.function(subject, as_of=as_of))

    def judged(self, verdict: Verdict) -> Result:
        """The check's result for a verdict, also one reached from the check's own
        definition outside a call (K6 from a list's hours, read in SQL)."""
        return Result(self.rule, verdict.outcome, verdict.sentence, verdict.due)


CHECKS: dict[str, Check] = {}

# The Playbook's families in its own order: eligibility, charter, cohorts, one-to-one,
# quality, surveys, monthly returns, then the data protection rules.
FAMILY_ORDER = "ECKOQSMG"


def rule_order(rule: str) -> tuple[int, int]:
    """E1 < E2 < E10 < C1 < K1 ...: a rule ID's place in the Playbook."""
    return FAMILY_ORDER.index(rule[0]), int(rule[1:])


def check(
    rule: str, *, judges: Judges, kind: Kind, section: str, summary: str, applicant: str = ""
) -> Callable[[CheckFunction], Check]:
    """Register the decorated function as the check for `rule`. The name it is defined
    under becomes the registered `Check`, so calling it gives a `Result` with the ID."""

    def register(function: CheckFunction) -> Check:
        if rule in CHECKS:
            raise ValueError(f"{rule} already has a check: {CHECKS[rule].name}.")
        registered = Check(
            rule=rule,
            judges=judges,
            kind=kind,
            function=function,
            section=section,
            summary=summary,
            applicant=applicant,
        )
        # CHECKS stays in the Playbook's order, whichever family registers first.
        ordered = sorted([*CHECKS.values(), registered], key=lambda each: rule_order(each.rule))
        CHECKS.clear()
        CHECKS.update((each.rule, each) for each in ordered)
        return registered

    return register


def run_checks(subject: Any, *, as_of: dt.datetime, judges: Judges) -> list[Result]:
    """Every registered check for this kind of subject, in rule order."""
    return [each(subject, as_of=as_of) for each in CHECKS.values() if each.judges == judges]


@dataclass(frozen=True)
class Feature:
    """A programme rule that no check judges: the product keeps it by how it is built
    (its pages, exports and deployment). Listed beside the checks, so that docs/rules.md
    and the test of every rule ID cover the whole programme."""

    rule: str
    kind: Kind
    section: str
    summary: str
    kept_by: str  # where the product keeps it

    def summary_for(self, programme: Programme) -> str:
        return summary_words(self.summary, programme)


FEATURES: dict[str, Feature] = {
    feature.rule: feature
    for feature in (
        Feature(
            "M2",
            "—",
            "Reporting and Evaluation Framework",
            "The returns are read at national, cluster and hub level, with each hub's "
            "supporting narrative.",
            "The national pages (/national/) and their downloads; a return cannot be "
            "submitted without its narrative.",
        ),
        Feature(
            "M3",
            "—",
            "One-to-one support provision",
            "The return says whether one-to-one support came through the programme or an "
            "existing local programme, and whether the minimum was met.",
            "The return's one-to-one hours by route, and the participants meeting the "
            "minimum through the programme, existing programmes or both.",
        ),
        Feature(
            "M4",
            "—",
            "Impact Assessment & Evaluation",
            "Baseline data goes to the evaluator in one fixed format.",
            "The evaluator's baseline export (XLSX, pseudonymous), among the national downloads.",
        ),
        Feature(
            "G1",
            "—",
            "UK GDPR",
            "BEIS is the data controller; hubs and their delivery partners process the data "
            "for it.",
            "Who may see what (peernet/access.py): BEIS sees aggregates only; the national "
            "coordinator answers subject access requests and keeps the breach register "
            "(/privacy/).",
        ),
        Feature(
            "G2",
            "—",
            "UK GDPR",
            "Personal data is not transferred outside the UK.",
            "A deployment fact: the README's data protection section says where everything "
            "must run.",
        ),
        Feature(
            "G3",
            "fail",
            "UK GDPR",
            "A participant's data is shared with the evaluator only as the privacy notice allows.",
            "The evaluator's exports carry pseudonyms, never names; contact details go on "
            "the evaluator's list only for participants who consented.",
        ),
    )
}

# Rule parameters shown as money, not as plain numbers.
MONEY_PARAMETERS = frozenset({"sme_max_turnover", "sme_max_balance_sheet", "min_turnover"})


def rule_parameters() -> list[str]:
    """The Programme record's rule parameters: every field with a default, in order."""
    return [
        field.name
        for field in Programme._meta.concrete_fields
        if field.has_default() and not field.primary_key
    ]


def parameter_words(programme: Programme, name: str) -> str:
    """One of `programme`'s rule parameters as a sentence writes it: 11, 3.5, £100,000."""
    value = getattr(programme, name)
    return money_words(value) if name in MONEY_PARAMETERS else number_words(value)


def placeholders(summary: str) -> list[str]:
    """The names a rule's summary takes its numbers from, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(summary) if name]


class _Number(str):
    """A number in a rule's summary; a format spec is the noun it counts (1 month)."""

    __slots__ = ()

    def __format__(self, noun: str) -> str:
        return f"{self} {noun}{'' if self == '1' else 's'}" if noun else str(self)


def summary_words(
    summary: str, programme: Programme, *, constant: Callable[[str], Any] | None = None
) -> str:
    """A rule's summary with `programme`'s numbers (and, through `constant`, the check's
    own thresholds: the names in capitals)."""
    numbers = {
        name: _Number(
            constant(name)
            if constant is not None and name.isupper()
            else parameter_words(programme, name)
        )
        for name in placeholders(summary)
    }
    return summary.format_map(numbers)


@dataclass(frozen=True)
class Criteria:
    """What the public registration form tells someone before they apply, in their
    words and with `programme`'s numbers: who can take part (the eligibility rules that
    must be met), what helps (those that are desirable), and what taking part asks."""

    essential: list[str]
    desirable: list[str]
    commitments: list[str]


def criteria_for_applicants(programme: Programme) -> Criteria:
    """Each registered check's applicant wording, so the page cannot drift from the rules
    the hub's decision asks."""
    worded = [each for each in CHECKS.values() if each.applicant]
    eligibility = [each for each in worded if each.rule.startswith("E")]
    return Criteria(
        essential=[each.applicant_for(programme) for each in eligibility if each.kind == "fail"],
        desirable=[each.applicant_for(programme) for each in eligibility if each.kind == "warn"],
        commitments=[
            each.applicant_for(programme) for each in worded if not each.rule.startswith("E")
        ],
    )


# --- enforcing the checks at an action --------------------------------------------------
# Eligibility decisions, allocation, scheduling, one-to-one logging and observation
# booking ask their own checks: a fail blocks the action with its sentence, a warn is
# shown and recorded (rules.services: judge_and_record).


def refusal_words(result: Result) -> str:
    """How a page shows a failing check: its sentence, then its rule (as the to-do list
    does): "… a cohort has at most 11. (K1)"."""
    return f"{result.sentence} ({result.rule})"


class RuleBroken(ValidationError):
    """An action refused because a check failed; `results` are the failing checks.

    A `ValidationError`, so a view turns it into errors as it does any other refusal
    (`form.add_error(None, refusal)`, or `refusal.messages`): one message per failing
    check, in `refusal_words`. As text it is the sentences alone.
    """

    def __init__(self, results: Iterable[Result]) -> None:
        self.results = list(results)
        super().__init__([refusal_words(result) for result in self.results])

    def __str__(self) -> str:
        return " ".join(result.sentence for result in self.results)


def run_rules(subject: Any, rules: Iterable[str], *, as_of: dt.datetime) -> list[Result]:
    """The named checks on one subject, in the order given (an action asks only its own)."""
    return [CHECKS[rule](subject, as_of=as_of) for rule in rules]


def enforce(
    results: Iterable[Result], *, exceptions_allowed: Collection[str] = frozenset()
) -> list[Result]:
    """Raise `RuleBroken` for any fail not excused; return the warnings to show and record.

    E6 and E8 already pass when their exception is recorded, so `exceptions_allowed` is
    for a caller that has excused a rule some other way.
    """
    results = list(results)
    broken = [r for r in results if r.outcome == Outcome.FAIL and r.rule not in exceptions_allowed]
    if broken:
        raise RuleBroken(broken)
    return [r for r in results if r.outcome == Outcome.WARN]
