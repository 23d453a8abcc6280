"""Eligibility and the charter: E1–E10, C1–C2, each judging a participant.

A participant's business and programme year decide these; the thresholds belong to the
programme, so the business alone cannot be judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch

from participants.models import EligibilityException, EligibilityStatus, Participant
from peernet.access import named_to_hub
from peernet.calendar import add_months, local_date
from peernet.scoping import scopes_disabled
from peernet.words import date_words, money_words, plural_words
from rules.registry import Outcome, Verdict, check

# E1: Companies Act 2006 s382/s465 — a company is small or medium when it meets this
# many of the three size tests. It is the law's definition, not a programme parameter.
SME_TESTS_NEEDED = 2


# A participant's business and programme year decide these; the thresholds belong to
# the programme, so the business alone cannot be judged.
# Prefetch: e9_business_participants(), eligibility_exceptions, memberships__cohort,
# business_matches.


def e9_business_participants() -> Prefetch:
    """E9 asks about one business in every hub, so its participants are read across hubs
    (the hub scope is opened wide for this question alone)."""
    with scopes_disabled():
        return Prefetch("business__participants", queryset=Participant.objects.all())


def _exception(participant: Participant, rule: str) -> EligibilityException | None:
    return next((e for e in participant.eligibility_exceptions.all() if e.rule == rule), None)


def _agreed(exception: EligibilityException) -> str:
    return f"{exception.agreed_by} agreed on {date_words(exception.agreed_on)}"


def _size_test(label: str, value: Any, limit: Any, shown: Callable[[Any], str]) -> tuple[bool, str]:
    """One E1 size test: (met, words). An unknown value is not met."""
    if value is None:
        return False, f"{label} unknown"
    met = value <= limit
    return met, f"{label} {shown(value)} ({'within' if met else 'over'} {shown(limit)})"


@check(
    "E1",
    judges="participant",
    kind="fail",
    section="Key programme terminology (SMEs); Target audience – Eligibility",
    summary=(
        "The business is small or medium-sized: it meets at least two of the three size "
        "tests (at most {sme_max_employees} employees, a turnover of at most "
        "{sme_max_turnover}, a balance sheet total of at most {sme_max_balance_sheet}), as "
        "the Companies Act 2006 defines them. A figure not known does not meet its test. The "
        "sentence lists each test and whether it is met."
    ),
    applicant=(
        "Your business is small or medium-sized: it meets at least {SME_TESTS_NEEDED} of "
        "these 3 tests: no more than {sme_max_employees} employees, a turnover of no more "
        "than {sme_max_turnover}, and a balance sheet total of no more than "
        "{sme_max_balance_sheet}."
    ),
)
def e1_sme_size(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    business, programme = participant.business, participant.programme
    tests = [
        _size_test("employees", business.employees, programme.sme_max_employees, str),
        _size_test("turnover", business.turnover, programme.sme_max_turnover, money_words),
        _size_test(
            "balance sheet total",
            business.balance_sheet_total,
            programme.sme_max_balance_sheet,
            money_words,
        ),
    ]
    met = sum(1 for passed, _ in tests if passed)
    details = ", ".join(words for _, words in tests)
    outcome = Outcome.PASS if met >= SME_TESTS_NEEDED else Outcome.FAIL
    return Verdict(
        outcome,
        f"{business.name} meets {met} of the 3 SME size tests, and {SME_TESTS_NEEDED} are "
        f"needed: {details}.",
    )


@check(
    "E2",
    judges="participant",
    kind="fail",
    section="Target audience – Eligibility",
    summary=(
        "The business has been trading for at least {min_trading_months} calendar months. "
        "The sentence gives the date it started trading and, when it is short, the day it "
        "qualifies."
    ),
    applicant=("Your business has been trading for at least {min_trading_months:month}."),
)
def e2_trading_period(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    business, months = participant.business, participant.programme.min_trading_months
    if business.trading_since is None:
        return Verdict(
            Outcome.FAIL,
            f"{business.name}'s trading start date is unknown; it must have been trading "
            f"for {months} months or more.",
        )
    # Calendar months: trading since 21 November 2020 is 12 months on 21 November 2021.
    qualifies_on = add_months(business.trading_since, months)
    since = date_words(business.trading_since)
    if local_date(as_of) >= qualifies_on:
        return Verdict(
            Outcome.PASS,
            f"{business.name} has been trading since {since}, {months} months or more.",
        )
    return Verdict(
        Outcome.FAIL,
        f"{business.name} has been trading since {since}, less than {months} months; "
        f"it reaches {months} months on {date_words(qualifies_on)}.",
    )


@check(
    "E3",
    judges="participant",
    kind="fail",
    section="Target audience – Eligibility (and its two flexibilities)",
    summary=(
        "The business has at least {min_paye_employees} employees on PAYE (a part-time "
        "permanent employee counts as one). Short of that, or not known, it fails unless the "
        "hub has recorded one of the two flexibilities, with who agreed and when: Covid-19 "
        "(it would have qualified in the year before March 2020 and is viable) or, for the "
        "creative industries, associates and freelancers counting."
    ),
    applicant=(
        "Your business has at least {min_paye_employees} employees on PAYE (count a "
        "part-time permanent employee as one)."
    ),
)
def e3_paye_employees(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    business, needed = participant.business, participant.programme.min_paye_employees
    at_least = f"at least {needed} are needed"
    if business.employees is None:
        unknown = f"{business.name}'s number of employees on PAYE is unknown; {at_least}"
        return _flexible(participant, "E3", unknown)
    has = plural_words(business.employees, "employee")
    sentence = f"{business.name} has {has} on PAYE; {at_least}"
    return _met_or_flexible(participant, "E3", business.employees >= needed, sentence)


@check(
    "E4",
    judges="participant",
    kind="fail",
    section="Target audience – Eligibility (and its two flexibilities)",
    summary=(
        "The business's turnover is at least {min_turnover}. Short of that, or not known, it "
        "fails unless the hub has recorded the Covid-19 flexibility, with who agreed and "
        "when."
    ),
    applicant=("Your business has a turnover of at least {min_turnover} a year."),
)
def e4_turnover(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    business, needed = participant.business, participant.programme.min_turnover
    at_least = f"at least {money_words(needed)} is needed"
    if business.turnover is None:
        return _flexible(participant, "E4", f"{business.name}'s turnover is unknown; {at_least}")
    has = money_words(business.turnover)
    sentence = f"{business.name} has a turnover of {has}; {at_least}"
    return _met_or_flexible(participant, "E4", business.turnover >= needed, sentence)


def _met_or_flexible(participant: Participant, rule: str, met: bool, sentence: str) -> Verdict:
    """E3, E4: the threshold met passes with its sentence; short of it, the flexibilities
    decide."""
    return Verdict(Outcome.PASS, f"{sentence}.") if met else _flexible(participant, rule, sentence)


def _flexible(participant: Participant, rule: str, shortfall: str) -> Verdict:
    """E3, E4: short of the threshold, unless admitted under one of the Playbook's two
    flexibilities (Covid-19: would have qualified in the 12 months before March 2020 and
    is viable; creative industries, for E3: associates and freelancers count), recorded
    with who agreed, when and why."""
    exception = _exception(participant, rule)
    if exception is None:
        return Verdict(Outcome.FAIL, f"{shortfall}.")
    which = (
        "the Covid-19 flexibility"
        if exception.flexibility == "covid"
        else "the creative industries flexibility"
    )
    return Verdict(Outcome.PASS, f"{shortfall}, but admitted under {which}: {_agreed(exception)}.")


@check(
    "E5",
    judges="participant",
    kind="fail",
    section="Target audience – Eligibility",
    summary=("The applicant has declared an aspiration to improve the business."),
    applicant=("You want to improve how your business performs."),
)
def e5_aspiration_to_improve(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    if participant.aspiration_to_improve:
        return Verdict(
            Outcome.PASS, f"{participant.full_name} has declared an aspiration to improve."
        )
    return Verdict(
        Outcome.FAIL,
        f"{participant.full_name} has not declared an aspiration to improve the business.",
    )


@check(
    "E6",
    judges="participant",
    kind="fail",
    section="Target audience – Eligibility",
    summary=(
        "The business's trading address (its local authority) is in the hub's LEP area. "
        "Outside it, it passes only with an exception recorded with the formal agreement of "
        "both LEPs: who agreed and when."
    ),
    applicant=("Your business trades from an address in the area the Growth Hub serves."),
)
def e6_lep_area(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    area, hub = participant.business.local_authority, participant.hub
    if area in hub.local_authorities:
        return Verdict(Outcome.PASS, f"{area} is within the {hub.lep} area.")
    exception = _exception(participant, EligibilityException.Rule.E6)
    if exception is not None:
        return Verdict(
            Outcome.PASS,
            f"{area} is outside the {hub.lep} area, and the exception is recorded: "
            f"{_agreed(exception)}.",
        )
    return Verdict(
        Outcome.FAIL,
        f"{area} is outside the {hub.lep} area; an exception needs the formal agreement of "
        "both LEPs, recorded with who agreed and when.",
    )


@check(
    "E7",
    judges="participant",
    kind="fail",
    section="Suitability – the ideal client",
    summary=(
        "The participant is a senior decision maker in the business: attendance cannot be "
        "delegated to a colleague."
    ),
    applicant=(
        "You are a senior decision maker in the business: you take part yourself, and "
        "cannot send a colleague in your place."
    ),
)
def e7_senior_decision_maker(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    if participant.senior_decision_maker:
        return Verdict(
            Outcome.PASS,
            f"{participant.full_name} is a senior decision maker in {participant.business.name}.",
        )
    return Verdict(
        Outcome.FAIL,
        f"{participant.full_name} is not a senior decision maker in "
        f"{participant.business.name}; attendance cannot be delegated.",
    )


@check(
    "E8",
    judges="participant",
    kind="fail",
    section="Suitability – the ideal client",
    summary=(
        "The participant did not take part in the previous programme year. Someone who "
        "dropped out then for reasons outside their control may be admitted at local "
        "discretion, recorded with who agreed and when."
    ),
    applicant=("You did not take part in Peer Networks last year."),
)
def e8_not_previous_year(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    if not participant.previous_year_participant:
        return Verdict(
            Outcome.PASS,
            f"{participant.full_name} did not take part in the previous programme year.",
        )
    exception = _exception(participant, EligibilityException.Rule.E8)
    if exception is not None:
        return Verdict(
            Outcome.PASS,
            f"{participant.full_name} took part in the previous programme year and is admitted "
            f"at local discretion: {_agreed(exception)}.",
        )
    return Verdict(
        Outcome.FAIL,
        f"{participant.full_name} took part in the previous programme year; only a drop-out "
        "for reasons outside their control may be admitted, at local discretion, recorded.",
    )


@check(
    "E9",
    judges="participant",
    kind="fail",
    section="Suitability – the ideal client",
    summary=(
        "Only one person from a business takes part in a programme year, in any hub. It "
        "fails when someone else from the business is already eligible, and warns while "
        "another registration is pending or while a possible match (the same name and "
        "postcode, without a company number) is neither confirmed nor dismissed. Someone "
        "registered with another hub is never named."
    ),
    applicant=("Only one person from each business takes part in a year."),
)
def e9_one_person_per_business(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    business = participant.business
    with scopes_disabled():  # every hub's participants (or e9_business_participants())
        everyone = list(business.participants.all())
    others = [
        other
        for other in everyone
        if other.programme_id == participant.programme_id and other.pk != participant.pk
    ]
    eligible = [o for o in others if o.eligibility_status == EligibilityStatus.ELIGIBLE]
    if eligible:
        who = (
            eligible[0].full_name
            if named_to_hub(eligible[0], participant.hub_id)
            else "Someone registered with another hub"
        )
        return Verdict(
            Outcome.FAIL,
            f"{who} from {business.name} already takes part this programme year; only one "
            "person from a business takes part.",
        )
    if any(o.eligibility_status == EligibilityStatus.PENDING for o in others):
        return Verdict(
            Outcome.WARN,
            f"Another registration from {business.name} is pending; only one person from a "
            "business takes part in a programme year.",
        )
    # Prefetch: business_matches. Without a company number, a business is found by its
    # name and postcode: until the hub confirms or dismisses the match, E9 warns.
    possible = [m for m in participant.business_matches.all() if m.status == "possible"]
    if possible:
        return Verdict(
            Outcome.WARN,
            f"{business.name} may be a business already registered (the same name and "
            "postcode): confirm or dismiss the match before deciding.",
        )
    return Verdict(
        Outcome.PASS,
        f"{participant.full_name} is the only person from {business.name} this programme year.",
    )


@check(
    "E10",
    judges="participant",
    kind="warn",
    section="Target audience – Eligibility (desirable)",
    summary=(
        "Desirable, never required: the business has potential to scale up, or exports or "
        "could export. It warns when neither is recorded."
    ),
    applicant=("Your business has the potential to scale up, or exports or could export."),
)
def e10_growth_potential(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    # E10 is desirable, never blocking: a warning at most.
    business = participant.business
    strengths = [
        words
        for flag, words in (
            (business.scale_up_potential, "has potential to scale up"),
            (business.exporter, "exports or could export"),
        )
        if flag
    ]
    if strengths:
        return Verdict(Outcome.PASS, f"{business.name} {' and '.join(strengths)}.")
    return Verdict(
        Outcome.WARN,
        f"{business.name} is not recorded as having potential to scale up or as exporting; "
        "both are desirable, not required.",
    )


@check(
    "C1",
    judges="participant",
    kind="fail",
    section="The Peer Network participants' commitment",
    summary=(
        "The Participant Charter is signed before the participant is allocated to a cohort "
        "(signing on the day of allocation is in time). An allocation before signing fails; "
        "a charter not yet signed, with no allocation yet, warns."
    ),
    applicant=(
        "You sign the Participant Charter, which sets out what the members of a group "
        "agree to, before you join your group."
    ),
)
def c1_charter_before_allocation(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    memberships = sorted(participant.memberships.all(), key=lambda m: m.joined)
    signed_at = participant.charter_signed_at
    name = participant.full_name
    if signed_at is None:
        if memberships:
            first = memberships[0]
            return Verdict(
                Outcome.FAIL,
                f"{name} was allocated to {first.cohort.name} on {date_words(first.joined)} "
                "without a signed Participant Charter.",
            )
        return Verdict(
            Outcome.WARN,
            f"{name} has not signed the Participant Charter; it must be signed before "
            "allocation to a cohort.",
        )
    # Allocation is recorded as a date: a charter signed on the day of allocation passes.
    signed_on = local_date(signed_at)
    early = [m for m in memberships if m.joined < signed_on]
    if early:
        return Verdict(
            Outcome.FAIL,
            f"{name} was allocated to {early[0].cohort.name} on {date_words(early[0].joined)}, "
            f"before signing the Participant Charter on {date_words(signed_on)}.",
        )
    return Verdict(
        Outcome.PASS, f"{name} signed the Participant Charter on {date_words(signed_on)}."
    )


@check(
    "C2",
    judges="participant",
    kind="fail",
    section="UK GDPR",
    summary=(
        "The hub's privacy notice was acknowledged on or before the day of registration, "
        "before any further information was captured."
    ),
)
def c2_privacy_notice_first(participant: Participant, *, as_of: dt.datetime) -> Verdict:
    acknowledged, registered = participant.privacy_notice_acknowledged, participant.registered
    if acknowledged <= registered:
        return Verdict(
            Outcome.PASS,
            f"{participant.full_name} acknowledged the privacy notice on "
            f"{date_words(acknowledged)}, "
            "before any further information was captured.",
        )
    return Verdict(
        Outcome.FAIL,
        f"{participant.full_name} was registered on {date_words(registered)} but acknowledged the "
        f"privacy notice only on {date_words(acknowledged)}.",
    )
