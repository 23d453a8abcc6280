"""Import a scenario document (docs/scenario-format.md): all or nothing (docs/security.md §20).

(a) validate against the published JSON Schema and report every error; (b) resolve
every key and check every rule the database would refuse, reporting every problem;
(c) write everything in one transaction, rolled back and reported if the database
still refuses something. Nothing is ever half-written.

(a) and (b) report together: (b) reads what (a) found readable, so one run lists the
document's faults of form (an unknown field, a negative number of hours) and of value
(a date not in the calendar, a key that names nothing) alike, and whoever fixes the
document does not meet a second list after fixing the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import ProtectedError

from reporting.scenario.plan import Plan
from reporting.scenario.problems import Problem, ScenarioError
from reporting.scenario.reader import Reader
from reporting.scenario.validation import check_schema
from reporting.scenario.writer import Writer


@dataclass(frozen=True)
class ImportSummary:
    """How many records of each kind an import created and updated."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Records written per kind, created or updated."""
        kinds = [*self.created, *(kind for kind in self.updated if kind not in self.created)]
        return {kind: self.created.get(kind, 0) + self.updated.get(kind, 0) for kind in kinds}

    def lines(self) -> list[str]:
        return [
            f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated"
            for kind, count in self.counts.items()
            if count
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def document_problems(document: Any, *, update: bool = False) -> tuple[Plan, list[Problem]]:
    """Steps (a) and (b): every problem with the document, of form and of value, and the
    plan to write when there are none. Looks keys up in the database; writes nothing."""
    schema = check_schema(document)
    problems = list(schema.problems)
    plan = Plan(programme={}, rules={}, update=update)
    if schema.readable is not None:
        plan, found = Reader(schema.readable, update=update, faulty=schema.faulty).read()
        # What the schema refused, the reader would only say again in other words.
        problems += [problem for problem in found if not schema.covers(problem.path)]
    return plan, problems


def import_document(document: dict[str, Any], *, update: bool = False) -> ImportSummary:
    """Import one document; raises `ScenarioError` with every problem, having written
    nothing. With `update`, records whose keys exist are updated instead of refused."""
    plan, problems = document_problems(document, update=update)
    if problems:
        raise ScenarioError(problems)
    writer = Writer(plan)
    try:
        with transaction.atomic():
            writer.write()
    except ProtectedError as exc:
        # --update replaces a cohort's sessions; one that is observed cannot go.
        kept = ", ".join(sorted(str(record) for record in exc.protected_objects))
        message = (
            f"the document leaves out records that others depend on ({kept}); nothing was written"
        )
        raise ScenarioError([Problem(writer.kind, message)]) from exc
    except DatabaseError as exc:
        # A rule only the database holds (e.g. a clash with a record outside the
        # document): the transaction is rolled back, so nothing was written.
        message = f"the database refused the import, so nothing was written: {exc}"
        raise ScenarioError([Problem(writer.kind, message)]) from exc
    return ImportSummary(
        created={kind: n for kind, n in writer.created.items() if n},
        updated={kind: n for kind, n in writer.updated.items() if n},
    )
