"""Synthetic data at national scale for the performance work (issue 10).

`build(participants=N)` fills an empty database with a deterministic programme year of
the programme's shape: 38 hubs in 9 clusters, N registrations spread over the hubs,
eligible participants in cohorts of up to 11 (K1) meeting six times for 3 hours (K2,
K3) a fortnight apart (K4), attendance (K8), facilitator notes (K9) and BEIS topics,
one-to-one support by both routes (O1) with action plans (O6), the four surveys
(S1-S4), drop-outs, observations (Q1) and complaints (Q5), across the twelve months of
the delivery window.

Everything is written with `bulk_create`, hub by hub (so memory stays bounded), inside
one transaction. The only randomness is `random.Random` seeded with a fixed string, the
number of participants and the hub's key, so the same N always gives the same records
(`checksum()` proves it) and every record satisfies the models' database constraints
(E9: one business per participant; C2: privacy notice on or before registration; C1:
charter signed before allocation; attendance hours match presence; one-to-one routes).

Left out on purpose: eligibility outcomes (E1-E10 rows, ten per decision), survey
invitations, action cards, joining-instruction send logs and at-risk findings; the pages
and returns measured do not depend on them for their cost at this scale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from cohorts.models import Cohort, CohortMembership
from participants.models import (
    AgeBand,
    Business,
    Disability,
    EligibilityStatus,
    EqualityData,
    EthnicGroup,
    Gender,
    Participant,
    Sector,
    SurveyInstrument,
    SurveyKind,
    SurveyResponse,
)
from peernet.calendar import LONDON
from peernet.models import Cluster, DeliveryPartner, Hub, Programme, Role, RoleAssignment, User
from sessions.models import (
    ActionPlan,
    Attendance,
    Complaint,
    ComplaintKind,
    FacilitatorNote,
    GroupSession,
    Observation,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
    Topic,
)

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


class NotEmpty(Exception):
    """The database already holds programme data."""


# --- helpers -----------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware UTC datetime for a Europe/London wall-clock time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(dt.UTC)


def _shares(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), summing to `total`."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _insert(built: Built, model: type[models.Model], rows: list[Any]) -> list[Any]:
    if rows:
        model.objects.bulk_create(rows, batch_size=BATCH)
        built.add(model._meta.verbose_name_plural.capitalize(), len(rows))
    return rows


def is_empty() -> bool:
    return not (
        Programme.objects.exists()
        or Hub.objects.exists()
        or Participant.objects.exists()
        or User.objects.exists()
    )


# Reference data seeded by migrations, kept by `clear()`.
KEEP = {Topic, SurveyInstrument}
APP_LABELS = ("peernet", "participants", "cohorts", "delivery", "reporting")


def clear() -> None:
    """Delete every programme record and every user (not the topics and survey
    instruments the migrations seed)."""
    targets = [
        model
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        if model not in KEEP
    ]
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in targets)
        with connection.cursor() as cursor:
            # Inside a transaction that has just written rows, their deferred foreign-key
            # checks must run before PostgreSQL allows a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    # Elsewhere (SQLite): delete until nothing is left, children before parents.
    remaining = list(targets)
    for _ in range(len(remaining) + 1):
        stuck = []
        for model in remaining:
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except Exception:  # noqa: BLE001 - a protected parent: retry after its children
                stuck.append(model)
        remaining = stuck
        if not remaining:
            return
    raise RuntimeError(f"Could not clear {', '.join(m.__name__ for m in remaining)}")


# --- the generator -----------------------------------------------------------------------


def build(participants: int, *, flush: bool = False, log: Callable[[str], None] | None = None):
    """Build the programme with `participants` registrations; returns `Built`."""
    if participants < HUB_COUNT:
        raise ValueError(f"Ask for at least {HUB_COUNT} participants (one per hub).")
    started = time.perf_counter()
    built = Built(participants=participants)
    with transaction.atomic():
        if not is_empty():
            if not flush:
                raise NotEmpty(
                    "The database already holds programme data or users: "
                    "use --flush to delete them first."
                )
            clear()
        programme = Programme.objects.create(
            name="Peer Networks 2021/22 (scale)",
            delivery_start=YEAR_START,
            delivery_end=YEAR_END,
            national_target=participants,
        )
        built.add("Programmes", 1)
        _national_staff(built)
        hubs = _hubs(built, participants)
        shares = _shares(participants, [weight for _, weight in hubs])
        instruments = {
            instrument.kind: instrument
            for instrument in SurveyInstrument.objects.filter(active=True)
        }
        core_topics = list(Topic.objects.filter(parent__isnull=True).order_by("position", "key"))
        for (hub, _), count in zip(hubs, shares, strict=True):
            _HubBuilder(hub, programme, count, participants, instruments, core_topics, built).run()
            if log:
                log(f"{hub.key}: {count} participants")
        if connection.vendor == "postgresql":
            # Planner statistics for what was just loaded, as autovacuum would make them
            # later: the reports' queries are planned for the real sizes at once.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    built.seconds = time.perf_counter() - started
    return built


def _national_staff(built: Built) -> None:
    staff = [
        ("coordinator@scale.example.org", "National Coordinator", Role.COORDINATOR),
        ("beis@scale.example.org", "BEIS Analyst", Role.FUNDER),
        ("evaluator@scale.example.org", "The Evaluator", Role.EVALUATOR),
    ]
    users = _insert(
        built,
        User,
        [
            User(email=email, name=name, key=f"scale-{role}", password=UNUSABLE_PASSWORD)
            for email, name, role in staff
        ],
    )
    _insert(
        built,
        RoleAssignment,
        [
            RoleAssignment(user=user, role=role)
            for user, (_, _, role) in zip(users, staff, strict=True)
        ],
    )


def _hubs(built: Built, participants: int) -> list[tuple[Hub, float]]:
    clusters = _insert(built, Cluster, [Cluster(key=key, name=name) for key, name, _ in CLUSTERS])
    hubs: list[tuple[Hub, float]] = []
    number = 0
    for cluster, (key, name, count) in zip(clusters, CLUSTERS, strict=True):
        for i in range(1, count + 1):
            number += 1
            # Hubs differ in size: weights from 0.6 to 1.6, fixed by the hub's number.
            weight = 0.6 + ((number * 37) % 11) / 10
            hubs.append(
                (
                    Hub(
                        key=f"{key}-{i}",
                        name=f"{name} Growth Hub {i}",
                        lep=f"{name} LEP {i}",
                        cluster=cluster,
                        target=0,
                        local_authorities=[f"{name} {i} Area {a}" for a in range(1, 4)],
                        privacy_notice_url=f"https://{key}-{i}.example.org/privacy",
                    ),
                    weight,
                )
            )
    shares = _shares(participants, [weight for _, weight in hubs])
    for (hub, _), share in zip(hubs, shares, strict=True):
        hub.target = max(1, round(share * 0.9))
    _insert(built, Hub, [hub for hub, _ in hubs])
    return hubs


@dataclass
class _Member:
    participant: Participant
    joined: dt.date
    dropped_after: int | None  # the session number after which they dropped out
    dropped_on: dt.date | None = None
    route: str | None = None  # O1: the one-to-one route, None when none is planned


class _HubBuilder:
    """One hub's records, generated and inserted in dependency order."""

    def __init__(
        self,
        hub: Hub,
        programme: Programme,
        count: int,
        total: int,
        instruments: dict[str, SurveyInstrument],
        core_topics: list[Topic],
        built: Built,
    ) -> None:
        self.hub = hub
        self.programme = programme
        self.count = count
        self.instruments = instruments
        self.core_topics = core_topics
        self.built = built
        self.rng = random.Random(f"{SEED}:{total}:{hub.key}")  # noqa: S311 - not security

    def run(self) -> None:
        participants = self._participants()
        eligible = sorted(
            (p for p in participants if p.eligibility_status == EligibilityStatus.ELIGIBLE),
            key=lambda p: (p.eligibility_decided, p.key),
        )
        groups = [eligible[i : i + COHORT_SIZE] for i in range(0, len(eligible), COHORT_SIZE)]
        self._staff(len(groups), len(eligible))
        self._cohorts(groups)
        self._complaints()

    # --- staff and partners ------------------------------------------------------------

    def _staff(self, cohorts: int, members: int) -> None:
        hub = self.hub
        self.facilitation_partner, self.one_to_one_partner = _insert(
            self.built,
            DeliveryPartner,
            [
                DeliveryPartner(
                    key=f"{hub.key}-facilitation",
                    hub=hub,
                    name=f"{hub.name} Facilitation Ltd",
                    service=DeliveryPartner.Service.FACILITATION,
                ),
                DeliveryPartner(
                    key=f"{hub.key}-support",
                    hub=hub,
                    name=f"{hub.name} Business Support Ltd",
                    service=DeliveryPartner.Service.ONE_TO_ONE,
                ),
            ],
        )
        users = [User(email=f"admin@{hub.key}.example.org", name=f"{hub.name} Administrator")]
        self.facilitators = [
            User(
                email=f"facilitator{i}@{hub.key}.example.org",
                name=f"Facilitator {i} of {hub.name}",
                organisation=self.facilitation_partner,
            )
            for i in range(1, max(1, -(-cohorts // 4)) + 1)
        ]
        self.providers = [
            User(
                email=f"provider{i}@{hub.key}.example.org",
                name=f"Provider {i} of {hub.name}",
                organisation=self.one_to_one_partner,
            )
            for i in range(1, max(1, -(-members // 50)) + 1)
        ]
        users += self.facilitators + self.providers
        for user in users:
            user.key = user.email.replace("@", "-at-").replace(".", "-")[:60]
            user.password = UNUSABLE_PASSWORD
        _insert(self.built, User, users)
        self.admin = users[0]
        _insert(
            self.built,
            RoleAssignment,
            [RoleAssignment(user=self.admin, role=Role.HUB_ADMIN, hub=hub)]
            + [
                RoleAssignment(user=user, role=Role.ONE_TO_ONE_PROVIDER, hub=hub)
                for user in self.providers
            ],
        )

    # --- registrations -----------------------------------------------------------------

    def _participants(self) -> list[Participant]:
        rng, hub = self.rng, self.hub
        businesses, participants, equality = [], [], []
        for j in range(1, self.count + 1):
            key = f"{hub.key}-{j}"
            registered = YEAR_START + dt.timedelta(days=int(rng.random() * REGISTRATION_DAYS))
            employees = rng.choice((5, 8, 12, 20, 35, 48, 60, 120, 240))
            turnover = Decimal(rng.randrange(100, 30_000)) * 1000
            businesses.append(
                Business(
                    key=f"b-{key}",
                    name=f"Business {key} Ltd",
                    company_number=f"{rng.randrange(10**7):08d}",
                    local_authority=rng.choice(hub.local_authorities),
                    postcode=f"ZZ{rng.randrange(1, 99)} {rng.randrange(1, 9)}AA",
                    sector=rng.choices(SECTORS, SECTOR_WEIGHTS)[0],
                    trading_since=registered - dt.timedelta(days=rng.randrange(400, 9000)),
                    employees=employees,
                    turnover=turnover,
                    balance_sheet_total=(turnover * Decimal("0.4")).quantize(Decimal("1")),
                    exporter=rng.random() < 0.3,
                    scale_up_potential=rng.random() < 0.4,
                )
            )
            draw = rng.random()
            status = (
                EligibilityStatus.ELIGIBLE
                if draw < 0.88
                else EligibilityStatus.INELIGIBLE
                if draw < 0.96
                else EligibilityStatus.PENDING
            )
            decided = (
                None
                if status == EligibilityStatus.PENDING
                else registered + dt.timedelta(days=rng.randint(1, 14))
            )
            participants.append(
                Participant(
                    key=f"p-{key}",
                    code=_uuid(rng),
                    programme=self.programme,
                    hub=hub,
                    first_name=rng.choice(("Sam", "Alex", "Priya", "Tom", "Aisha", "Chris")),
                    last_name=f"Leader{j}",
                    email=f"leader{j}@{hub.key}.example.org",
                    job_title="Managing Director",
                    registered=registered,
                    privacy_notice_acknowledged=registered
                    - dt.timedelta(days=rng.choice((0, 0, 0, 1, 3))),
                    senior_decision_maker=True,
                    aspiration_to_improve=status != EligibilityStatus.INELIGIBLE,
                    previous_year_participant=False,
                    eligibility_status=status,
                    eligibility_decided=decided,
                    eligibility_notes=""
                    if status != EligibilityStatus.INELIGIBLE
                    else "E5: no aspiration to improve.",
                )
            )
        _insert(self.built, Business, businesses)
        for business, participant in zip(businesses, participants, strict=True):
            participant.business = business
            equality.append(
                EqualityData(
                    participant=participant,
                    gender=rng.choices(GENDERS, (45, 45, 2, 1, 3, 4))[0],
                    ethnic_group=rng.choices(ETHNIC_GROUPS, ETHNIC_WEIGHTS)[0],
                    age_band=rng.choices(AGE_BANDS, (2, 12, 25, 28, 22, 6, 3, 2))[0],
                    disability=rng.choices(DISABILITIES, (8, 84, 5, 3))[0],
                )
            )
        # Participants are inserted after the cohort plan has set their charter and
        # drop-out fields; equality data after them.
        self._pending_equality = equality
        self._all = participants
        return participants

    # --- cohorts, sessions, attendance, surveys, one-to-ones ----------------------------

    def _cohorts(self, groups: list[list[Participant]]) -> None:
        rng, hub = self.rng, self.hub
        cohorts, members_of, sessions_of = [], [], []
        for n, group in enumerate(groups, start=1):
            formed = max(p.eligibility_decided for p in group) + dt.timedelta(days=1)
            first = formed + dt.timedelta(days=7 + rng.randrange(8))
            cohorts.append(
                Cohort(
                    key=f"{hub.key}-c{n}",
                    code=_uuid(rng),
                    programme=self.programme,
                    hub=hub,
                    name=f"{hub.name} cohort {n}",
                    delivery_partner=self.facilitation_partner if n % 2 else None,
                    planned_start=first,
                )
            )
            members = []
            for participant in group:
                span = (formed - participant.eligibility_decided).days
                signed = participant.eligibility_decided + dt.timedelta(
                    days=rng.randint(0, max(0, span - 1))
                )
                participant.charter_signed_at = _at(signed, 10, rng.randrange(60))
                participant.charter_version = CHARTER_VERSION
                dropped_after = rng.randint(1, 4) if rng.random() < 0.06 else None
                members.append(_Member(participant, formed, dropped_after))
            starts = [
                _at(first + dt.timedelta(days=14 * k), 9, 30) for k in range(SESSIONS_PER_COHORT)
            ]
            for member in members:
                if member.dropped_after is not None:
                    start = starts[member.dropped_after - 1].astimezone(LONDON).date()
                    member.dropped_on = start + dt.timedelta(days=3)
                    member.participant.dropped_out_on = member.dropped_on
                    member.participant.dropout_reason = "Business pressures."
            members_of.append(members)
            sessions_of.append(starts)
        # One-to-one support is decided before the participants are written.
        for members in members_of:
            for member in members:
                self._plan_one_to_one(member)
        _insert(self.built, Participant, self._all)
        _insert(self.built, EqualityData, self._pending_equality)
        _insert(self.built, Cohort, cohorts)
        _insert(
            self.built,
            RoleAssignment,
            [
                RoleAssignment(
                    user=self.facilitators[(n - 1) // 4],
                    role=Role.FACILITATOR,
                    hub=hub,
                    cohort=cohort,
                )
                for n, cohort in enumerate(cohorts, start=1)
            ],
        )
        memberships, sessions = [], []
        for cohort, members, starts in zip(cohorts, members_of, sessions_of, strict=True):
            for member in members:
                memberships.append(
                    CohortMembership(
                        cohort=cohort,
                        participant=member.participant,
                        joined=member.joined,
                        left=member.dropped_on,
                    )
                )
            for k, start in enumerate(starts, start=1):
                notice = rng.random()
                sessions.append(
                    GroupSession(
                        key=f"{cohort.key}-s{k}",
                        code=_uuid(rng),
                        cohort=cohort,
                        starts_at=start,
                        hours=SESSION_HOURS,
                        status=SessionStatus.DELIVERED,
                        location="Online",
                        # K7: 48 hours' notice, mostly.
                        joining_instructions_sent_at=None
                        if notice < 0.01
                        else start - dt.timedelta(hours=30 if notice < 0.05 else 50),
                    )
                )
        _insert(self.built, CohortMembership, memberships)
        _insert(self.built, GroupSession, sessions)
        self._session_extras(cohorts, sessions)
        self._attendance_and_surveys(cohorts, members_of, sessions)
        self._one_to_ones(members_of, sessions)

    def _session_extras(self, cohorts: list[Cohort], sessions: list[GroupSession]) -> None:
        rng = self.rng
        through = GroupSession.topics.through
        links, notes = [], []
        for session in sessions:
            for topic in rng.sample(self.core_topics, k=rng.choice((1, 1, 2))):
                links.append(through(groupsession=session, topic=topic))
            notes.append(
                FacilitatorNote(
                    session=session,
                    issues_brought="Cash flow; recruitment.",
                    actions_agreed="Each member to test one idea before the next session.",
                    hot_topics="Energy costs",
                )
            )
        if links:
            through.objects.bulk_create(links, batch_size=BATCH)
            self.built.add("Session topics", len(links))
        _insert(self.built, FacilitatorNote, notes)
        # Q1: one cohort in eight (the first, the ninth...) has its third session observed.
        observations = []
        for n in range(len(cohorts)):
            if n % 8 == 0:
                session = sessions[n * SESSIONS_PER_COHORT + 2]
                day = session.starts_at.astimezone(LONDON).date()
                observations.append(
                    Observation(
                        session=session,
                        observer=self.admin,
                        notice_given=session.starts_at - dt.timedelta(days=3),
                        privacy_statement_shared=session.starts_at - dt.timedelta(days=3),
                        completed=day,
                        feedback="Well facilitated.",
                        ratings={"topic": {"rating": 4, "comment": ""}},
                    )
                )
        _insert(self.built, Observation, observations)

    def _attendance_and_surveys(
        self,
        cohorts: list[Cohort],
        members_of: list[list[_Member]],
        sessions: list[GroupSession],
    ) -> None:
        rng = self.rng
        attendance, responses = [], []
        baseline = self.instruments[SurveyKind.BASELINE]
        feedback = self.instruments[SurveyKind.SESSION_FEEDBACK]
        exit_survey = self.instruments[SurveyKind.EXIT]
        dropout = self.instruments[SurveyKind.DROPOUT]
        for n, members in enumerate(members_of):
            own = sessions[n * SESSIONS_PER_COHORT : (n + 1) * SESSIONS_PER_COHORT]
            for member in members:
                participant = member.participant
                if rng.random() < 0.92:  # S1
                    responses.append(
                        SurveyResponse(
                            participant=participant,
                            instrument=baseline,
                            kind=SurveyKind.BASELINE,
                            completed=member.joined + dt.timedelta(days=rng.randrange(7)),
                            answers={
                                "growth_ambition": rng.randint(2, 5),
                                "evaluator_consent": rng.random() < 0.8,
                            },
                        )
                    )
                for k, session in enumerate(own, start=1):
                    if member.dropped_after is not None and k > member.dropped_after:
                        break
                    day = session.starts_at.astimezone(LONDON).date()
                    present = rng.random() < 0.9
                    late = present and rng.random() < 0.03
                    attendance.append(
                        Attendance(
                            session=session,
                            participant=participant,
                            present=present,
                            apologies=not present and rng.random() < 0.5,
                            hours=(Decimal("2.5") if late else SESSION_HOURS)
                            if present
                            else Decimal("0"),
                        )
                    )
                    if present and rng.random() < 0.55:  # S2
                        responses.append(
                            SurveyResponse(
                                participant=participant,
                                instrument=feedback,
                                kind=SurveyKind.SESSION_FEEDBACK,
                                session=session,
                                completed=day + dt.timedelta(days=rng.randrange(4)),
                                answers={
                                    "overall_satisfaction": rng.choices(
                                        (1, 2, 3, 4, 5), (1, 2, 10, 40, 47)
                                    )[0],
                                    "usefulness": rng.randint(3, 5),
                                },
                            )
                        )
                last = own[-1].starts_at.astimezone(LONDON).date()
                if member.dropped_after is None and rng.random() < 0.7:  # S3
                    responses.append(
                        SurveyResponse(
                            participant=participant,
                            instrument=exit_survey,
                            kind=SurveyKind.EXIT,
                            completed=last + dt.timedelta(days=rng.randint(1, 10)),
                            answers={"overall_satisfaction": rng.randint(3, 5), "recommend": 9},
                        )
                    )
                if member.dropped_on is not None and rng.random() < 0.5:  # S4
                    responses.append(
                        SurveyResponse(
                            participant=participant,
                            instrument=dropout,
                            kind=SurveyKind.DROPOUT,
                            completed=member.dropped_on + dt.timedelta(days=rng.randrange(5)),
                            answers={"reason": "business-pressures", "outside_control": True},
                        )
                    )
        _insert(self.built, Attendance, attendance)
        _insert(self.built, SurveyResponse, responses)

    def _plan_one_to_one(self, member: _Member) -> None:
        """O1, O8: decline, or a provider (programme route) or none (existing route)."""
        rng, participant = self.rng, member.participant
        draw = rng.random()
        if draw < 0.05:
            participant.one_to_one_declined = True
            return
        if member.dropped_after == 1:
            return
        if draw < 0.20:
            member.route = OneToOneRoute.EXISTING
        else:
            member.route = OneToOneRoute.PROGRAMME
            participant.one_to_one_provider = self.providers[rng.randrange(len(self.providers))]

    def _one_to_ones(self, members_of: list[list[_Member]], sessions: list[GroupSession]) -> None:
        rng = self.rng
        plans = [plan for plan, _ in ONE_TO_ONE_PLANS]
        weights = [weight for _, weight in ONE_TO_ONE_PLANS]
        one_to_ones, action_plans = [], []
        for n, members in enumerate(members_of):
            first = sessions[n * SESSIONS_PER_COHORT].starts_at.astimezone(LONDON).date()
            for member in members:
                route = member.route
                if route is None:
                    continue
                participant = member.participant
                for k, hours in enumerate(rng.choices(plans, weights)[0], start=1):
                    day = first + dt.timedelta(days=10 + 14 * (k - 1) + rng.randrange(4))
                    if member.dropped_on is not None and day >= member.dropped_on:
                        break
                    # Now and then one session comes through the other route (mixed).
                    this_route = route
                    if k > 1 and rng.random() < 0.08:
                        this_route = (
                            OneToOneRoute.EXISTING
                            if route == OneToOneRoute.PROGRAMME
                            else OneToOneRoute.PROGRAMME
                        )
                    provider = None
                    if this_route == OneToOneRoute.PROGRAMME:
                        provider = participant.one_to_one_provider or self.providers[0]
                    starts_at = _at(day, 14)
                    notice = rng.random()
                    one_to_ones.append(
                        OneToOneSession(
                            key=f"{participant.key}-o{k}",
                            participant=participant,
                            provider=provider,
                            starts_at=starts_at,
                            hours=hours,
                            status=SessionStatus.DELIVERED,
                            route=this_route,
                            existing_programme=EXISTING_PROGRAMME
                            if this_route == OneToOneRoute.EXISTING
                            else "",
                            nature_of_support="Growth coaching"
                            if this_route == OneToOneRoute.EXISTING
                            else "",
                            joining_instructions_sent_at=None
                            if notice < 0.02
                            else starts_at - dt.timedelta(hours=72),
                        )
                    )
                    if k == 1:
                        action_plans.append(
                            ActionPlan(
                                participant=participant,
                                goal="Grow turnover by a fifth in two years.",
                                way_forward="Hire a sales lead.",
                                agreed_on=day,
                                provider=provider,
                            )
                        )
        _insert(self.built, OneToOneSession, one_to_ones)
        _insert(self.built, ActionPlan, action_plans)

    def _complaints(self) -> None:
        rng, hub = self.rng, self.hub
        complaints = []
        for i in range(1, max(1, self.count // 400) + 1):
            received = YEAR_START + dt.timedelta(days=rng.randrange(360))
            resolved = received + dt.timedelta(days=rng.randint(1, 20))
            complaints.append(
                Complaint(
                    key=f"{hub.key}-q{i}",
                    hub=hub,
                    kind=ComplaintKind.COMPLAINT if i % 3 else ComplaintKind.COMPLIMENT,
                    received=received,
                    received_from="A participant",
                    summary="Session moved at short notice.",
                    action_taken="Apologised; rescheduled.",
                    resolved=resolved if rng.random() < 0.8 and resolved <= YEAR_END else None,
                )
            )
        _insert(self.built, Complaint, complaints)


# --- determinism -------------------------------------------------------------------------


def _rows(queryset: models.QuerySet, *fields: str) -> Iterable[tuple[Any, ...]]:
    return queryset.order_by(*fields).values_list(*fields).iterator(chunk_size=5000)


def checksum() -> str:
    """SHA-256 over the key fields of everything `build` makes, in a fixed order (no
    primary keys or creation times), so two builds of the same N can be compared."""
    digest = hashlib.sha256()
    parts = [
        _rows(Hub.objects, "key", "cluster__key", "target"),
        _rows(
            Participant.objects,
            "key",
            "hub__key",
            "code",
            "registered",
            "privacy_notice_acknowledged",
            "eligibility_status",
            "eligibility_decided",
            "charter_signed_at",
            "one_to_one_provider__email",
            "one_to_one_declined",
            "dropped_out_on",
        ),
        _rows(Business.objects, "key", "sector", "employees", "turnover"),
        _rows(Cohort.objects, "key", "code", "hub__key", "planned_start"),
        _rows(CohortMembership.objects, "participant__key", "cohort__key", "joined", "left"),
        _rows(GroupSession.objects, "key", "starts_at", "hours", "status"),
        _rows(GroupSession.topics.through.objects, "groupsession__key", "topic__key"),
        _rows(Attendance.objects, "session__key", "participant__key", "present", "hours"),
        _rows(OneToOneSession.objects, "key", "starts_at", "hours", "route", "provider__email"),
        _rows(
            SurveyResponse.objects,
            "participant__key",
            "kind",
            "session__key",
            "completed",
            "answers",
        ),
        _rows(Complaint.objects, "key", "received", "resolved"),
        _rows(EqualityData.objects, "participant__key", "gender", "ethnic_group", "age_band"),
    ]
    for rows in parts:
        for row in rows:
            digest.update(repr(row).encode())
        digest.update(b"|")
    return digest.hexdigest()


# --- submitted returns -------------------------------------------------------------------


def months() -> list[dt.date]:
    """The first day of each month of the delivery window."""
    first, result = YEAR_START.replace(day=1), []
    while first <= YEAR_END:
        result.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return result


def submit_returns(skip: Iterable[dt.date] = (), only: Iterable[dt.date] | None = None) -> int:
    """Every hub's return for every month of the window, as the hubs would have submitted
    them: figures computed from the records (`reporting.kpi.compute_hubs`, one call per
    month for all hubs), frozen with their SHA-256 (`reporting.returns`), written in bulk.
    Most on time (the 5th), one in ten late (the 9th), one in twenty missing, fixed by
    the hub's and the month's position. Months in `skip` (or not in `only`, when given)
    are left without returns. Returns the number of versions made."""
    from reporting import kpi, returns
    from reporting.models import MonthlyReturn, ReturnVersion

    skip = set(skip)
    wanted = None if only is None else set(only)
    hubs = list(Hub.objects.order_by("pk"))
    admins = {
        assignment.hub_id: assignment.user_id
        for assignment in RoleAssignment.objects.filter(role=Role.HUB_ADMIN).order_by("pk")
    }
    made = 0
    for j, month in enumerate(months()):
        if month in skip or (wanted is not None and month not in wanted):
            continue
        results = kpi.compute_hubs(hubs, month)
        due = (month + dt.timedelta(days=32)).replace(day=1)
        drafts, versions = [], []
        for i, hub in enumerate(hubs):
            figures, breakdowns, parts = kpi.stored(results[hub.pk])
            draw = (i * 7 + j * 3) % 20
            narrative = f"{hub.name}: {month:%B %Y} went to plan."
            draft = MonthlyReturn(
                hub=hub,
                month=month,
                draft_figures=figures,
                draft_breakdowns=breakdowns,
                draft_parts=parts,
                draft_compiled_at=_at(due, 6),
                narrative=narrative if draw else "",
            )
            drafts.append(draft)
            if draw == 0:  # missing
                continue
            content = returns.frozen_content(
                hub_key=hub.key,
                month=month,
                figures=figures,
                breakdowns=breakdowns,
                parts=parts,
                narrative=narrative,
            )
            versions.append(
                ReturnVersion(
                    monthly_return=draft,
                    version=1,
                    figures=figures,
                    breakdowns=breakdowns,
                    parts=parts,
                    narrative=narrative,
                    sha256=hashlib.sha256(
                        returns.canonical_json(content).encode("utf-8")
                    ).hexdigest(),
                    submitted_at=_at(due + dt.timedelta(days=8 if draw <= 2 else 4), 10),
                    submitted_by_id=admins[hub.pk],
                )
            )
        MonthlyReturn.objects.bulk_create(drafts, batch_size=BATCH)
        ReturnVersion.objects.bulk_create(versions, batch_size=BATCH)
        made += len(versions)
    return made
