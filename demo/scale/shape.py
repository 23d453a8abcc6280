"""The shape of the national-scale programme (sizes, weights, the delivery window) and the
helpers every part of the generator writes with.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from participants.models import AgeBand, Disability, EthnicGroup, Gender, Participant, Sector
from peernet.calendar import LONDON

SEED = "peer-networks-scale"
YEAR_START = dt.date(2021, 4, 1)
YEAR_END = dt.date(2022, 3, 31)
# Registrations arrive over the first 250 days, so every cohort's six fortnightly
# sessions end inside the delivery window.
REGISTRATION_DAYS = 250
COHORT_SIZE = 11  # K1
SESSIONS_PER_COHORT = 6
SESSION_HOURS = Decimal("3")  # K3; 6 x 3 = 18 (K2)
BATCH = 2000
UNUSABLE_PASSWORD = "!scale-no-login"  # noqa: S105 - not a password: no one logs in
CHARTER_VERSION = "2021-1"

CLUSTERS = (
    ("north-east", "North East", 4),
    ("north-west", "North West", 4),
    ("yorkshire", "Yorkshire and the Humber", 5),
    ("east-midlands", "East Midlands", 5),
    ("west-midlands", "West Midlands", 4),
    ("east", "East of England", 4),
    ("london", "London", 4),
    ("south-east", "South East", 4),
    ("south-west", "South West", 4),
)
HUB_COUNT = sum(count for _, _, count in CLUSTERS)  # 38

SECTORS = [value for value in Sector.values if value not in ("T", "U")]
SECTOR_WEIGHTS = [1 if value in "ABDEOP" else 4 for value in SECTORS]
GENDERS = [*Gender.values, ""]
ETHNIC_GROUPS = [*EthnicGroup.values, ""]
ETHNIC_WEIGHTS = [8, 4, 3, 70, 3, 4, 8]
AGE_BANDS = [*AgeBand.values, ""]
DISABILITIES = [*Disability.values, ""]
# One-to-one hours per participant: most reach 3.5 (O1), some fall short.
ONE_TO_ONE_PLANS = (
    ((Decimal("1.5"), Decimal("1.5"), Decimal("1.0")), 35),
    ((Decimal("2.0"), Decimal("1.5")), 30),
    ((Decimal("1.0"), Decimal("1.0"), Decimal("1.5")), 20),
    ((Decimal("1.5"),), 10),
    ((Decimal("1.0"), Decimal("2.0")), 5),
)
EXISTING_PROGRAMME = "Local Growth Programme"


@dataclass
class Built:
    """What `build` made: rows per model and the seconds it took."""

    participants: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, label: str, rows: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + rows

    def lines(self) -> list[str]:
        width = max(len(label) for label in self.counts)
        return [f"{label.ljust(width)}  {rows:>9,}" for label, rows in self.counts.items()]


@dataclass
class Member:
    """A participant in a cohort, with what the generator has planned for them."""

    participant: Participant
    joined: dt.date
    dropped_after: int | None  # the session number after which they dropped out
    dropped_on: dt.date | None = None
    route: str | None = None  # O1: the one-to-one route, None when none is planned


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def london_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware UTC datetime for a Europe/London wall-clock time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(dt.UTC)


def split_by_weight(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), summing to `total`."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def insert(built: Built, model: type[models.Model], rows: list[Any]) -> list[Any]:
    if rows:
        model.objects.bulk_create(rows, batch_size=BATCH)
        built.add(model._meta.verbose_name_plural.capitalize(), len(rows))
    return rows
