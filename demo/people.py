"""The demo's people: participants recruited into each cohort, with their businesses,
names and equality data; eligibility decided (with the E6 and E8 exceptions and one
refusal under each rule that turns people away); a move between cohorts (K11), the
drop-outs, and those still waiting or undecided.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from demo.content import (
    AGE_BANDS,
    BUSINESS_NAMES,
    DISABILITY,
    ETHNIC_GROUPS,
    FEMALE_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    MALE_NAMES,
    NEUTRAL_GENDERS,
    NEUTRAL_NAMES,
    POSTCODE_LETTERS,
    SECTOR_WEIGHTS,
)
from demo.plan import (
    DECLINES_ONE_TO_ONE,
    DROP_OUTS,
    E6_EXCEPTION,
    E8_EXCEPTION,
    EXISTING_SUPPORT,
    HUBS_BY_KEY,
    MANUFACTURERS,
    MIXED_SUPPORT,
    MOVES,
    STAFF_BY_KEY,
    CohortPlan,
    HubPlan,
    at,
    providers_of,
)
from demo.records import (
    BusinessRecord,
    DemoYear,
    Json,
    ParticipantRecord,
    Spell,
    first_of_month,
    stream,
    weighted,
)


def recruit_cohort(year: DemoYear, plan: CohortPlan) -> None:
    """Members registered 30 to 60 days before the first session, were found eligible,
    signed the charter and were then allocated (C1), all before the first session."""
    rng = stream("recruit", plan.key)
    hub = HUBS_BY_KEY[plan.hub]
    first = year.first_session_day(plan.key)
    earliest = max(year.start, first - dt.timedelta(days=60))
    latest = first - dt.timedelta(days=30)
    for index in range(plan.size):
        twist = (plan.key, index)
        registered = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
        sector = "C" if twist in MANUFACTURERS else None
        participant = _new_participant(year, hub, registered, rng, sector=sector)
        participant.decided = registered + dt.timedelta(days=rng.randint(2, 8))
        participant.eligible = True
        participant.notes = _eligible_note(participant)
        signed_on = participant.decided + dt.timedelta(days=rng.randint(1, 5))
        participant.charter_signed = dt.datetime.combine(
            signed_on, at(rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
        )
        joined = signed_on + dt.timedelta(days=rng.randint(1, 5))
        if twist in DECLINES_ONE_TO_ONE:
            participant.declined = True
        elif twist not in EXISTING_SUPPORT or twist in MIXED_SUPPORT:
            providers = providers_of(plan.hub)
            participant.provider = providers[index % len(providers)]
        if twist == E6_EXCEPTION:
            _agree_out_of_area(year, participant)
        if twist == E8_EXCEPTION:
            _admit_previous_year_drop_out(year, participant)
        year.spells[plan.key].append(Spell(participant, joined))


def _new_participant(
    year: DemoYear,
    hub: HubPlan,
    registered: dt.date,
    rng: random.Random,
    *,
    sector: str | None = None,
    business: BusinessRecord | None = None,
) -> ParticipantRecord:
    first_name, last_name, gender = _new_name(year)
    participant = ParticipantRecord(
        key=f"p{len(year.participants) + 1}",
        hub=hub.key,
        business=business or _new_business(year, hub, registered, rng, sector),
        first_name=first_name,
        last_name=last_name,
        job_title=rng.choice(JOB_TITLES),
        phone=f"07700 900{len(year.participants) + 101:03d}",  # Ofcom's drama range
        registered=registered,
        equality=_equality(gender, rng),
    )
    year.participants.append(participant)
    return participant


def _new_name(year: DemoYear) -> tuple[str, str, str | None]:
    """A name nobody else in the demo has, and the gender it suggests (None: ask)."""
    rng = year.people
    while True:
        roll = rng.random()
        if roll < 0.05:
            first, gender = rng.choice(NEUTRAL_NAMES), None
        elif roll < 0.50:
            first, gender = rng.choice(FEMALE_NAMES), "female"
        else:
            first, gender = rng.choice(MALE_NAMES), "male"
        last = rng.choice(LAST_NAMES)
        if f"{first} {last}" not in year.used_names:
            year.used_names.add(f"{first} {last}")
            return first, last, gender


def _equality(gender: str | None, rng: random.Random) -> Json:
    if gender is None:
        gender = weighted(rng, NEUTRAL_GENDERS)
    elif rng.random() < 0.04:
        gender = rng.choice(["prefer-not-to-say", None])
    return {
        "gender": gender,
        "ethnic_group": weighted(rng, ETHNIC_GROUPS),
        "age_band": weighted(rng, AGE_BANDS),
        "disability": weighted(rng, DISABILITY),
    }


def _new_business(
    year: DemoYear, hub: HubPlan, registered: dt.date, rng: random.Random, sector: str | None
) -> BusinessRecord:
    """An SME that passes E1–E4: 5 to 249 staff, over £100,000 turnover, trading for
    at least two years."""
    sector = sector or weighted(rng, SECTOR_WEIGHTS)
    name = _business_name(year, hub, sector, rng)
    local_authority = rng.choice(list(hub.areas))
    employees = rng.choice(
        [rng.randint(5, 9), rng.randint(10, 49), rng.randint(10, 49), rng.randint(50, 249)]
    )
    turnover = max(150_000, round(employees * rng.uniform(55_000, 140_000), -4))
    founded = registered.year - round(rng.triangular(2, 45, 9))
    return BusinessRecord(
        key=f"b{len(year.used_businesses)}",
        name=name,
        company_number=f"{rng.randint(1_500_000, 14_999_999):08d}",
        local_authority=local_authority,
        postcode=_postcode(hub.areas[local_authority], rng),
        sector=sector,
        trading_since=dt.date(founded, rng.randint(1, 12), 1),
        employees=employees,
        turnover=int(turnover),
        balance_sheet_total=int(round(turnover * rng.uniform(0.25, 0.75), -4)),
        exporter=rng.choice([True, False, False, None]) if sector in "CGJM" else False,
        scale_up_potential=rng.choice([True, True, False, None]),
    )


def _business_name(year: DemoYear, hub: HubPlan, sector: str, rng: random.Random) -> str:
    while True:
        word = (
            rng.choice(hub.place_words.split()) if rng.random() < 0.65 else rng.choice(LAST_NAMES)
        )
        name = rng.choice(BUSINESS_NAMES[sector]).format(w=word)
        if name not in year.used_businesses:
            year.used_businesses.add(name)
            return name


def _postcode(districts: Sequence[str], rng: random.Random) -> str:
    letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
    return f"{rng.choice(districts)} {rng.randint(1, 9)}{letters}"


def _eligible_note(participant: ParticipantRecord) -> str:
    business = participant.business
    return (
        f"Meets E1–E9: {business.employees} employees on PAYE, turnover "
        f"£{business.turnover:,}, trading since {business.trading_since:%B %Y}."
    )


def _agree_out_of_area(year: DemoYear, participant: ParticipantRecord) -> None:
    """E6: a Blackburn business in a Greater Manchester cohort, agreed by both LEPs."""
    business = participant.business
    business.local_authority = "Blackburn with Darwen"
    business.postcode = "BB1 5QB"
    assert participant.decided is not None
    participant.exceptions.append(
        {
            "rule": "E6",
            "agreed_by": "Greater Manchester LEP and Lancashire LEP",
            "agreed_on": (participant.decided - dt.timedelta(days=1)).isoformat(),
            "details": (
                "Trading address in Blackburn with Darwen, outside the Greater Manchester "
                "LEP area. The owner runs the Bolton depot most days; Lancashire's "
                "cohort for this quarter was full. Both LEPs agreed by email."
            ),
        }
    )
    participant.notes = (
        "Eligible with an out-of-area exception agreed by both LEPs (E6). "
        + _eligible_note(participant)
    )


def _admit_previous_year_drop_out(year: DemoYear, participant: ParticipantRecord) -> None:
    """E8: took part last year but dropped out after a bereavement; admitted."""
    assert participant.decided is not None
    participant.previous_year_participant = True
    participant.exceptions.append(
        {
            "rule": "E8",
            "agreed_by": f"{STAFF_BY_KEY['gbs-admin'].name}, hub manager",
            "agreed_on": participant.decided.isoformat(),
            "details": (
                f"Started Peer Networks {year.previous_year_label()} but left after two "
                "sessions following a family bereavement, outside their control. "
                "Admitted at local discretion."
            ),
        }
    )
    participant.notes = (
        "Eligible: previous-year drop-out admitted at local discretion (E8). "
        + _eligible_note(participant)
    )


def move_between_cohorts(year: DemoYear) -> None:
    """K11: a member whose cohort's day clashed with work moves to a later cohort
    before either has met. The first spell is kept, ended on the day of the move."""
    for (source, index), target in MOVES.items():
        spell = year.spells[source][index]
        before = min(year.first_session_day(source), year.first_session_day(target))
        moved = min(spell.joined + dt.timedelta(days=7), before - dt.timedelta(days=1))
        spell.left = moved
        year.spells[target].append(Spell(spell.participant, moved))


def record_drop_outs(year: DemoYear) -> None:
    for (cohort, index), drop_out in DROP_OUTS.items():
        spell = year.spells[cohort][index]
        last = year.delivered(cohort)[drop_out.after_session - 1]
        day = last.day + dt.timedelta(days=4)
        spell.left = day
        spell.participant.dropped_out = day
        spell.participant.dropout_reason = drop_out.reason


def register_others(year: DemoYear) -> None:
    """People who are not (yet) in a cohort: turned down, waiting, or undecided."""
    rng = stream("others")
    _turn_down(year, rng)
    for hub_key, count in (("gm", 2), ("lancs", 2), ("bc", 2)):
        for _ in range(count):
            _eligible_waiting(year, HUBS_BY_KEY[hub_key], rng)
    for hub_key in ("gm", "lancs", "gbs", "bc"):
        registered = year.anchor - dt.timedelta(days=rng.randint(2, 12))
        participant = _new_participant(year, HUBS_BY_KEY[hub_key], registered, rng)
        participant.equality = dict.fromkeys(participant.equality)  # not asked yet


def _eligible_waiting(year: DemoYear, hub: HubPlan, rng: random.Random) -> None:
    """Eligible, waiting for the next cohort; one has still to sign the charter."""
    registered = year.anchor - dt.timedelta(days=rng.randint(18, 40))
    participant = _new_participant(year, hub, registered, rng)
    participant.decided = registered + dt.timedelta(days=rng.randint(2, 7))
    participant.eligible = True
    participant.notes = _eligible_note(participant)
    if rng.random() < 0.7:
        signed_on = participant.decided + dt.timedelta(days=rng.randint(1, 6))
        participant.charter_signed = dt.datetime.combine(signed_on, at(11, 15))


def _turn_down(year: DemoYear, rng: random.Random) -> None:
    """One ineligible registration for each rule that turns people away (E1–E9)."""
    days_open = (year.anchor - year.start).days - 20
    for hub_key, rule in (
        ("gm", "E4"),
        ("gm", "E9"),
        ("gm", "E6"),
        ("lancs", "E3"),
        ("lancs", "E2"),
        ("lancs", "E8"),
        ("gbs", "E1"),
        ("gbs", "E7"),
        ("gbs", "E5"),
        ("bc", "E3"),
    ):
        hub = HUBS_BY_KEY[hub_key]
        registered = year.start + dt.timedelta(days=rng.randint(10, days_open))
        colleague = None
        if rule == "E9":
            colleague = _first_eligible(year, hub_key)
            registered = colleague.registered + dt.timedelta(days=rng.randint(14, 28))
        participant = _new_participant(
            year, hub, registered, rng, business=colleague.business if colleague else None
        )
        participant.decided = registered + dt.timedelta(days=rng.randint(2, 9))
        participant.eligible = False
        participant.notes = _refuse(year, participant, rule, colleague)


def _first_eligible(year: DemoYear, hub: str) -> ParticipantRecord:
    """The hub's first eligible participant: a colleague applies later (E9)."""
    return min(
        (p for p in year.participants if p.hub == hub and p.eligible),
        key=lambda p: (p.registered, p.key),
    )


