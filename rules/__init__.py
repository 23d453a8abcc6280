"""The programme rules: one named check per rule ID (docs/rules.md, generated from this
registry by `manage.py docs_generate`).

Every page, to-do list, the at-risk scan and the monthly return ask these checks, so a
rule is decided in exactly one place. `rules.registry` holds what every check shares (the
`@check` decorator, `CHECKS`, `Result`, `enforce`); each Playbook family has its module:

- `eligibility`: E1–E10 and the charter, C1–C2 (a participant);
- `cohorts`: K1–K13 (a cohort, a group session, a participant's place in a cohort);
- `one_to_one`: O1–O8 and the dates they set;
- `quality`: Q1–Q5 (facilitators, observations, complaints);
- `surveys`: S1–S5;
- `monthly_return`: M1 and when a return is due;
- `records`: what several families read from the records (members on a day, sessions
  delivered, who was present) and the joining instructions both K7 and O5 judge.

Conventions every check follows:

- Numbers come from the subject's `Programme` record, never from these modules, so another
  programme year can change them. Hours and money are `Decimal`.
- Calendar rules (a date inside the delivery window, "by the 7th") compare dates in
  Europe/London; durations ("48 hours before") compare real elapsed time, so 48 hours
  across a clock change are 48 real hours (`peernet.calendar.elapsed`).
- Related rows are read through `.all()` on relations and filtered in Python, so a
  caller scanning many subjects can `prefetch_related` them once instead of paying a
  query per subject. Suggested prefetches are in each family's comments.
"""

from peernet.calendar import add_months
from peernet.words import date_words, hours_words
from peernet.words import duration_words as _duration
from peernet.words import money_words as _money
from peernet.words import when_words as _when
from rules import cohorts, eligibility, monthly_return, one_to_one, quality, surveys
from rules.registry import (
    CHECKS,
    FEATURES,
    Check,
    Criteria,
    Feature,
    Judges,
    Outcome,
    Result,
    RuleBroken,
    Verdict,
    check,
    criteria_for_applicants,
    enforce,
    placeholders,
    rule_parameters,
    run_checks,
    run_rules,
    summary_words,
)

# The families, imported for their checks to register; the registry's own names, for
# `from rules import CHECKS, Outcome, enforce`; and the old names the rule tests still
# reach through the package (`rules.add_months`, `rules._money`), whose homes are
# peernet.calendar and peernet.words.
__all__ = [
    "CHECKS",
    "FEATURES",
    "Check",
    "Criteria",
    "Feature",
    "Judges",
    "Outcome",
    "Result",
    "RuleBroken",
    "Verdict",
    "_duration",
    "_money",
    "_when",
    "add_months",
    "check",
    "cohorts",
    "criteria_for_applicants",
    "date_words",
    "eligibility",
    "enforce",
    "hours_words",
    "monthly_return",
    "one_to_one",
    "placeholders",
    "quality",
    "rule_parameters",
    "run_checks",
    "run_rules",
    "summary_words",
    "surveys",
]
