"""Writes for participants: the eligibility decision, recorded exceptions, the charter.

Each action asks the programme checks (rules): a fail refuses the action with
the check's sentence (`RuleBroken`), a warning is recorded (`RuleWarning`). A refusal
that is not a programme rule (a date before registration) is a `ValidationError`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.links import CHARTER, link_issue, link_use
from participants.models import (
    Business,
    BusinessMatch,
    EligibilityException,
    EligibilityOutcome,
    EligibilityStatus,
    MatchStatus,
    Participant,
    ParticipantLink,
)
from peernet import audit, mail, stale
from peernet.access import is_coordinator
from peernet.db import save_fields
from peernet.models import EmailKind, Hub, Programme, RuleWarning, User
from peernet.scoping import scopes_disabled
from peernet.words import date_words
from rules import Outcome, Result, enforce, run_rules
from rules.eligibility import e9_business_participants
from rules.services import rule_warnings_record

# The checks an eligibility decision asks. C1 (the charter) is asked at allocation.
ELIGIBILITY_RULES = ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "C2")


@dataclass(frozen=True)
class Decision:
    """An eligibility decision: the participant as decided, every check's result (also
    stored as EligibilityOutcome rows), and the warnings recorded."""

    participant: Participant
    results: list[Result]
    warnings: list[RuleWarning]


def _for_checks(participant: Participant) -> Participant:
    """The participant afresh, with what the eligibility checks read."""
    return (
        Participant.objects.select_related("programme", "hub", "business")
        .prefetch_related(
            e9_business_participants(),
            "eligibility_exceptions",
            "memberships__cohort",
            "business_matches",
        )
        .get(pk=participant.pk)
    )


def _tell_eligibility_outcome(
    participant: Participant, *, eligible: bool, results: list[Result]
) -> None:
    """The applicant is told the decision by email (through the outbox, so only once the
    decision commits): eligible and what comes next, or not and why (the checks that
    failed, in their sentences). A decision that changes nothing is not sent again."""
    if not participant.email:
        return
    reasons = [r.sentence for r in results if r.outcome == Outcome.FAIL] if not eligible else []
    mail.send_to_participant(
        participant,
        kind=EmailKind.REGISTRATION,
        subject=(
            "You can take part in Peer Networks"
            if eligible
            else "Your Peer Networks registration: the decision"
        ),
        template="participants/email/eligibility_outcome.txt",
        context={
            "participant": participant,
            "hub": participant.hub,
            "eligible": eligible,
            "reasons": reasons,
        },
    )


@transaction.atomic
def participant_decide_eligibility(
    *,
    participant: Participant,
    eligible: bool,
    decided_on: dt.date,
    by: User,
    notes: str = "",
    as_of: dt.datetime | None = None,
) -> Decision:
    """Decide whether `participant` is eligible, storing every check's outcome.

    Deciding "eligible" is refused when a check fails (E6 and E8 pass once their
    exception is recorded); deciding "ineligible" is always allowed.
    """
    as_of = as_of or timezone.now()
    # E9: one decision at a time per business, so two people from one business cannot
    # both be found eligible by simultaneous decisions (the database constraint is the
    # backstop; this gives the sentence).
    Business.objects.select_for_update().filter(pk=participant.business_id).get()
    participant = _for_checks(participant)
    if decided_on < participant.registered:
        raise ValidationError(
            f"The decision date, {date_words(decided_on)}, is before {participant.full_name} "
            f"registered on {date_words(participant.registered)}."
        )
    results = run_rules(participant, ELIGIBILITY_RULES, as_of=as_of)
    if eligible:
        enforce(results)

    was = participant.eligibility_status
    participant.eligibility_outcomes.all().delete()
    EligibilityOutcome.objects.bulk_create(
        EligibilityOutcome(
            participant=participant,
            rule=result.rule,
            outcome=result.outcome.value,
            sentence=result.sentence,
        )
        for result in results
    )
    save_fields(
        participant,
        eligibility_status=EligibilityStatus.ELIGIBLE if eligible else EligibilityStatus.INELIGIBLE,
        eligibility_decided=decided_on,
        eligibility_decided_by=by,
        eligibility_notes=notes,
    )
    warnings = rule_warnings_record(
        results=results,
        subject_kind="participant",
        subject_id=participant.pk,
        hub=participant.hub,
        action="participant_decide_eligibility",
        by=by,
    )
    audit.record(
        by,
        "update",
        participant,
        summary="Eligibility decided",
        after={"eligibility_status": participant.eligibility_status, "decided": decided_on},
    )
    if participant.eligibility_status != was:
        _tell_eligibility_outcome(participant, eligible=eligible, results=results)
    return Decision(participant=participant, results=results, warnings=warnings)


@transaction.atomic
def participant_record_exception(
    *,
    participant: Participant,
    rule: Literal["E3", "E4", "E6", "E8"],
    agreed_by: str,
    agreed_on: dt.date,
    details: str = "",
    flexibility: str = "",
    by: User,
) -> EligibilityException:
    """Record the exception a rule allows: E3 or E4 under one of the Playbook's
    flexibilities (Covid-19 for either; creative industries for E3), E6 (both LEPs
    agreed) or E8 (local discretion).

    Recording it again for the same rule corrects the earlier record.
    """
    if rule not in EligibilityException.Rule.values:
        raise ValidationError(f"Only E3, E4, E6 and E8 allow a recorded exception, not {rule}.")
    allowed = {"E3": {"covid", "creative"}, "E4": {"covid"}}.get(rule, {""})
    if flexibility not in allowed:
        raise ValidationError(f"Choose a flexibility the Playbook allows for {rule}.")
    if not agreed_by.strip():
        raise ValidationError(f"Say who agreed the {rule} exception.")
    if rule in ("E3", "E4") and not details.strip():
        raise ValidationError(f"Say why the {rule} flexibility applies.")
    exception, _ = EligibilityException.objects.update_or_create(
        participant=participant,
        rule=rule,
        defaults={
            "agreed_by": agreed_by.strip(),
            "agreed_on": agreed_on,
            "details": details,
            "flexibility": flexibility,
            "recorded_by": by,
        },
    )
    audit.record(
        by,
        "update",
        exception,
        hub=participant.hub_id,
        summary=f"{rule} exception recorded",
        after={"participant": participant.pk, "agreed_on": agreed_on},
    )
    return exception


@transaction.atomic
def participant_sign_charter(
    *, participant: Participant, version: str, signed_at: dt.datetime
) -> Participant:
    """C1: record the signed Participant Charter (before allocation to a cohort)."""
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise ValueError(f"signed_at must be an aware datetime, not {signed_at!r}.")
    if not version.strip():
        raise ValidationError("Say which version of the Participant Charter was signed.")
    save_fields(participant, charter_signed_at=signed_at, charter_version=version.strip())
    # The participant signs through their emailed link: no user, so the actor is empty.
    audit.record(
        None,
        "update",
        participant,
        summary="Participant Charter signed (C1)",
        after={"charter_version": participant.charter_version, "signed_at": signed_at},
    )
    return participant


@transaction.atomic
def participant_sign_charter_by_link(*, link: ParticipantLink, version: str) -> Participant:
    """C1 signed through the emailed link: the charter recorded and the link spent
    together, so a link signs once (docs/security.md §14)."""
    now = timezone.now()
    link_use(link, kind=CHARTER, now=now)
    return participant_sign_charter(participant=link.participant, version=version, signed_at=now)


# --- registration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """A registration as recorded: the participant, and E9's result when someone else from
    the same business is already registered this programme year (a warn while they are
    pending, a fail once they are eligible), so the page can say so."""

    participant: Participant
    e9: Result | None


def _new_key(prefix: str) -> str:
    # Keys are internal and unique; the random part keeps two simultaneous registrations
    # (and keys imported from scenarios, "p-1" and the like) from colliding.
    return f"{prefix}-{secrets.token_hex(6)}"


def _company_number(value: str) -> str:
    return "".join(value.split()).upper()


@transaction.atomic
def participant_register(
    *,
    hub: Hub,
    business_name: str,
    company_number: str = "",
    postcode: str = "",
    local_authority: str,
    sector: str = "",
    trading_since: dt.date | None,
    employees: int | None,
    turnover: Decimal | None,
    balance_sheet_total: Decimal | None,
    exporter: bool | None,
    scale_up_potential: bool | None,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    job_title: str = "",
    senior_decision_maker: bool,
    aspiration_to_improve: bool,
    previous_year_participant: bool,
    privacy_notice_acknowledged_on: dt.date,
    registered_on: dt.date,
    by: User | None = None,
) -> Registration:
    """Record a registration from the hub's public form (or an import).

    C2: the privacy notice must have been acknowledged on or before the registration.
    The business is matched by company number when one is given; an existing business's
    figures are kept (the hub's record is not overwritten by a public form). E9 is asked
    at once: a second person from a business is still recorded, so the hub sees them,
    and the warning is recorded for the hub.
    """
    if privacy_notice_acknowledged_on > registered_on:
        raise ValidationError(
            "The privacy notice must be acknowledged before any further information is "
            "captured (C2)."
        )
    number = _company_number(company_number)
    business = None
    if number:
        # A business is one business whichever hub it registered with first (E9): the
        # match looks across every hub (the hub scope: peernet.scoping).
        with scopes_disabled():
            matching = Business.objects.select_for_update().filter(company_number=number)
        business = matching.first()
    new_business = business is None
    if business is None:
        business = Business.objects.create(
            key=_new_key("b"),
            name=business_name.strip(),
            company_number=number,
            postcode=postcode.strip().upper(),
            local_authority=local_authority,
            sector=sector,
            trading_since=trading_since,
            employees=employees,
            turnover=turnover,
            balance_sheet_total=balance_sheet_total,
            exporter=exporter,
            scale_up_potential=scale_up_potential,
        )
    participant = Participant.objects.create(
        key=_new_key("p"),
        programme=Programme.current(),
        hub=hub,
        business=business,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        job_title=job_title.strip(),
        registered=registered_on,
        privacy_notice_acknowledged=privacy_notice_acknowledged_on,
        senior_decision_maker=senior_decision_maker,
        aspiration_to_improve=aspiration_to_improve,
        previous_year_participant=previous_year_participant,
    )
    audit.record(
        by,
        "create",
        participant,
        summary="Registration received" if by is None else "Registration taken by the hub",
    )
    if new_business:  # not found by company number: perhaps by name and postcode
        _record_possible_matches(participant, business)
    (e9,) = run_rules(_for_checks(participant), ["E9"], as_of=timezone.now())
    if e9.outcome == Outcome.PASS:
        return Registration(participant=participant, e9=None)
    # A fail here is shown and recorded like a warning: the decision is where E9 refuses.
    rule_warnings_record(
        results=[Result(rule=e9.rule, outcome=Outcome.WARN, sentence=e9.sentence)],
        subject_kind="participant",
        subject_id=participant.pk,
        hub=hub,
        action="participant_register",
        by=by,
    )
    return Registration(participant=participant, e9=e9)


# --- a registration corrected by the hub (issue 15) ------------------------------------------

_PERSON_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "job_title": "job_title",
    "senior_decision_maker": "senior_decision_maker",
    "aspiration_to_improve": "aspiration_to_improve",
    "previous_year_participant": "previous_year_participant",
}
_BUSINESS_FIELDS = {
    "business_name": "name",
    "company_number": "company_number",
    "postcode": "postcode",
    "local_authority": "local_authority",
    "sector": "sector",
    "trading_since": "trading_since",
    "employees": "employees",
    "turnover": "turnover",
    "balance_sheet_total": "balance_sheet_total",
    "exporter": "exporter",
    "scale_up_potential": "scale_up_potential",
}


@transaction.atomic
def participant_correct(
    *,
    participant: Participant,
    values: dict[str, Any],
    by: User,
    seen: str | None = None,
    shown: Callable[[Participant], dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
) -> list[Result]:
    """Correct a registration's details (the registration form's answers). Audited with
    the names of what changed; the eligibility rules are asked again, and what now warns
    or fails is recorded for the hub, as at registration. A business also registered with
    another hub is that hub's too: only the national coordinator corrects it. Returns the
    rules' warnings and failures.

    `seen` is what the editing page showed (peernet.stale), `shown` how a registration
    reads on that page: if someone else saved meanwhile, ValidationError names what they
    changed and nothing is saved."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    business = Business.objects.select_for_update().get(pk=participant.business_id)
    if shown is not None:
        participant.business = business
        stale.check_unchanged(
            seen, shown(participant), labels or {}, what=f"{participant.full_name}'s registration"
        )
    person_before = {f: getattr(participant, f) for f in _PERSON_FIELDS.values()}
    business_before = {f: getattr(business, f) for f in _BUSINESS_FIELDS.values()}
    for key, field in _PERSON_FIELDS.items():
        value = values[key]
        setattr(participant, field, value.strip() if isinstance(value, str) else value)
    for key, field in _BUSINESS_FIELDS.items():
        value = values[key]
        setattr(business, field, value.strip() if isinstance(value, str) else value)
    business.company_number = _company_number(business.company_number)
    person_changed = audit.changed_fields(person_before, participant, list(_PERSON_FIELDS.values()))
    business_changed = audit.changed_fields(
        business_before, business, list(_BUSINESS_FIELDS.values())
    )
    if business_changed:
        with scopes_disabled():  # a business is one business in every hub (E9)
            shared = business.participants.exclude(hub_id=participant.hub_id).exists()
            taken = (
                business.company_number
                and Business.objects.filter(company_number=business.company_number)
                .exclude(pk=business.pk)
                .exists()
            )
        if shared and not is_coordinator(by):
            raise ValidationError(
                f"{business_before['name']} is also registered with another hub, so only the "
                "national coordinator can correct the business's details."
            )
        if taken:
            raise ValidationError(
                "Another business is registered with that company number. If it is the same "
                "business, ask the national coordinator to join the registrations."
            )
        business.save(update_fields=business_changed)
    if person_changed:
        participant.save(update_fields=person_changed)
    audit.record(
        by,
        "update",
        participant,
        summary="Registration corrected",
        after={"participant": person_changed, "business": business_changed},
    )
    results = [
        r
        for r in run_rules(_for_checks(participant), ELIGIBILITY_RULES, as_of=timezone.now())
        if r.outcome in (Outcome.FAIL, Outcome.WARN)
    ]
    rule_warnings_record(
        results=[Result(rule=r.rule, outcome=Outcome.WARN, sentence=r.sentence) for r in results],
        subject_kind="participant",
        subject_id=participant.pk,
        hub=participant.hub,
        action="participant_correct",
        by=by,
    )
    return results