def _refuse(
    year: DemoYear, participant: ParticipantRecord, rule: str, colleague: ParticipantRecord | None
) -> str:
    """Make the registration fail `rule`, and say why as a hub administrator would."""
    business = participant.business
    hub = HUBS_BY_KEY[participant.hub]
    match rule:
        case "E1":
            business.employees, business.turnover = 420, 58_400_000
            business.balance_sheet_total = 23_900_000
            return (
                "Not an SME (E1): 420 employees, £58.4m turnover and a £23.9m balance "
                "sheet exceed all three thresholds. Referred to the Midlands Engine."
            )
        case "E2":
            business.trading_since = first_of_month(participant.registered, -8)
            return (
                f"Trading since {business.trading_since:%B %Y}, under a year (E2). "
                "Invited to apply again next year; referred to start-up support."
            )
        case "E3":
            business.employees = 3
            return (
                "Only 3 employees on PAYE; at least 5 are needed (E3). The two directors "
                "are paid by dividend. Referred to the hub's workshops."
            )
        case "E4":
            business.turnover = 72_000
            business.balance_sheet_total = 30_000
            return (
                "Turnover £72,000 is under the £100,000 minimum (E4). Referred to the "
                "hub's one-to-many workshops."
            )
        case "E5":
            participant.aspiration_to_improve = False
            return (
                "No aspiration to improve declared (E5): looking for grant funding for "
                "a van, not to develop the business. Referred to the grants page."
            )
        case "E6":
            business.local_authority, district = hub.outside_area
            business.postcode = f"{district} 4DL"
            return (
                f"Trading address in {business.local_authority}, outside the {hub.lep} "
                "area; no agreement between the LEPs (E6). Referred to their own hub."
            )
        case "E7":
            participant.senior_decision_maker = False
            participant.job_title = "Office Manager"
            return (
                "Not a senior decision maker (E7): the office manager applied on the "
                "owner's behalf. The owner has been invited to apply."
            )
        case "E8":
            participant.previous_year_participant = True
            return (
                f"Completed Peer Networks {year.previous_year_label()} with a Lancashire "
                "cohort (E8). Put in touch with the alumni network."
            )
        case "E9":
            assert colleague is not None
            return (
                f"{colleague.full_name} from {business.name} already takes part this "
                "year; only one person per business (E9)."
            )
    raise ValueError(f"No story for refusing under {rule}.")
