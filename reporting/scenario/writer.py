"""Step (c) of an import: write a checked `Plan`, kind by kind, in bulk.

The caller runs this inside one transaction: an error here rolls everything back.
With --update, records are updated by key and their child collections (a user's roles,
a participant's equality data and exceptions, a cohort's facilitator, members and
sessions, a session's topics, attendance, notes and action cards) replaced to match
the document. Observations and surveys, which have no key, are matched by what the
database holds unique about them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import models

from cohorts.models import CohortMembership
from participants.models import EligibilityException, EqualityData, SurveyResponse
from peernet.models import Programme, RoleAssignment, User
from reporting.scenario.plan import KEYED_MODELS, Plan, Row
from sessions.models import (
    ActionCard,
    Attendance,
    FacilitatorNote,
    GroupSession,
    Observation,
)

BATCH_SIZE = 500
SessionTopic = GroupSession.topics.through


class Writer:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # kind → key → primary key, for resolving references as records are written
        self.ids: dict[str, dict[str, int]] = {
            kind: dict(keys) for kind, keys in plan.existing.items()
        }
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.kind = ""  # what is being written, for reporting a database error

    def write(self) -> None:
        self._write_programme()
        for kind in ("clusters", "hubs", "delivery_partners"):
            self._save_keyed(kind)
        self._save_keyed("users", prepare=_unusable_password)
        self._replace_children(
            "roles",
            RoleAssignment.objects.filter(
                user_id__in=self.plan.existing_pks("users"), cohort__isnull=True
            ),
        )
        self._save_keyed("businesses")
        self._save_keyed("participants")
        existing_participants = self.plan.existing_pks("participants")
        for kind, model in (("equality", EqualityData), ("exceptions", EligibilityException)):
            stale = model.objects.filter(participant_id__in=existing_participants)
            self._replace_children(kind, stale)
        self._write_cohorts()
        self._save_keyed("one_to_ones")
        self._upsert("observations", Observation, ("session_id", "observer_id"))
        self._save_keyed("complaints")
        self._upsert("surveys", SurveyResponse, ("participant_id", "kind", "session_id"))

    def _write_cohorts(self) -> None:
        self._save_keyed("cohorts")
        cohorts = self.plan.existing_pks("cohorts")
        self._replace_children("facilitators", RoleAssignment.objects.filter(cohort_id__in=cohorts))
        self._replace_children(
            "memberships", CohortMembership.objects.filter(cohort_id__in=cohorts)
        )
        # A session the document no longer gives is deleted with its cohort's other
        # children; one that has been observed is protected, and the import fails.
        self.kind = "sessions"
        GroupSession.objects.filter(cohort_id__in=cohorts).exclude(
            key__in=self.plan.defined_keys("sessions")
        ).delete()
        self._save_keyed("sessions")
        sessions = self.plan.existing_pks("sessions")
        for kind, model in (
            ("session_topics", SessionTopic),
            ("attendance", Attendance),
            ("facilitator_notes", FacilitatorNote),
            ("action_cards", ActionCard),
        ):
            field = "groupsession_id" if model is SessionTopic else "session_id"
            self._replace_children(kind, model.objects.filter(**{f"{field}__in": sessions}))

    # -- ways of writing ---------------------------------------------------------------

    def _write_programme(self) -> None:
        self.kind = "programme"
        name = self.plan.programme["name"]
        pk = self.ids.setdefault("programme", {}).get(name)
        values = {**self.plan.programme, **self.plan.rules}
        if pk is None:
            programme = Programme.objects.create(**values)
            self.ids["programme"][name] = programme.pk
            self.created["programme"] += 1
        elif self.plan.update:
            Programme.objects.filter(pk=pk).update(**values)
            self.updated["programme"] += 1

    def _build(self, model: type[models.Model], row: Row) -> models.Model:
        values: dict[str, Any] = dict(row.fields)
        for name, ref in row.refs.items():
            values[f"{name}_id"] = None if ref is None else self.ids[ref.kind][ref.key]
        if row.key is not None:
            values["key"] = row.key
        return model(**values)

    def _save_keyed(self, kind: str, prepare: Callable[[models.Model], None] | None = None) -> None:
        """Create the new records of a keyed kind and update the existing ones."""
        self.kind = kind
        model = KEYED_MODELS[kind]
        rows = [row for row in self.plan.rows[kind] if (kind, row.key) not in self.plan.reused]
        new: list[models.Model] = []
        changed: list[models.Model] = []
        for row in rows:
            instance = self._build(model, row)
            existing = self.plan.existing[kind].get(row.key or "")
            if existing is None:
                if prepare is not None:
                    prepare(instance)
                new.append(instance)
            else:
                instance.pk = existing
                changed.append(instance)
        model.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            # The key too: an account made outside a scenario is given its key here.
            fields = ["key", *rows[0].fields, *rows[0].refs]
            model.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        for instance in (*new, *changed):
            self.ids.setdefault(kind, {})[instance.key] = instance.pk
        self.created[kind] += len(new)
        self.updated[kind] += len(changed)

    def _replace_children(self, kind: str, stale: models.QuerySet) -> None:
        """Delete the children the database holds for the records being updated, then
        create the document's."""
        self.kind = kind
        if self.plan.update:
            stale.delete()
        rows = self.plan.rows[kind]
        if kind == "roles":
            # A user repeated exactly from an earlier document already holds these roles.
            rows = [row for row in rows if ("users", row.refs["user"].key) not in self.plan.reused]
        model = stale.model
        model.objects.bulk_create([self._build(model, row) for row in rows], batch_size=BATCH_SIZE)
        self.created[kind] += len(rows)

    def _upsert(self, kind: str, model: type[models.Model], identity: tuple[str, ...]) -> None:
        """Records without a key, matched by the fields the database holds unique."""
        self.kind = kind
        instances = [self._build(model, row) for row in self.plan.rows[kind]]
        if not instances:
            return
        first = identity[0]
        owners = {getattr(instance, first) for instance in instances}
        existing = {
            tuple(values[1:]): values[0]
            for values in model.objects.filter(**{f"{first}__in": owners}).values_list(
                "pk", *identity
            )
        }
        new: list[models.Model] = []
        changed: list[models.Model] = []
        for instance in instances:
            pk = existing.get(tuple(getattr(instance, name) for name in identity))
            if pk is None:
                new.append(instance)
            else:
                instance.pk = pk
                changed.append(instance)
        model.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            row = self.plan.rows[kind][0]
            fields = [
                name
                for name in [*row.fields, *row.refs]
                if name not in identity and f"{name}_id" not in identity
            ]
            model.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        self.created[kind] += len(new)
        self.updated[kind] += len(changed)


def _unusable_password(user: models.Model) -> None:
    assert isinstance(user, User)
    # Imported staff set their own password through the reset link; none is imported.
    user.set_unusable_password()
