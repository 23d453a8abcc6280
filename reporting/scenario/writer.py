"""Step (c) of an import: write a checked `Plan`, kind by kind, in bulk.

The caller runs this inside one transaction: an error here rolls everything back.
With --update, records are updated by key and their child collections (a user's roles,
a participant's equality data and exceptions, a cohort's facilitator, members and
sessions, a session's topics, attendance, notes and action cards) replaced to match
the document. Observations and surveys, which have no key, are matched by what the
database holds unique about them.

A keyed record is updated in place, never deleted and made again, because others point
at it (attendance, observations and surveys at a session, sessions at a cohort). So when
records trade values the database holds unique together (two sessions of a cohort
swapping start times, as the demo's do when its anchor moves on a week), updating them
one by one would clash halfway: PostgreSQL and SQLite both check such a rule row by row.
Each updated record whose unique values change is therefore first parked on a temporary
value no real record holds (`UNIQUE_RULES`), then given its new values; records new to
the database are created last, once the updated ones have left the values they take.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from cohorts.models import CohortMembership
from participants.models import (
    EligibilityException,
    EligibilityStatus,
    EqualityData,
    SurveyResponse,
)
from peernet.models import Programme, RoleAssignment, User
from reporting.scenario.after_writer import AfterWriter
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


@dataclass(frozen=True)
class UniqueRule:
    """Values a keyed kind holds unique together, besides its key, and how to park a
    record on them out of the way: `park` gives `field` a temporary value, made from the
    record's primary key so that no two parked records clash either."""

    fields: tuple[str, ...]
    field: str
    park: Callable[[int], Any]
    # A partial rule: only the records that match hold a value another may want.
    condition: Q = Q()


def _parked_name(pk: int) -> str:
    # A leading tab, which no form lets through (forms strip whitespace).
    return f"\tmoving {pk}"


def _parked_email(pk: int) -> str:
    # A space, which no email address has (the schema and Django's validator refuse it).
    return f"moving {pk}@invalid"


def _parked_start(pk: int) -> dt.datetime:
    # Long before any programme: no session or one-to-one is held in 1900.
    return dt.datetime(1900, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=pk)


def _parked_eligibility(pk: int) -> str:
    # Only eligible participants hold E9, and one that is eligible has a decision date,
    # which an ineligible one needs too (participant_decision_dated).
    return EligibilityStatus.INELIGIBLE.value


# The unique rules of each keyed kind's Meta (and unique fields) that an update can
# move a record onto; a test checks that none is left out. Memberships and the other
# child collections need none: the ones being replaced are deleted before any is made.
UNIQUE_RULES: dict[str, tuple[UniqueRule, ...]] = {
    "clusters": (UniqueRule(("name",), "name", _parked_name),),
    "delivery_partners": (UniqueRule(("hub_id", "name"), "name", _parked_name),),
    "users": (UniqueRule(("email",), "email", _parked_email),),
    "participants": (
        # E9: one eligible participant per business in a programme year.
        UniqueRule(
            ("programme_id", "business_id", "eligibility_status"),
            "eligibility_status",
            _parked_eligibility,
            Q(eligibility_status=EligibilityStatus.ELIGIBLE),
        ),
    ),
    "cohorts": (UniqueRule(("hub_id", "name"), "name", _parked_name),),
    "sessions": (UniqueRule(("cohort_id", "starts_at"), "starts_at", _parked_start),),
    "one_to_ones": (UniqueRule(("participant_id", "starts_at"), "starts_at", _parked_start),),
}


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
        AfterWriter(self).write()

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
        if changed:
            self._park(kind, model, changed)
            # The key too: an account made outside a scenario is given its key here.
            fields = ["key", *rows[0].fields, *rows[0].refs]
            model.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        # Last, so that a new record may take a value an updated one has just left.
        model.objects.bulk_create(new, batch_size=BATCH_SIZE)
        for instance in (*new, *changed):
            self.ids.setdefault(kind, {})[instance.key] = instance.pk
        self.created[kind] += len(new)
        self.updated[kind] += len(changed)

    def _park(self, kind: str, model: type[models.Model], changed: list[models.Model]) -> None:
        """Move the records about to be updated off the unique values they are leaving,
        so that another record of the document may take them (see the module's text)."""
        pks = [instance.pk for instance in changed]
        for rule in UNIQUE_RULES.get(kind, ()):
            held = {
                pk: list(values)
                for pk, *values in model.objects.filter(rule.condition, pk__in=pks).values_list(
                    "pk", *rule.fields
                )
            }
            # A record that keeps its values is in no one's way, and stays put.
            parked = [
                model(pk=instance.pk, **{rule.field: rule.park(instance.pk)})
                for instance in changed
                if instance.pk in held
                and held[instance.pk] != [getattr(instance, name) for name in rule.fields]
            ]
            model.objects.bulk_update(parked, [rule.field], batch_size=BATCH_SIZE)

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
        row = self.plan.rows[kind][0]
        fields = [
            name
            for name in [*row.fields, *row.refs]
            if name not in identity and f"{name}_id" not in identity
        ]
        self.save_matched(kind, instances, identity, fields)

    def save_matched(
        self,
        kind: str,
        instances: list[models.Model],
        identity: tuple[str, ...],
        fields: list[str],
    ) -> None:
        """Update the records the database already holds with the same `identity` values
        (their `fields`), create the others; a fixed number of queries. Each instance has
        its primary key afterwards."""
        if not instances:
            return
        model = type(instances[0])
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
        if changed and fields:
            model.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        self.created[kind] += len(new)
        self.updated[kind] += len(changed)


def _unusable_password(user: models.Model) -> None:
    assert isinstance(user, User)
    # Imported staff set their own password through the reset link; none is imported.
    user.set_unusable_password()