# --- E9 without a company number: the same name and postcode -----------------------------

_LEGAL_SUFFIXES = ("limited", "ltd", "plc", "llp", "lp", "cic", "co", "company", "uk")


def normalised_business_name(name: str) -> str:
    """A business name as E9 compares it: lower case, "&" as "and", punctuation and a
    leading "the" and trailing legal forms (Ltd, Limited, PLC, LLP...) dropped, so
    "The Acme Widgets Ltd." and "acme widgets limited" are one name."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    while words and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalised_postcode(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def _record_possible_matches(participant: Participant, business: Business) -> None:
    """E9: a business registered again without its company number (or with a different
    one) is found by its normalised name and postcode, in any hub, and recorded as a
    possible match for the hub to confirm or dismiss."""
    postcode = normalised_postcode(business.postcode)
    name = normalised_business_name(business.name)
    if not postcode or not name:
        return
    with scopes_disabled():  # E9 asks about one business in every hub (no names shown)
        candidates = Business.objects.exclude(pk=business.pk).filter(
            postcode__in={business.postcode, postcode, _spaced(postcode)}
        )
        matches = [b for b in candidates if normalised_business_name(b.name) == name]
    for other in matches:
        BusinessMatch.objects.get_or_create(participant=participant, business=other)


def _spaced(postcode: str) -> str:
    """A postcode in its usual written form: the last three characters apart."""
    return f"{postcode[:-3]} {postcode[-3:]}" if len(postcode) > 3 else postcode


@transaction.atomic
def business_match_decide(*, match: BusinessMatch, same: bool, by: User) -> BusinessMatch:
    """E9: the hub says whether a possible match is the same business. Confirmed, the
    participant belongs to that business from now on (and E9 judges them with its
    people); dismissed, the match is set aside. Either way it is decided once."""
    match = BusinessMatch.objects.select_for_update().select_related("participant").get(pk=match.pk)
    if match.status != MatchStatus.POSSIBLE:
        raise ValidationError("This possible match has already been decided.")
    participant = match.participant
    before = participant.business_id
    save_fields(
        match,
        status=MatchStatus.CONFIRMED if same else MatchStatus.DISMISSED,
        decided_by=by,
        decided_at=timezone.now(),
    )
    if same:
        participant.business = match.business
        participant.save(update_fields=["business"])
        with scopes_disabled():  # the registration's own business, now nobody's
            orphan = Business.objects.filter(pk=before, participants__isnull=True)
            orphan.delete()
    audit.record(
        by,
        "update",
        participant,
        summary="E9: possible match " + ("confirmed as the same business" if same else "dismissed"),
        after={"match": match.pk, "status": match.status},
    )
    return match


# --- the Participant Charter's emailed link (C1; docs/security.md §14) -------------------------

CHARTER_VERSION = "2021-1"


def participant_charter_link_issue(*, participant: Participant) -> str:
    """A new link to the charter for the participant (earlier ones stop working)."""
    return link_issue(kind=CHARTER, participant=participant)


def charter_refusal(participant: Participant) -> str:
    """Why the charter cannot be sent to the participant ("" when it can): it goes only
    to an eligible participant, the step after eligibility is decided."""
    if participant.eligibility_status == EligibilityStatus.ELIGIBLE:
        return ""
    name = participant.full_name
    why = (
        f"{name} was found not eligible"
        if participant.eligibility_status == EligibilityStatus.INELIGIBLE
        else f"{name}'s eligibility is not yet decided"
    )
    return f"The charter is sent only to eligible participants: {why}."


def participant_send_charter(*, participant: Participant, link: Callable[[str], str]) -> None:
    """Email the participant a link to read and sign the Participant Charter; `link`
    turns the token into the absolute URL. A link sent before stops working
    (docs/security.md §14: a link works for its one invitation). Only an eligible
    participant is sent it: the charter is the step after eligibility is decided."""
    refusal = charter_refusal(participant)
    if refusal:
        raise ValidationError(refusal)
    url = link(participant_charter_link_issue(participant=participant))
    context = {"participant": participant, "url": url, "days": CHARTER.days}
    mail.send_to_participant(
        participant,
        kind=EmailKind.CHARTER,
        subject="Sign the Peer Networks Participant Charter",
        template="participants/charter_email.txt",
        context=context,
    )
