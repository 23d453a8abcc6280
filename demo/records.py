"""The records the demo builder keeps while it works, turned into JSON at the end, and the
small helpers every part of it uses (dates, JSON numbers, seeded random streams).

The only randomness is `random.Random` seeded with fixed strings, one stream per part of
the document (`stream`), so the same anchor always gives the same document and a change
to one part does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from demo.plan import COHORTS, CohortPlan

Json = dict[str, Any]
T = TypeVar("T")

SEED = "peer-networks-demo"


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def programme_window(anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The delivery window around `anchor`: 12 months from the 1st of the month seven
    months before the anchor's month (anchor 2026-11-21 → 2026-04-01 to 2027-03-31)."""
    start = first_of_month(anchor, -7)
    return start, first_of_month(start, 12) - dt.timedelta(days=1)


def first_of_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def wall_clock(moment: dt.datetime) -> str:
    """A Europe/London wall-clock time, as the format writes it (`2021-10-05T09:30`)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def json_number(value: float) -> int | float:
    """Hours and money as JSON numbers: 3 rather than 3.0."""
    return int(value) if float(value).is_integer() else value


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def christmas_break(day: dt.date) -> bool:
    return (day.month, day.day) >= (12, 21) or (day.month, day.day) <= (1, 3)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def stream(*parts: object) -> random.Random:
    """A random stream of its own for one part of the document (fixed seed, never the
    clock): the demo is the same every time and is not used for anything secret."""
    return random.Random(":".join([SEED, *map(str, parts)]))  # noqa: S311


# --------------------------------------------------------------------------------------
# The records the builder keeps while it works, turned into JSON at the end
# --------------------------------------------------------------------------------------


@dataclass
class BusinessRecord:
    key: str
    name: str
    company_number: str
    local_authority: str
    postcode: str
    sector: str
    trading_since: dt.date
    employees: int
    turnover: int
    balance_sheet_total: int
    exporter: bool | None
    scale_up_potential: bool | None

    def to_json(self) -> Json:
        return {
            "key": self.key,
            "name": self.name,
            "company_number": self.company_number,
            "local_authority": self.local_authority,
            "postcode": self.postcode,
            "sector": self.sector,
            "trading_since": self.trading_since.isoformat(),
            "employees": self.employees,
            "turnover": self.turnover,
            "balance_sheet_total": self.balance_sheet_total,
            "exporter": self.exporter,
            "scale_up_potential": self.scale_up_potential,
        }


@dataclass
class ParticipantRecord:
    key: str
    hub: str
    business: BusinessRecord
    first_name: str
    last_name: str
    job_title: str
    phone: str
    registered: dt.date
    equality: Json
    senior_decision_maker: bool = True
    aspiration_to_improve: bool = True
    previous_year_participant: bool = False
    decided: dt.date | None = None
    eligible: bool | None = None
    notes: str = ""
    exceptions: list[Json] = field(default_factory=list)
    charter_signed: dt.datetime | None = None
    provider: str | None = None
    declined: bool = False
    dropped_out: dt.date | None = None
    dropout_reason: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        mailbox = slug(self.first_name).replace("-", "")
        domain = slug(self.business.name.removesuffix(" Ltd"))
        return f"{mailbox}@{domain}.example"

    def to_json(self, charter_version: str) -> Json:
        eligibility = None
        if self.decided is not None:
            eligibility = {
                "decided": self.decided.isoformat(),
                "eligible": self.eligible,
                "notes": self.notes,
            }
            if self.exceptions:
                eligibility["exceptions"] = self.exceptions
        signed = self.charter_signed
        return {
            "key": self.key,
            "hub": self.hub,
            "business": self.business.key,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "job_title": self.job_title,
            "senior_decision_maker": self.senior_decision_maker,
            # C2: the privacy notice is acknowledged as the first enquiry is recorded.
            "registered": self.registered.isoformat(),
            "privacy_notice_acknowledged": self.registered.isoformat(),
            "aspiration_to_improve": self.aspiration_to_improve,
            "previous_year_participant": self.previous_year_participant,
            "eligibility": eligibility,
            "charter_signed": wall_clock(signed) if signed else None,
            "charter_version": charter_version if signed else None,
            "equality": self.equality,
            "one_to_one_provider": self.provider,
            "one_to_one_declined": self.declined,
            "dropped_out": (
                {"date": self.dropped_out.isoformat(), "reason": self.dropout_reason}
                if self.dropped_out
                else None
            ),
        }


@dataclass
class Spell:
    """A participant's time in a cohort (a move ends one spell and starts another)."""

    participant: ParticipantRecord
    joined: dt.date
    left: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass
class Session:
    key: str
    cohort: CohortPlan
    number: int  # 1-based, counting a cancelled session too
    starts_at: dt.datetime
    hours: float
    status: str
    json: Json = field(default_factory=dict)
    present: list[ParticipantRecord] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()


# --------------------------------------------------------------------------------------
# The programme year as it is being built
# --------------------------------------------------------------------------------------


class DemoYear:
    """Everything the parts of the builder share: the anchor and the delivery window, the
    people and businesses made so far, each cohort's spells and sessions, and the days each
    participant attended."""

    def __init__(self, anchor: dt.date) -> None:
        self.anchor = anchor
        self.start, self.end = programme_window(anchor)
        self.year_label = f"{self.start.year}/{(self.start.year + 1) % 100:02d}"
        self.people = stream("people")
        self.used_names: set[str] = set()
        self.used_businesses: set[str] = set()
        self.participants: list[ParticipantRecord] = []
        self.spells: dict[str, list[Spell]] = {plan.key: [] for plan in COHORTS}
        self.sessions: dict[str, list[Session]] = {}
        self.attended: dict[str, list[dt.date]] = {}  # participant key → days present

    @property
    def charter_version(self) -> str:
        return f"{self.year_label} v1"

    def first_session_day(self, cohort: str) -> dt.date:
        return self.sessions[cohort][0].day

    def previous_year_label(self) -> str:
        return f"{self.start.year - 1}/{self.start.year % 100:02d}"

    def delivered(self, cohort: str) -> list[Session]:
        return [s for s in self.sessions[cohort] if s.status == "delivered"]

    def session(self, key: str) -> Session:
        cohort = key.rsplit("-s", 1)[0]
        return next(s for s in self.sessions[cohort] if s.key == key)
