"""What an action does with its rules: ask them, refuse on a fail, record the warnings.

Allocating, scheduling, changing a session, logging or changing a one-to-one and booking
an observation each ask their own checks on the state they would leave, inside their
transaction: a fail refuses the whole action (`RuleBroken`, so nothing is written), and
the warnings are shown and recorded as `RuleWarning`s, with who acted and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from peernet.models import Hub, RuleWarning, User
from rules.registry import Judges, Outcome, Result, enforce, run_rules


@dataclass(frozen=True)
class Judging:
    """One subject an action asks about: its kind, the subject as its checks read it
    (reloaded with the prefetches its checks name) and the rules to ask, in order."""

    kind: Judges
    subject: Any
    rules: Sequence[str]


@transaction.atomic
def judge_and_record(
    *,
    judging: Iterable[Judging],
    hub: Hub,
    action: str,
    by: User | None,
    as_of: dt.datetime,
    exceptions_allowed: Collection[str] = frozenset(),
) -> list[Result]:
    """Ask each subject its rules; raise `RuleBroken` on any fail not excused; record the
    warnings of each subject at `action`. Returns the warnings, to show."""
    asked = [(each, run_rules(each.subject, each.rules, as_of=as_of)) for each in judging]
    warnings = enforce(
        [result for _, results in asked for result in results],
        exceptions_allowed=exceptions_allowed,
    )
    for each, results in asked:
        rule_warnings_record(
            results=results,
            subject_kind=each.kind,
            subject_id=each.subject.pk,
            hub=hub,
            action=action,
            by=by,
        )
    return warnings


@transaction.atomic
def rule_warnings_record(
    *,
    results: Iterable[Result],
    subject_kind: Judges,
    subject_id: int,
    hub: Hub,
    action: str,
    by: User | None,
) -> list[RuleWarning]:
    """Record the warnings among `results` that were shown at `action` (the others are
    ignored, so a caller may pass every result of its checks)."""
    now = timezone.now()
    return RuleWarning.objects.bulk_create(
        RuleWarning(
            rule=result.rule,
            subject_kind=subject_kind,
            subject_id=subject_id,
            hub=hub,
            sentence=result.sentence,
            action=action,
            recorded_by=by,
            recorded_at=now,
        )
        for result in results
        if result.outcome == Outcome.WARN
    )
