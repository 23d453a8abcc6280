"""The to-do list kept fresh: what a write touched is judged again in the same request.

Every write a service makes is audited (`peernet.audit.record`), and the audit event names
the record and its hub. When such an event is saved, the record is noted; once the
transaction commits, the participants and cohorts the noted records belong to are judged
again (`reporting.services.findings_judge` with a `Scope`), so the to-do list, the
dashboard and every page that reads findings show the change on the next page load, not
after the next daily scan. A record that can no longer be read (it was deleted) or that
belongs to no participant or cohort has its whole hub judged again by the worker instead.

The noting costs nothing inside the write's transaction (no query); the judging runs after
the commit, so a write is never refused or undone by it, and a failure there is logged
(`robust`) and left to the daily scan.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from cohorts.models import Cohort
from participants.models import Participant
from peernet.models import AuditAction, AuditEvent, Hub
from reporting.services import Scope, findings_judge
from reporting.tasks import findings_judge_hub
from sessions.models import Complaint

WRITES = frozenset({AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE})

Noted = tuple[int | None, str, str]  # (hub id, model label, primary key) of a written record


class Judging:
    """The records a transaction wrote, judged again once it commits. One per transaction:
    it is the transaction's on-commit callback, so a rollback drops it with its records."""

    def __init__(self) -> None:
        self.records: set[Noted] = set()

    def __call__(self) -> None:
        scopes, whole = scopes_of(self.records)
        for hub_id in sorted(whole):
            findings_judge_hub.delay_on_commit(hub_id)
        for hub in Hub.objects.filter(pk__in=scopes).order_by("pk"):
            findings_judge(hub=hub, as_of=timezone.now(), scope=scopes[hub.pk].widened())


def _note(noted: Noted) -> None:
    """Add the record to the current transaction's `Judging`, registered on its first
    write (outside a transaction, on_commit judges at once)."""
    for _, callback, _ in transaction.get_connection().run_on_commit:
        if isinstance(callback, Judging):
            callback.records.add(noted)
            return
    judging = Judging()
    judging.records.add(noted)
    transaction.on_commit(judging, robust=True)


def audit_event_saved(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    """Connected to `AuditEvent`'s post_save (reporting.apps): note a write's record."""
    if created and instance.action in WRITES:
        _note((instance.hub_id, instance.object_type, instance.object_id))


def _record(label: str, pk: str) -> Model | None:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    try:
        return model._base_manager.filter(pk=pk).first() if pk else None
    except (ValueError, TypeError):
        return None


def _place(record: Model) -> tuple[int | None, int | None]:
    """A record's participant and cohort, through the fields it has (a one-to-one's
    participant, a session's cohort, a note's session's cohort...)."""
    if isinstance(record, Participant):
        return record.pk, None
    if isinstance(record, Cohort):
        return None, record.pk
    cohort = getattr(record, "cohort_id", None)
    if cohort is None and getattr(record, "session_id", None) is not None:
        cohort = getattr(record.session, "cohort_id", None)  # type: ignore[attr-defined]
    return getattr(record, "participant_id", None), cohort


def scopes_of(records: set[Noted]) -> tuple[dict[int, Scope], set[int]]:
    """Each hub's part to judge again, and the hubs to judge whole: those with a record
    that cannot be placed (gone, or about no participant or cohort). A record of no hub
    that cannot be placed is left to the daily scan."""
    participants: set[int] = set()
    cohorts: set[int] = set()
    complaints: set[int] = set()
    whole: set[int] = set()
    for hub_id, label, pk in records:
        record = _record(label, pk)
        if isinstance(record, Complaint):
            complaints.add(record.hub_id)
            continue
        participant, cohort = _place(record) if record is not None else (None, None)
        if participant is None and cohort is None and hub_id is not None:
            whole.add(hub_id)
        if participant is not None:
            participants.add(participant)
        if cohort is not None:
            cohorts.add(cohort)
    by_hub: defaultdict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for person, hub_id in Participant.objects.filter(pk__in=participants).values_list("pk", "hub"):
        by_hub[hub_id][0].add(person)
    for group, hub_id in Cohort.objects.filter(pk__in=cohorts).values_list("pk", "hub"):
        by_hub[hub_id][1].add(group)
    for hub_id in complaints:
        by_hub[hub_id]  # noqa: B018 (a hub with only a complaint still gets its scope)
    scopes = {
        hub_id: Scope(frozenset(people), frozenset(groups), complaints=hub_id in complaints)
        for hub_id, (people, groups) in by_hub.items()
        if hub_id not in whole
    }
    return scopes, whole
