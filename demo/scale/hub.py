"""One hub of the national-scale programme: its delivery partners and staff, its
registrations, and its cohorts with their sessions; then what happens in them
(`demo.scale.delivery`).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from cohorts.models import Cohort, CohortMembership
from demo.scale import delivery
from demo.scale.shape import (
    AGE_BANDS,
    BATCH,
    CHARTER_VERSION,
    COHORT_SIZE,
    DISABILITIES,
    ETHNIC_GROUPS,
    ETHNIC_WEIGHTS,
    GENDERS,
    LONDON,
    REGISTRATION_DAYS,
    SECTOR_WEIGHTS,
    SECTORS,
    SEED,
    SESSION_HOURS,
    SESSIONS_PER_COHORT,
    UNUSABLE_PASSWORD,
    YEAR_START,
    Built,
    Member,
    insert,
    london_at,
    new_uuid,
)
from participants.models import (
    Business,
    EligibilityStatus,
    EqualityData,
    Participant,
    SurveyInstrument,
)
from peernet.models import DeliveryPartner, Hub, Programme, Role, RoleAssignment, User
from sessions.models import FacilitatorNote, GroupSession, Observation, SessionStatus, Topic


class HubBuilder:
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
        delivery.complaints(self.built, self.rng, self.hub, self.count)

    # --- staff and partners ------------------------------------------------------------

    def _staff(self, cohorts: int, members: int) -> None:
        hub = self.hub
        self.facilitation_partner, self.one_to_one_partner = insert(
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
        # A facilitator for every 4 cohorts, a provider for every 50 members (at least one).
        self.facilitators = _staff(hub, "facilitator", self.facilitation_partner, cohorts, 4)
        self.providers = _staff(hub, "provider", self.one_to_one_partner, members, 50)
        users += self.facilitators + self.providers
        for user in users:
            user.key = user.email.replace("@", "-at-").replace(".", "-")[:60]
            user.password = UNUSABLE_PASSWORD
        insert(self.built, User, users)
        self.admin = users[0]
        insert(
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
                    code=new_uuid(rng),
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
        insert(self.built, Business, businesses)
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

    # --- cohorts and their sessions (what happens in them: `delivery`) ------------------

    def _cohorts(self, groups: list[list[Participant]]) -> None:
        hub = self.hub
        cohorts, members_of, sessions_of = [], [], []
        for n, group in enumerate(groups, start=1):
            cohort, members, starts = self._plan_cohort(n, group)
            cohorts.append(cohort)
            members_of.append(members)
            sessions_of.append(starts)
        # One-to-one support is decided before the participants are written.
        for members in members_of:
            for member in members:
                delivery.plan_one_to_one(self.rng, self.providers, member)
        insert(self.built, Participant, self._all)
        insert(self.built, EqualityData, self._pending_equality)
        insert(self.built, Cohort, cohorts)
        insert(
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
            memberships += [
                CohortMembership(
                    cohort=cohort,
                    participant=member.participant,
                    joined=member.joined,
                    left=member.dropped_on,
                )
                for member in members
            ]
            sessions += self._sessions(cohort, starts)
        insert(self.built, CohortMembership, memberships)
        insert(self.built, GroupSession, sessions)
        self._session_extras(cohorts, sessions)
        delivery.attendance_and_surveys(
            self.built, self.rng, self.instruments, members_of, sessions
        )
        delivery.one_to_ones(self.built, self.rng, self.providers, members_of, sessions)

    def _plan_cohort(
        self, n: int, group: list[Participant]
    ) -> tuple[Cohort, list[Member], list[dt.datetime]]:
        """The hub's `n`th cohort, formed the day after its last member was found eligible
        and meeting a week or two later; its members signed the charter in between (C1),
        and a few drop out after one of the first four sessions."""
        rng, hub = self.rng, self.hub
        formed = max(p.eligibility_decided for p in group) + dt.timedelta(days=1)
        first = formed + dt.timedelta(days=7 + rng.randrange(8))
        cohort = Cohort(
            key=f"{hub.key}-c{n}",
            code=new_uuid(rng),
            programme=self.programme,
            hub=hub,
            name=f"{hub.name} cohort {n}",
            delivery_partner=self.facilitation_partner if n % 2 else None,
            planned_start=first,
        )
        members = []
        for participant in group:
            span = (formed - participant.eligibility_decided).days
            signed = participant.eligibility_decided + dt.timedelta(
                days=rng.randint(0, max(0, span - 1))
            )
            participant.charter_signed_at = london_at(signed, 10, rng.randrange(60))
            participant.charter_version = CHARTER_VERSION
            dropped_after = rng.randint(1, 4) if rng.random() < 0.06 else None
            members.append(Member(participant, formed, dropped_after))
        starts = [
            london_at(first + dt.timedelta(days=14 * k), 9, 30) for k in range(SESSIONS_PER_COHORT)
        ]
        for member in members:
            if member.dropped_after is not None:
                start = starts[member.dropped_after - 1].astimezone(LONDON).date()
                member.dropped_on = start + dt.timedelta(days=3)
                member.participant.dropped_out_on = member.dropped_on
                member.participant.dropout_reason = "Business pressures."
        return cohort, members, starts

    def _sessions(self, cohort: Cohort, starts: list[dt.datetime]) -> list[GroupSession]:
        sessions = []
        for k, start in enumerate(starts, start=1):
            notice = self.rng.random()
            sessions.append(
                GroupSession(
                    key=f"{cohort.key}-s{k}",
                    code=new_uuid(self.rng),
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
        return sessions

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
        insert(self.built, FacilitatorNote, notes)
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
        insert(self.built, Observation, observations)


def _staff(
    hub: Hub, word: str, organisation: DeliveryPartner, served: int, each: int
) -> list[User]:
    """The hub's `word`s (facilitator1@, Facilitator 1 of …), one for every `each` of the
    `served` (rounded up, at least one), working for `organisation`."""
    return [
        User(
            email=f"{word}{i}@{hub.key}.example.org",
            name=f"{word.capitalize()} {i} of {hub.name}",
            organisation=organisation,
        )
        for i in range(1, max(1, -(-served // each)) + 1)
    ]
