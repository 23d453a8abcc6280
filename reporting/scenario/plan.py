"""What an import will write: rows of model field values, with references still by key.

The reader (step b) builds a `Plan` from a document that passed the schema; the writer
(step c) resolves each `Ref` to a primary key as the records it names are written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from cohorts.models import Cohort
from participants.models import Business, Participant
from peernet.models import Cluster, DeliveryPartner, Hub, User
from sessions.models import Complaint, GroupSession, OneToOneSession

# The kinds of record with a document key, in the order they are written, with the
# noun an error message uses for each.
KEYED_KINDS = {
    "clusters": "cluster",
    "hubs": "hub",
    "delivery_partners": "delivery partner",
    "users": "user",
    "businesses": "business",
    "participants": "participant",
    "cohorts": "cohort",
    "sessions": "session",
    "one_to_ones": "one-to-one",
    "complaints": "complaint",
}

KEYED_MODELS: dict[str, type[models.Model]] = {
    "clusters": Cluster,
    "hubs": Hub,
    "delivery_partners": DeliveryPartner,
    "users": User,
    "businesses": Business,
    "participants": Participant,
    "cohorts": Cohort,
    "sessions": GroupSession,
    "one_to_ones": OneToOneSession,
    "complaints": Complaint,
}

# Kinds that references may name but that the document never defines: the programme
# (by name), the seeded topics (by key) and the active survey instruments (by kind).
LOOKUP_KINDS = {"programme": "programme", "topics": "topic", "instruments": "survey instrument"}


@dataclass(frozen=True)
class Ref:
    """A reference by key to a record of `kind`, made at `path` in the document."""

    kind: str
    key: str
    path: str


@dataclass
class Row:
    """One record to write: model field values, and foreign keys as references."""

    path: str
    fields: dict[str, Any]
    refs: dict[str, Ref | None] = field(default_factory=dict)
    key: str | None = None


@dataclass
class Plan:
    """Everything step (c) writes, checked and in writing order."""

    programme: dict[str, Any]
    rules: dict[str, Any]
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    # kind → key → primary key of the records that already exist in the database
    existing: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    # (kind, key) of existing records the document repeats exactly: left as they are
    reused: set[tuple[str, str]] = field(default_factory=set)
    update: bool = False

    def existing_pks(self, kind: str) -> list[int]:
        """Primary keys of existing records of `kind` that this import rewrites."""
        return [
            pk
            for key, pk in self.existing[kind].items()
            if (kind, key) not in self.reused and key in self.defined_keys(kind)
        ]

    def defined_keys(self, kind: str) -> set[str]:
        return {row.key for row in self.rows[kind] if row.key is not None}
