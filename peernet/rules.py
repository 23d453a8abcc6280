"""The programme rules engine: one named check per rule ID (docs/rules.md, generated from
this registry by `manage.py docs_generate`).

Every page, to-do list, the at-risk scan and the monthly return ask these checks, so a
rule is decided in exactly one place. A check takes its subject (a participant, a cohort,
a session ...) and the moment to judge at, and returns a `Result`: pass, warn, fail or
not applicable, with one sentence a hub administrator understands and, where there is
one, the date by which something must happen (to rank to-do items by urgency).

Conventions every check follows:

- Numbers come from the subject's `Programme` record, never from this module, so another
  programme year can change them. Hours and money are `Decimal`.
- Calendar rules (a date inside the delivery window, "by the 7th") compare dates in
  Europe/London; durations ("48 hours before") compare real elapsed time, so 48 hours
  across a clock change are 48 real hours (see `_elapsed`).
- Related rows are read through `.all()` on relations and filtered in Python, so a
  caller scanning many subjects can `prefetch_related` them once instead of paying a
  query per subject. Suggested prefetches are in each group's comment.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from cohorts.models import Cohort, CohortMembership
from participants.models import (
    Business,
    EligibilityException,
    EligibilityStatus,
    Participant,
    Sector,
    SurveyKind,
)
from peernet.access import named_to_hub, scopes_disabled
from peernet.calendar import LONDON, Month, add_months, local_date, whole_years
from peernet.hours import ends_at, sum_hours
from peernet.models import Programme, Role, User
from peernet.words import (
    date_words,
    duration_words,
    hours_words,
    money_words,
    number_words,
    plural_words,
    time_words,
    when_words,
)
from reporting.models import MonthlyReturn
from sessions.models import (
    Attendance,
    Complaint,
    GroupSession,
    Observation,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
)

# E1: Companies Act 2006 s382/s465 — a company is small or medium when it meets this
# many of the three size tests. It is the law's definition, not a programme parameter.
SME_TESTS_NEEDED = 2


# --- results and the registry --------------------------------------------------------


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    WARN = "warn"  # advisory: the Playbook recommends, local discretion
    FAIL = "fail"  # the Playbook says "must"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Result:
    rule: str
    outcome: Outcome
    sentence: str
    due: dt.date | None = None  # by when something must happen, when there is a date


Judges = Literal[
    "participant",
    "business",
    "cohort",
    "session",
    "one_to_one",
    "observation",
    "facilitator",
    "complaint",
    "monthly_return",
]
Kind = Literal["fail", "warn", "—"]
CheckFunction = Callable[..., Result]


@dataclass(frozen=True)
class Check:
    """A registered rule: what it judges, how severe it is, how, and what it says about
    itself. The registry is the source of docs/rules.md, so the docs cannot drift from
    the checks (`manage.py docs_generate`; a test fails on a stale file)."""

    rule: str
    judges: Judges
    kind: Kind
    function: CheckFunction
    # The Playbook section(s) the rule comes from, to read its original wording.
    section: str
    # What the check looks at and when it warns or fails, in a hub administrator's words.
    # `{cohort_size}` and the like name the Programme record's parameters, and names in
    # capitals this module's own thresholds, so the words carry each year's numbers;
    # `{name:noun}` counts a noun (`{one_to_one_months_after_final:month}`: 1 month).
    summary: str

    @property
    def name(self) -> str:
        return self.function.__name__

    def summary_for(self, programme: Programme) -> str:
        return summary_words(self.summary, programme)

    def __call__(self, subject: Any, *, as_of: dt.datetime) -> Result:
        if as_of.tzinfo is None or as_of.utcoffset() is None:
            raise ValueError(f"{self.rule}: as_of must be an aware datetime, not {as_of!r}.")
        return self.function(subject, as_of=as_of)


CHECKS: dict[str, Check] = {}


def check(
    rule: str, *, judges: Judges, kind: Kind, section: str, summary: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check for `rule`."""

    def register(function: CheckFunction) -> CheckFunction:
        if rule in CHECKS:
            raise ValueError(f"{rule} already has a check: {CHECKS[rule].name}.")
        CHECKS[rule] = Check(
            rule=rule,
            judges=judges,
            kind=kind,
            function=function,
            section=section,
            summary=summary,
        )
        return function

    return register


def run_checks(subject: Any, *, as_of: dt.datetime, judges: Judges) -> list[Result]:
    """Every registered check for this kind of subject, in rule order."""
    return [each(subject, as_of=as_of) for each in CHECKS.values() if each.judges == judges]


@dataclass(frozen=True)
class Feature:
    """A programme rule that no check judges: the product keeps it by how it is built
    (its pages, exports and deployment). Listed beside the checks, so that docs/rules.md
    and the test of every rule ID cover the whole programme."""

    rule: str
    kind: Kind
    section: str
    summary: str
    kept_by: str  # where the product keeps it

    def summary_for(self, programme: Programme) -> str:
        return summary_words(self.summary, programme)


FEATURES: dict[str, Feature] = {
    feature.rule: feature
    for feature in (
        Feature(
            "M2",
            "—",
            "Reporting and Evaluation Framework",
            "The returns are read at national, cluster and hub level, with each hub's "
            "supporting narrative.",
            "The national pages (/national/) and their downloads; a return cannot be "
            "submitted without its narrative.",
        ),
        Feature(
            "M3",
            "—",
            "One-to-one support provision",
            "The return says whether one-to-one support came through the programme or an "
            "existing local programme, and whether the minimum was met.",
            "The return's one-to-one hours by route, and the participants meeting the "
            "minimum through the programme, existing programmes or both.",
        ),
        Feature(
            "M4",
            "—",
            "Impact Assessment & Evaluation",
            "Baseline data goes to the evaluator in one fixed format.",
            "The evaluator's baseline export (XLSX, pseudonymous), among the national downloads.",
        ),
        Feature(
            "G1",
            "—",
            "UK GDPR",
            "BEIS is the data controller; hubs and their delivery partners process the data "
            "for it.",
            "Who may see what (peernet/access.py): BEIS sees aggregates only; the national "
            "coordinator answers subject access requests and keeps the breach register "
            "(/privacy/).",
        ),
        Feature(
            "G2",
            "—",
            "UK GDPR",
            "Personal data is not transferred outside the UK.",
            "A deployment fact: the README's data protection section says where everything "
            "must run.",
        ),
        Feature(
            "G3",
            "fail",
            "UK GDPR",
            "A participant's data is shared with the evaluator only as the privacy notice allows.",
            "The evaluator's exports carry pseudonyms, never names; contact details go on "
            "the evaluator's list only for participants who consented.",
        ),
    )
}

# Rule parameters shown as money, not as plain numbers.
MONEY_PARAMETERS = frozenset({"sme_max_turnover", "sme_max_balance_sheet", "min_turnover"})


def rule_parameters() -> list[str]:
    """The Programme record's rule parameters: every field with a default, in order."""
    return [
        field.name
        for field in Programme._meta.concrete_fields
        if field.has_default() and not field.primary_key
    ]


def parameter_words(programme: Programme, name: str) -> str:
    """One of `programme`'s rule parameters as a sentence writes it: 11, 3.5, £100,000."""
    value = getattr(programme, name)
    return money_words(value) if name in MONEY_PARAMETERS else number_words(value)


def placeholders(summary: str) -> list[str]:
    """The names a rule's summary takes its numbers from, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(summary) if name]


class _Number(str):
    """A number in a rule's summary; a format spec is the noun it counts (1 month)."""

    __slots__ = ()

    def __format__(self, noun: str) -> str:
        return f"{self} {noun}{'' if self == '1' else 's'}" if noun else str(self)


def summary_words(summary: str, programme: Programme) -> str:
    """A rule's summary with `programme`'s numbers (and this module's thresholds)."""
    numbers = {
        name: _Number(globals()[name] if name.isupper() else parameter_words(programme, name))
        for name in placeholders(summary)
    }
    return summary.format_map(numbers)


def _result(rule: str, outcome: Outcome, sentence: str, due: dt.date | None = None) -> Result:
    return Result(rule=rule, outcome=outcome, sentence=sentence, due=due)


# --- time ------------------------------------------------------------------------------


def _elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time from start to end. Python subtracts two datetimes that share a tzinfo
    by wall clock, which is an hour out across a clock change; in UTC it is exact."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def _before(moment: dt.datetime, hours: int) -> dt.datetime:
    """`hours` real hours before `moment` (wall-clock arithmetic would be wrong across
    a clock change)."""
    return moment.astimezone(dt.UTC) - dt.timedelta(hours=hours)


# --- words -----------------------------------------------------------------------------

# Old names the rule tests still use.
_money, _duration, _when = money_words, duration_words, when_words


def _session_name(session: GroupSession) -> str:
    return f"the session of {session.cohort.name} on {date_words(local_date(session.starts_at))}"


def _sector_words(code: str) -> str:
    """SIC section C (Manufacturing)."""
    return f"SIC section {code} ({Sector(code).label.split(' — ', 1)[1]})"


# --- shared readings -------------------------------------------------------------------


def sessions_not_cancelled(sessions: Iterable[GroupSession]) -> list[GroupSession]:
    return sorted(
        (s for s in sessions if s.status != SessionStatus.CANCELLED), key=lambda s: s.starts_at
    )


def delivered_group_sessions(sessions: Iterable[GroupSession]) -> list[GroupSession]:
    return sorted(
        (s for s in sessions if s.status == SessionStatus.DELIVERED), key=lambda s: s.starts_at
    )


def _has_left(membership: CohortMembership, day: dt.date) -> bool:
    """A membership ends on its `left` date: a participant moved on that day is already
    in their new cohort."""
    return membership.left is not None and membership.left <= day


def _current_members(cohort: Cohort, day: dt.date) -> list[CohortMembership]:
    """Members allocated and not left by `day` (an allocation may start later)."""
    return [m for m in cohort.memberships.all() if not _has_left(m, day)]


def _members_on(cohort: Cohort, day: dt.date) -> list[CohortMembership]:
    """Members expected at a session on `day`: joined, not left, not dropped out."""
    return [
        m
        for m in cohort.memberships.all()
        if m.joined <= day
        and not _has_left(m, day)
        and (m.participant.dropped_out_on is None or m.participant.dropped_out_on > day)
    ]


def current_membership(participant: Participant, day: dt.date) -> CohortMembership | None:
    current = [m for m in participant.memberships.all() if not _has_left(m, day)]
    return max(current, key=lambda m: m.joined, default=None)


def latest_membership(participant: Participant) -> CohortMembership | None:
    return max(participant.memberships.all(), key=lambda m: m.joined, default=None)


def _present(session: GroupSession) -> list[Attendance]:
    return [row for row in session.attendance.all() if row.present]


def _first_attended_session(participant: Participant) -> GroupSession | None:
    attended = [
        row.session
        for row in participant.attendance.all()
        if row.present and row.session.status == SessionStatus.DELIVERED
    ]
    return min(attended, key=lambda s: s.starts_at, default=None)


def _first_group_session_to_come(participant: Participant) -> GroupSession | None:
    """The first scheduled session of the participant's cohort since they joined it."""
    membership = latest_membership(participant)
    if membership is None:
        return None
    return next(
        (
            s
            for s in sessions_not_cancelled(membership.cohort.sessions.all())
            if s.status == SessionStatus.SCHEDULED and local_date(s.starts_at) >= membership.joined
        ),
        None,
    )


def has_dropped_out(participant: Participant, day: dt.date) -> bool:
    return participant.dropped_out_on is not None and participant.dropped_out_on <= day


def _responses(participant: Participant, kind: SurveyKind) -> list[Any]:
    return [r for r in participant.survey_responses.all() if r.kind == kind]


def _exception(participant: Participant, rule: str) -> EligibilityException | None:
    return next((e for e in participant.eligibility_exceptions.all() if e.rule == rule), None)


def _agreed(exception: EligibilityException) -> str:
    return f"{exception.agreed_by} agreed on {date_words(exception.agreed_on)}"


def _joining_instructions(
    rule: str,
    *,
    what: str,
    starts_at: dt.datetime,
    sent_at: dt.datetime | None,
    cancelled: bool,
    notice_hours: int,
    late: Outcome,
    as_of: dt.datetime,
) -> Result:
    """K7 and O5: joining instructions no later than `notice_hours` real hours before."""
    if cancelled:
        return _result(rule, Outcome.NOT_APPLICABLE, f"The {what} was cancelled.")
    rule_words = f"they are due {notice_hours} hours before"
    if sent_at is not None:
        notice = _elapsed(sent_at, starts_at)
        if notice >= dt.timedelta(hours=notice_hours):
            return _result(
                rule,
                Outcome.PASS,
                f"Joining instructions were sent {duration_words(notice)} before the {what}; "
                f"{rule_words}.",
            )
        side = "before the" if notice >= dt.timedelta(0) else "after the start of the"
        return _result(
            rule,
            late,
            f"Joining instructions were sent {duration_words(notice)} {side} {what}; {rule_words}.",
        )
    deadline = _before(starts_at, notice_hours)
    due = local_date(deadline)
    if as_of < deadline:
        return _result(
            rule,
            Outcome.NOT_APPLICABLE,
            f"Joining instructions for the {what} are due by {when_words(deadline)}, "
            f"{notice_hours} hours before it starts.",
            due,
        )
    return _result(
        rule,
        late,
        f"Joining instructions for the {what} have not been sent; they were due by "
        f"{when_words(deadline)}, {notice_hours} hours before it starts.",
        due,
    )


# --- eligibility: E1–E10, C1–C2 (judge a participant) --------------------------------
# A participant's business and programme year decide these; the thresholds belong to
# the programme, so the business alone cannot be judged.
# Prefetch: e9_business_participants(), eligibility_exceptions, memberships__cohort,
# business_matches.


def e9_business_participants() -> Prefetch:
    """E9 asks about one business in every hub, so its participants are read across hubs
    (SECURITY.md 3: the hub scope is opened wide for this question alone)."""
    with scopes_disabled():
        return Prefetch("business__participants", queryset=Participant.objects.all())


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
)
def e1_sme_size(participant: Participant, *, as_of: dt.datetime) -> Result:
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
    return _result(
        "E1",
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
)
def e2_trading_period(participant: Participant, *, as_of: dt.datetime) -> Result:
    business, months = participant.business, participant.programme.min_trading_months
    if business.trading_since is None:
        return _result(
            "E2",
            Outcome.FAIL,
            f"{business.name}'s trading start date is unknown; it must have been trading "
            f"for {months} months or more.",
        )
    # Calendar months: trading since 21 November 2020 is 12 months on 21 November 2021.
    qualifies_on = add_months(business.trading_since, months)
    since = date_words(business.trading_since)
    if local_date(as_of) >= qualifies_on:
        return _result(
            "E2",
            Outcome.PASS,
            f"{business.name} has been trading since {since}, {months} months or more.",
        )
    return _result(
        "E2",
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
)
def e3_paye_employees(participant: Participant, *, as_of: dt.datetime) -> Result:
    business, needed = participant.business, participant.programme.min_paye_employees
    if business.employees is None:
        return _flexible(
            participant,
            "E3",
            f"{business.name}'s number of employees on PAYE is unknown; at least {needed} "
            "are needed",
        )
    if business.employees >= needed:
        return _result(
            "E3",
            Outcome.PASS,
            f"{business.name} has {plural_words(business.employees, 'employee')} on PAYE; at "
            f"least {needed} are needed.",
        )
    return _flexible(
        participant,
        "E3",
        f"{business.name} has {plural_words(business.employees, 'employee')} on PAYE; at least "
        f"{needed} are needed",
    )


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
)
def e4_turnover(participant: Participant, *, as_of: dt.datetime) -> Result:
    business, needed = participant.business, participant.programme.min_turnover
    if business.turnover is None:
        return _flexible(
            participant,
            "E4",
            f"{business.name}'s turnover is unknown; at least {money_words(needed)} is needed",
        )
    if business.turnover >= needed:
        return _result(
            "E4",
            Outcome.PASS,
            f"{business.name} has a turnover of {money_words(business.turnover)}; at least "
            f"{money_words(needed)} is needed.",
        )
    return _flexible(
        participant,
        "E4",
        f"{business.name} has a turnover of {money_words(business.turnover)}; at least "
        f"{money_words(needed)} is needed",
    )


def _flexible(participant: Participant, rule: str, shortfall: str) -> Result:
    """E3, E4: short of the threshold, unless admitted under one of the Playbook's two
    flexibilities (Covid-19: would have qualified in the 12 months before March 2020 and
    is viable; creative industries, for E3: associates and freelancers count), recorded
    with who agreed, when and why."""
    exception = _exception(participant, rule)
    if exception is None:
        return _result(rule, Outcome.FAIL, f"{shortfall}.")
    which = (
        "the Covid-19 flexibility"
        if exception.flexibility == "covid"
        else "the creative industries flexibility"
    )
    return _result(
        rule, Outcome.PASS, f"{shortfall}, but admitted under {which}: {_agreed(exception)}."
    )


@check(
    "E5",
    judges="participant",
    kind="fail",
    section="Target audience – Eligibility",
    summary=("The applicant has declared an aspiration to improve the business."),
)
def e5_aspiration_to_improve(participant: Participant, *, as_of: dt.datetime) -> Result:
    if participant.aspiration_to_improve:
        return _result(
            "E5", Outcome.PASS, f"{participant.full_name} has declared an aspiration to improve."
        )
    return _result(
        "E5",
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
)
def e6_lep_area(participant: Participant, *, as_of: dt.datetime) -> Result:
    area, hub = participant.business.local_authority, participant.hub
    if area in hub.local_authorities:
        return _result("E6", Outcome.PASS, f"{area} is within the {hub.lep} area.")
    exception = _exception(participant, EligibilityException.Rule.E6)
    if exception is not None:
        return _result(
            "E6",
            Outcome.PASS,
            f"{area} is outside the {hub.lep} area, and the exception is recorded: "
            f"{_agreed(exception)}.",
        )
    return _result(
        "E6",
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
)
def e7_senior_decision_maker(participant: Participant, *, as_of: dt.datetime) -> Result:
    if participant.senior_decision_maker:
        return _result(
            "E7",
            Outcome.PASS,
            f"{participant.full_name} is a senior decision maker in {participant.business.name}.",
        )
    return _result(
        "E7",
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
)
def e8_not_previous_year(participant: Participant, *, as_of: dt.datetime) -> Result:
    if not participant.previous_year_participant:
        return _result(
            "E8",
            Outcome.PASS,
            f"{participant.full_name} did not take part in the previous programme year.",
        )
    exception = _exception(participant, EligibilityException.Rule.E8)
    if exception is not None:
        return _result(
            "E8",
            Outcome.PASS,
            f"{participant.full_name} took part in the previous programme year and is admitted "
            f"at local discretion: {_agreed(exception)}.",
        )
    return _result(
        "E8",
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
)
def e9_one_person_per_business(participant: Participant, *, as_of: dt.datetime) -> Result:
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
        return _result(
            "E9",
            Outcome.FAIL,
            f"{who} from {business.name} already takes part this programme year; only one "
            "person from a business takes part.",
        )
    if any(o.eligibility_status == EligibilityStatus.PENDING for o in others):
        return _result(
            "E9",
            Outcome.WARN,
            f"Another registration from {business.name} is pending; only one person from a "
            "business takes part in a programme year.",
        )
    # Prefetch: business_matches. Without a company number, a business is found by its
    # name and postcode: until the hub confirms or dismisses the match, E9 warns.
    possible = [m for m in participant.business_matches.all() if m.status == "possible"]
    if possible:
        return _result(
            "E9",
            Outcome.WARN,
            f"{business.name} may be a business already registered (the same name and "
            "postcode): confirm or dismiss the match before deciding.",
        )
    return _result(
        "E9",
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
)
def e10_growth_potential(participant: Participant, *, as_of: dt.datetime) -> Result:
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
        return _result("E10", Outcome.PASS, f"{business.name} {' and '.join(strengths)}.")
    return _result(
        "E10",
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
)
def c1_charter_before_allocation(participant: Participant, *, as_of: dt.datetime) -> Result:
    memberships = sorted(participant.memberships.all(), key=lambda m: m.joined)
    signed_at = participant.charter_signed_at
    name = participant.full_name
    if signed_at is None:
        if memberships:
            first = memberships[0]
            return _result(
                "C1",
                Outcome.FAIL,
                f"{name} was allocated to {first.cohort.name} on {date_words(first.joined)} "
                "without a signed Participant Charter.",
            )
        return _result(
            "C1",
            Outcome.WARN,
            f"{name} has not signed the Participant Charter; it must be signed before "
            "allocation to a cohort.",
        )
    # Allocation is recorded as a date: a charter signed on the day of allocation passes.
    signed_on = local_date(signed_at)
    early = [m for m in memberships if m.joined < signed_on]
    if early:
        return _result(
            "C1",
            Outcome.FAIL,
            f"{name} was allocated to {early[0].cohort.name} on {date_words(early[0].joined)}, "
            f"before signing the Participant Charter on {date_words(signed_on)}.",
        )
    return _result(
        "C1", Outcome.PASS, f"{name} signed the Participant Charter on {date_words(signed_on)}."
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
def c2_privacy_notice_first(participant: Participant, *, as_of: dt.datetime) -> Result:
    acknowledged, registered = participant.privacy_notice_acknowledged, participant.registered
    if acknowledged <= registered:
        return _result(
            "C2",
            Outcome.PASS,
            f"{participant.full_name} acknowledged the privacy notice on "
            f"{date_words(acknowledged)}, "
            "before any further information was captured.",
        )
    return _result(
        "C2",
        Outcome.FAIL,
        f"{participant.full_name} was registered on {date_words(registered)} but acknowledged the "
        f"privacy notice only on {date_words(acknowledged)}.",
    )


# --- cohorts and group sessions: K1–K13 ----------------------------------------------
# Prefetch for cohorts: memberships__participant__business, memberships__participant__equality,
# sessions.
# Prefetch for sessions: cohort__programme, cohort__memberships__participant, attendance,
# action_cards, survey_responses; select_related facilitator_note.


@check(
    "K1",
    judges="cohort",
    kind="fail",
    section="Delivery Model; Resource Requirement",
    summary=(
        "A cohort has at most {cohort_size} participants: more fails. Fewer warns once its "
        "first session has started; a cohort still forming passes, with its first session as "
        "the date to fill it by."
    ),
)
def k1_cohort_size(cohort: Cohort, *, as_of: dt.datetime) -> Result:
    size = cohort.programme.cohort_size
    count = len(_current_members(cohort, local_date(as_of)))
    has = f"{cohort.name} has {plural_words(count, 'participant')}"
    if count > size:
        return _result("K1", Outcome.FAIL, f"{has}; a cohort has at most {size}.")
    if count == size:
        return _result("K1", Outcome.PASS, f"{has}, the target of {size}.")
    sessions = sessions_not_cancelled(cohort.sessions.all())
    if sessions and sessions[0].starts_at <= as_of:
        return _result(
            "K1", Outcome.WARN, f"{has}, fewer than the target of {size}, and has started."
        )
    # A forming cohort may have no session yet.
    first = (
        f" by the first session on {date_words(local_date(sessions[0].starts_at))}"
        if sessions
        else ""
    )
    return _result(
        "K1",
        Outcome.PASS,
        f"{has}; the target is {size}{first}.",
        local_date(sessions[0].starts_at) if sessions else None,
    )


@check(
    "K2",
    judges="cohort",
    kind="fail",
    section="Delivery Model; Action learning provision",
    summary=(
        "A cohort's delivered group sessions add up to {cohort_hours} hours. Not judged "
        "until the delivery window closes; short of it then fails."
    ),
)
def k2_cohort_hours_delivered(cohort: Cohort, *, as_of: dt.datetime) -> Result:
    programme = cohort.programme
    needed, end = programme.cohort_hours, programme.delivery_end
    delivered = sum_hours(delivered_group_sessions(cohort.sessions.all()))
    of = f"{cohort.name} has {hours_words(delivered)} of {number_words(needed)} hours delivered"
    if delivered >= needed:
        return _result("K2", Outcome.PASS, f"{of}.")
    if local_date(as_of) > end:
        return _result(
            "K2", Outcome.FAIL, f"{of}; the delivery window closed on {date_words(end)}."
        )
    return _result("K2", Outcome.NOT_APPLICABLE, f"{of} so far, due by {date_words(end)}.", end)


@check(
    "K3",
    judges="session",
    kind="warn",
    section="Delivery Model; Administration and Scheduling",
    summary=(
        "A session is recommended to last {session_hours_min} to {session_hours_max} hours; "
        "shorter or longer warns. A cancelled session is not judged."
    ),
)
def k3_session_length(session: GroupSession, *, as_of: dt.datetime) -> Result:
    if session.status == SessionStatus.CANCELLED:
        return _result("K3", Outcome.NOT_APPLICABLE, "The session was cancelled.")
    programme = session.cohort.programme
    low, high = programme.session_hours_min, programme.session_hours_max
    within = low <= session.hours <= high
    return _result(
        "K3",
        Outcome.PASS if within else Outcome.WARN,
        f"The session lasts {hours_words(session.hours)} hours; sessions are recommended to last "
        f"{number_words(low)} to {number_words(high)} hours.",
    )


@check(
    "K4",
    judges="cohort",
    kind="warn",
    section="Delivery Model; Administration and Scheduling",
    summary=(
        "Sessions are recommended fortnightly, at local discretion: the longest gap between "
        "a cohort's sessions warns when it is more than {session_gap_days_max} days."
    ),
)
def k4_session_gaps(cohort: Cohort, *, as_of: dt.datetime) -> Result:
    most = cohort.programme.session_gap_days_max
    days = [local_date(s.starts_at) for s in sessions_not_cancelled(cohort.sessions.all())]
    if len(days) < 2:
        return _result(
            "K4", Outcome.NOT_APPLICABLE, f"{cohort.name} has fewer than two sessions yet."
        )
    start, end = max(zip(days, days[1:], strict=False), key=lambda pair: pair[1] - pair[0])
    gap = (end - start).days
    sentence = (
        f"The longest gap between sessions of {cohort.name} is {plural_words(gap, 'day')} "
        f"({date_words(start)} to {date_words(end)}); sessions are recommended fortnightly, "
        f"with gaps of no more than {most} days."
    )
    return _result("K4", Outcome.WARN if gap > most else Outcome.PASS, sentence)


@check(
    "K5",
    judges="session",
    kind="fail",
    section="Delivery Model; Administration and Scheduling",
    summary=(
        "A session starts and ends inside the programme's delivery window, in London time: "
        "one that runs past midnight on the last day is outside it."
    ),
)
def k5_session_in_window(session: GroupSession, *, as_of: dt.datetime) -> Result:
    if session.status == SessionStatus.CANCELLED:
        return _result("K5", Outcome.NOT_APPLICABLE, "The session was cancelled.")
    # K5: sessions are *completed* within the window: judged by when the session ends,
    # so one running past midnight on the last day is outside it.
    programme = session.cohort.programme
    day = local_date(session.starts_at)
    opens = dt.datetime.combine(programme.delivery_start, dt.time.min, tzinfo=LONDON)
    closes = dt.datetime.combine(
        programme.delivery_end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON
    )
    inside = opens <= session.starts_at and ends_at(session.starts_at, session.hours) <= closes
    where = "inside" if inside else "outside"
    return _result(
        "K5",
        Outcome.PASS if inside else Outcome.FAIL,
        f"The session on {date_words(day)}, ending at "
        f"{ends_at(session.starts_at, session.hours).astimezone(LONDON):%H:%M}, is {where} the "
        f"delivery window, {date_words(programme.delivery_start)} to "
        f"{date_words(programme.delivery_end)}.",
    )


@check(
    "K6",
    judges="cohort",
    kind="warn",
    section="Administration and Scheduling; Session management",
    summary=(
        "A cohort's sessions are all scheduled at the outset: those delivered or scheduled "
        "before the delivery window closes add up to {cohort_hours} hours."
    ),
)
def k6_schedule_complete(cohort: Cohort, *, as_of: dt.datetime) -> Result:
    # K6: all sessions are scheduled at the outset, so the plan is visible to everyone.
    programme = cohort.programme
    needed, end = programme.cohort_hours, programme.delivery_end
    planned = sum_hours(
        s for s in sessions_not_cancelled(cohort.sessions.all()) if local_date(s.starts_at) <= end
    )
    sentence = (
        f"{cohort.name} has {hours_words(planned)} of {number_words(needed)} hours delivered or "
        f"scheduled by {date_words(end)}."
    )
    if planned >= needed:
        return _result("K6", Outcome.PASS, sentence)
    return _result("K6", Outcome.WARN, sentence, end)


@check(
    "K7",
    judges="session",
    kind="fail",
    section="Administration and Scheduling; Session management",
    summary=(
        "Joining instructions for a session go out at least {joining_instructions_hours} "
        "real hours before it starts (a clock change does not shorten them). Sent late, or "
        "not sent by then, fails; until then the sentence gives the time they are due by."
    ),
)
def k7_joining_instructions(session: GroupSession, *, as_of: dt.datetime) -> Result:
    return _joining_instructions(
        "K7",
        what="session",
        starts_at=session.starts_at,
        sent_at=session.joining_instructions_sent_at,
        cancelled=session.status == SessionStatus.CANCELLED,
        notice_hours=session.cohort.programme.joining_instructions_hours,
        late=Outcome.FAIL,
        as_of=as_of,
    )


def _not_delivered(rule: str, session: GroupSession) -> Result | None:
    if session.status == SessionStatus.DELIVERED:
        return None
    return _result(rule, Outcome.NOT_APPLICABLE, f"The session is {session.get_status_display()}.")


@check(
    "K8",
    judges="session",
    kind="fail",
    section="Session management",
    summary=(
        "Attendance is recorded for every member of the cohort at each delivered session; "
        "the sentence counts the members without a record."
    ),
)
def k8_attendance_recorded(session: GroupSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _not_delivered("K8", session)) is not None:
        return skipped
    day = local_date(session.starts_at)
    expected = {m.participant_id for m in _members_on(session.cohort, day)}
    recorded = {row.participant_id for row in session.attendance.all()}
    missing = len(expected - recorded)
    if missing:
        return _result(
            "K8",
            Outcome.FAIL,
            f"Attendance is not recorded for {missing} of {len(expected)} participants at "
            f"{_session_name(session)}.",
            day,
        )
    return _result(
        "K8", Outcome.PASS, f"Attendance is recorded for everyone at {_session_name(session)}."
    )


@check(
    "K9",
    judges="session",
    kind="warn",
    section="Session management",
    summary=(
        "Facilitator notes (issues brought, actions agreed, process issues and hot topics) "
        "are written for each delivered session."
    ),
)
def k9_facilitator_notes(session: GroupSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _not_delivered("K9", session)) is not None:
        return skipped
    try:
        note = session.facilitator_note
    except ObjectDoesNotExist:
        note = None
    fields = ("issues_brought", "actions_agreed", "process_issues", "hot_topics")
    if note is None or not any(getattr(note, field).strip() for field in fields):
        return _result(
            "K9",
            Outcome.WARN,
            f"Facilitator notes for {_session_name(session)} are not written yet: issues "
            "brought, actions agreed, process issues and hot topics.",
            local_date(session.starts_at),
        )
    return _result(
        "K9", Outcome.PASS, f"Facilitator notes for {_session_name(session)} are written."
    )


@check(
    "K10",
    judges="session",
    kind="warn",
    section="Session management",
    summary=(
        "Everyone present at a delivered session has an action card, and those who had "
        "actions at the cohort's previous session report back on them. A missing card or "
        "report-back warns."
    ),
)
def k10_action_cards(session: GroupSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _not_delivered("K10", session)) is not None:
        return skipped
    present = {row.participant_id for row in _present(session)}
    if not present:
        return _result(
            "K10",
            Outcome.NOT_APPLICABLE,
            f"Nobody is recorded present at {_session_name(session)}.",
        )
    cards = {card.participant_id: card for card in session.action_cards.all()}
    missing = len(present - set(cards))
    if missing:
        return _result(
            "K10",
            Outcome.WARN,
            f"{missing} of {len(present)} participants present at {_session_name(session)} "
            "have no action card.",
        )
    # K10: and each reports back at the next session on the actions of the last. Those
    # present now who had actions at the cohort's previous delivered session.
    earlier = [
        s
        for s in delivered_group_sessions(session.cohort.sessions.all())
        if s.starts_at < session.starts_at
    ]
    had_actions = (
        {c.participant_id for c in earlier[-1].action_cards.all() if c.actions.strip()}
        if earlier
        else set()
    )
    owed = present & had_actions
    silent = [pk for pk in owed if not cards[pk].report_back.strip()]
    if silent:
        return _result(
            "K10",
            Outcome.WARN,
            f"{len(silent)} of {len(owed)} participants present at {_session_name(session)} "
            "have not reported back on last session's actions.",
        )
    return _result(
        "K10",
        Outcome.PASS,
        f"Everyone present at {_session_name(session)} has an action card"
        + (" and reported back on last session's actions." if owed else "."),
    )


@check(
    "K11",
    judges="participant",
    kind="warn",
    section="Resolving problems, issues, and clashes",
    summary=(
        "A participant moved between cohorts joins the new one at the start of its journey: "
        "a move into a cohort that has already delivered sessions warns."
    ),
)
def k11_moved_at_start(participant: Participant, *, as_of: dt.datetime) -> Result:
    memberships = sorted(participant.memberships.all(), key=lambda m: m.joined)
    if len(memberships) < 2:
        return _result(
            "K11", Outcome.NOT_APPLICABLE, f"{participant.full_name} has not moved cohort."
        )
    for move in memberships[1:]:
        # A session on the day of joining is one the participant can attend.
        missed = [
            s
            for s in delivered_group_sessions(move.cohort.sessions.all())
            if local_date(s.starts_at) < move.joined
        ]
        if missed:
            return _result(
                "K11",
                Outcome.WARN,
                f"{participant.full_name} joined {move.cohort.name} on {date_words(move.joined)}, "
                f"after {plural_words(len(missed), 'session')} had been delivered; a moved "
                "participant joins a cohort at the start of its journey.",
            )
    last = memberships[-1]
    return _result(
        "K11",
        Outcome.PASS,
        f"{participant.full_name} joined {last.cohort.name} on {date_words(last.joined)}, before "
        "any of its sessions had been delivered.",
    )


def _possible_competitors(businesses: list[Business]) -> tuple[Business, Business] | None:
    seen: dict[tuple[str, str], Business] = {}
    for business in businesses:
        if not business.sector:
            continue
        key = (business.sector, business.local_authority)
        if key in seen:
            return seen[key], business
        seen[key] = business
    return None


# K12: the Playbook's aspects of a cohort's profile, as thresholds.
K12_SMALL_EMPLOYEES = 10  # a micro business...
K12_LARGE_EMPLOYEES = 50  # ...beside a medium-sized one
K12_YOUNG_YEARS = 3
K12_MATURE_YEARS = 10
K12_DIVERSITY_ANSWERS = 5  # fewer answers than this say nothing (as small counts)


@check(
    "K12",
    judges="cohort",
    kind="warn",
    section="Setting up cohorts",
    summary=(
        "The cohort's balance is considered. It warns when one sector holds more than half "
        "of its businesses; when two businesses share a sector and a local authority, so may "
        "be competitors; when sizes run from under {K12_SMALL_EMPLOYEES} to "
        "{K12_LARGE_EMPLOYEES} or more employees; when trading histories run from under "
        "{K12_YOUNG_YEARS} to {K12_MATURE_YEARS} or more years; or when, among at least "
        "{K12_DIVERSITY_ANSWERS} members who answered, one gender is more than three "
        "quarters. Gender is only ever counted over the whole cohort, never named."
    ),
)
def k12_cohort_balance(cohort: Cohort, *, as_of: dt.datetime) -> Result:
    businesses = [m.participant.business for m in _current_members(cohort, local_date(as_of))]
    if len(businesses) < 2:
        return _result(
            "K12", Outcome.NOT_APPLICABLE, f"{cohort.name} has fewer than two participants."
        )
    concerns = []
    sectors = Counter(b.sector for b in businesses if b.sector)
    if sectors:
        sector, count = sectors.most_common(1)[0]
        # K12: a cohort dominated by one sector has less to share across sectors.
        if count * 2 > len(businesses):
            concerns.append(
                f"{count} of {len(businesses)} businesses are in {_sector_words(sector)}"
            )
    pair = _possible_competitors(businesses)
    if pair is not None:
        concerns.append(
            f"{pair[0].name} and {pair[1].name} are both in {_sector_words(pair[0].sector)} "
            f"in {pair[0].local_authority}, so may be competitors"
        )
    # Size: larger businesses may face very different issues from very small ones.
    sizes = [b.employees for b in businesses if b.employees is not None]
    if sizes and min(sizes) < K12_SMALL_EMPLOYEES and max(sizes) >= K12_LARGE_EMPLOYEES:
        concerns.append(
            f"sizes range from {min(sizes)} to {max(sizes)} employees, and larger businesses "
            "may face very different issues from very small ones"
        )
    # Stage of growth: mature businesses among young ones may be leant on.
    day = local_date(as_of)
    years = [whole_years(b.trading_since, day) for b in businesses if b.trading_since]
    if years and min(years) < K12_YOUNG_YEARS and max(years) >= K12_MATURE_YEARS:
        concerns.append(
            f"businesses range from under {K12_YOUNG_YEARS} to {max(years)} years' trading, "
            "and more mature ones may be leant on"
        )
    # Diversity: gender (and the other protected characteristics) only ever as a count
    # of the whole cohort, never naming a value (SECURITY.md 25).
    genders = [
        g
        for m in _current_members(cohort, day)
        if (g := _equality(m.participant, "gender")) and g != "prefer-not-to-say"
    ]
    if len(genders) >= K12_DIVERSITY_ANSWERS:
        _, most = Counter(genders).most_common(1)[0]
        if most * 4 > len(genders) * 3:
            concerns.append(
                "the members' gender is not balanced (one gender is more than three quarters "
                f"of the {len(genders)} who answered)"
            )
    if concerns:
        return _result(
            "K12", Outcome.WARN, f"Consider the balance of {cohort.name}: {'; '.join(concerns)}."
        )
    return _result(
        "K12",
        Outcome.PASS,
        f"{cohort.name} is balanced in sector, size, stage of growth and diversity, and has no "
        "two businesses in the same sector and area.",
    )


def _equality(participant: Participant, field: str) -> str:
    """A participant's equality answer, for a cohort-wide count only (K12)."""
    try:
        return getattr(participant.equality, field)
    except ObjectDoesNotExist:
        return ""


# K13: a series of absences (three or more) warns, and so do the last two sessions missed
# without apologies; a follow-up recorded on or after the latest absence answers them.
K13_SERIES = 3


@check(
    "K13",
    judges="participant",
    kind="warn",
    section="Session management",
    summary=(
        "Absences are followed up. It warns when a current member has missed {K13_SERIES} or "
        "more sessions, or the last two without apologies, since the latest follow-up "
        "recorded; report a member who has disengaged to the hub."
    ),
)
def k13_absences_followed_up(participant: Participant, *, as_of: dt.datetime) -> Result:
    # Prefetch: memberships__cohort__sessions, attendance, absence_follow_ups.
    today = local_date(as_of)
    name = participant.full_name
    if has_dropped_out(participant, today):
        return _result(
            "K13",
            Outcome.NOT_APPLICABLE,
            f"{name} dropped out on {date_words(participant.dropped_out_on)}.",
        )
    membership = current_membership(participant, today)
    if membership is None:
        return _result("K13", Outcome.NOT_APPLICABLE, f"{name} is not in a cohort.")
    cohort = membership.cohort
    sessions = [
        s
        for s in delivered_group_sessions(cohort.sessions.all())
        if s.starts_at <= as_of and local_date(s.starts_at) >= membership.joined
    ]
    if not sessions:
        return _result(
            "K13", Outcome.NOT_APPLICABLE, f"{name} has had no delivered session in {cohort.name}."
        )
    # Only a recorded absence counts: a missing record is K8's to raise.
    rows = {row.session_id: row for row in participant.attendance.all()}
    absences = [s for s in sessions if s.pk in rows and not rows[s.pk].present]
    followed = max(
        (
            f.followed_up_on
            for f in participant.absence_follow_ups.all()
            if f.cohort_id == cohort.pk
        ),
        default=None,
    )
    open_absences = [s for s in absences if followed is None or local_date(s.starts_at) > followed]
    unexplained = [s for s in open_absences if not rows[s.pk].apologies]
    last_two = sessions[-2:]
    missed_last_two = len(last_two) == 2 and all(s in unexplained for s in last_two)
    if missed_last_two or len(open_absences) >= K13_SERIES:
        days = ", ".join(date_words(local_date(s.starts_at)) for s in open_absences)
        why = (
            f"was absent without apologies from the last two sessions of {cohort.name}"
            if missed_last_two
            else f"has missed {number_words(len(open_absences))} sessions of {cohort.name}"
        )
        since = f" since the follow-up on {date_words(followed)}" if followed else ""
        return _result(
            "K13",
            Outcome.WARN,
            f"{name} {why}{since} ({days}): follow up, record what came of it, and report to "
            "the hub if they have disengaged.",
        )
    if followed is not None and absences:
        return _result(
            "K13",
            Outcome.PASS,
            f"{name}'s absences from {cohort.name} were followed up on {date_words(followed)}.",
        )
    if absences:
        return _result(
            "K13",
            Outcome.PASS,
            f"{name} has missed {len(absences)} of {len(sessions)} sessions of {cohort.name}; "
            "none needs following up yet.",
        )
    return _result("K13", Outcome.PASS, f"{name} has not missed a session of {cohort.name}.")


# --- one-to-one support: O1–O8 -------------------------------------------------------
# Prefetch for participants: one_to_ones, attendance__session, memberships__cohort__sessions;
# select_related action_plan. For one-to-ones: participant (with the same).


@check(
    "O1",
    judges="participant",
    kind="fail",
    section="One-to-one support provision; One-to-One Support Provision: Duration and Frequency",
    summary=(
        "Each participant gets at least {one_to_one_hours} hours of one-to-one support, "
        "through the programme or an existing local programme (which is named, with the "
        "hours and the nature of the support: without the nature, it warns). Short of it "
        "when the delivery window closes fails, unless the participant declined (O8). Not "
        "judged for someone who dropped out."
    ),
)
def o1_one_to_one_hours(participant: Participant, *, as_of: dt.datetime) -> Result:
    name, programme = participant.full_name, participant.programme
    if participant.one_to_one_declined:
        return _result(
            "O1",
            Outcome.PASS,
            f"{name} declined one-to-one support, and the refusal is recorded (O8).",
        )
    today = local_date(as_of)
    if has_dropped_out(participant, today):
        return _result(
            "O1",
            Outcome.NOT_APPLICABLE,
            f"{name} dropped out on {date_words(participant.dropped_out_on)}.",
        )
    if not participant.memberships.all():
        return _result("O1", Outcome.NOT_APPLICABLE, f"{name} is not in a cohort yet.")
    needed, end = programme.one_to_one_hours, programme.delivery_end
    delivered_sessions = [
        o for o in participant.one_to_ones.all() if o.status == SessionStatus.DELIVERED
    ]
    delivered = sum_hours(delivered_sessions)
    of = (
        f"{name} has {hours_words(delivered)} of {number_words(needed)} hours "
        "of one-to-one support delivered"
    )
    if delivered < needed and today > end:
        return _result(
            "O1", Outcome.FAIL, f"{of}; the delivery window closed on {date_words(end)}."
        )
    # O1: support through an existing local programme records what it was.
    undescribed = [
        o
        for o in delivered_sessions
        if o.route == OneToOneRoute.EXISTING and not o.nature_of_support.strip()
    ]
    if undescribed:
        return _result(
            "O1",
            Outcome.WARN,
            f"{of}; record the nature of the support given through "
            f"{undescribed[0].existing_programme}.",
            None if delivered >= needed else end,
        )
    if delivered >= needed:
        return _result("O1", Outcome.PASS, f"{of}.")
    return _result("O1", Outcome.NOT_APPLICABLE, f"{of} so far, due by {date_words(end)}.", end)


@dataclass(frozen=True)
class OneToOneDeadlines:
    """The dates O2, O3 and O4 set for one participant's one-to-one support."""

    first_group_session: dt.datetime | None  # O2: support begins after it
    first_attended: bool  # False: the cohort's first session still to come
    final_group_session: dt.date | None  # the cohort's last session not cancelled
    latest: dt.date | None  # O3: within `months` of the final session
    months: int
    window_end: dt.date  # O4

    def sentences(self) -> list[tuple[str, str]]:
        """(rule, sentence) for each deadline, in the order they apply."""
        lines = []
        if self.first_group_session is None:
            lines.append(
                (
                    "O2",
                    "One-to-one support begins only after the participant's first group "
                    "session, and none is scheduled yet.",
                )
            )
        else:
            day = date_words(local_date(self.first_group_session))
            which = (
                "first group session" if self.first_attended else "first group session (to come)"
            )
            lines.append(
                (
                    "O2",
                    f"Not before the end of the participant's {which} on {day}, at "
                    f"{time_words(self.first_group_session)}.",
                )
            )
        if self.latest is not None and self.final_group_session is not None:
            lines.append(
                (
                    "O3",
                    f"Within {plural_words(self.months, 'month')} of the cohort's final group "
                    f"session on {date_words(self.final_group_session)}: by "
                    f"{date_words(self.latest)}.",
                )
            )
        lines.append(("O4", f"By the end of the delivery window on {date_words(self.window_end)}."))
        return lines


def one_to_one_deadlines(participant: Participant) -> OneToOneDeadlines:
    """O2–O4 for a participant, read as the checks read them (same prefetches as O1)."""
    attended = _first_attended_session(participant)
    first = attended or _first_group_session_to_come(participant)
    membership = latest_membership(participant)
    sessions = sessions_not_cancelled(membership.cohort.sessions.all()) if membership else []
    programme = participant.programme
    months = programme.one_to_one_months_after_final
    final = local_date(sessions[-1].starts_at) if sessions else None
    return OneToOneDeadlines(
        # O2 counts from when the first group session ends.
        first_group_session=ends_at(first.starts_at, first.hours) if first else None,
        first_attended=attended is not None,
        final_group_session=final,
        latest=add_months(final, months) if final else None,
        months=months,
        window_end=programme.delivery_end,
    )


def _cancelled_one_to_one(rule: str, session: OneToOneSession) -> Result | None:
    if session.status != SessionStatus.CANCELLED:
        return None
    return _result(rule, Outcome.NOT_APPLICABLE, "The one-to-one session was cancelled.")


@check(
    "O2",
    judges="one_to_one",
    kind="fail",
    section="One-to-One Support Provision; Administration and Scheduling",
    summary=(
        "One-to-one support begins only after the participant's first group session has "
        "ended. A delivered one-to-one needs a group session attended before it; one "
        "scheduled ahead may follow a first session still to come."
    ),
)
def o2_after_first_group_session(session: OneToOneSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _cancelled_one_to_one("O2", session)) is not None:
        return skipped
    first = _first_attended_session(session.participant)
    if first is None and session.status == SessionStatus.SCHEDULED:
        # Booking ahead is fine: a scheduled one-to-one may follow a first group
        # session that is itself still to come. A delivered one needs an attended one.
        first = _first_group_session_to_come(session.participant)
    when = f"The one-to-one session at {when_words(session.starts_at)}"
    # O2: support begins only after the first group session: after it has *ended*.
    if first is None or session.starts_at < ends_at(first.starts_at, first.hours):
        return _result(
            "O2",
            Outcome.FAIL,
            f"{when} is before the end of the participant's first group session; one-to-one "
            "support begins only after it.",
        )
    return _result(
        "O2",
        Outcome.PASS,
        f"{when} is after the participant's first group session on "
        f"{date_words(local_date(first.starts_at))}.",
    )


@check(
    "O3",
    judges="one_to_one",
    kind="warn",
    section="One-to-One Support Provision: Administration and Scheduling",
    summary=(
        "Each one-to-one session takes place within {one_to_one_months_after_final:month} "
        "of the cohort's final group session; later warns."
    ),
)
def o3_soon_after_final_session(session: OneToOneSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _cancelled_one_to_one("O3", session)) is not None:
        return skipped
    participant = session.participant
    membership = latest_membership(participant)
    sessions = sessions_not_cancelled(membership.cohort.sessions.all()) if membership else []
    if not sessions:
        return _result(
            "O3", Outcome.NOT_APPLICABLE, "The participant's cohort has no sessions scheduled."
        )
    months = participant.programme.one_to_one_months_after_final
    final = local_date(sessions[-1].starts_at)
    latest = add_months(final, months)
    day = local_date(session.starts_at)
    within = (
        f"within {plural_words(months, 'month')} of"
        if day <= latest
        else f"more than {plural_words(months, 'month')} after"
    )
    sentence = (
        f"The one-to-one session on {date_words(day)} is {within} the cohort's final group "
        f"session on {date_words(final)} (the latest date is {date_words(latest)})."
    )
    return _result("O3", Outcome.PASS if day <= latest else Outcome.WARN, sentence)


@check(
    "O4",
    judges="one_to_one",
    kind="fail",
    section="Delivery Model; One-to-One Support Provision: Administration and Scheduling",
    summary=(
        "Each one-to-one session takes place by the end of the delivery window; one after it fails."
    ),
)
def o4_within_window(session: OneToOneSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _cancelled_one_to_one("O4", session)) is not None:
        return skipped
    end = session.participant.programme.delivery_end
    day = local_date(session.starts_at)
    if day <= end:
        return _result(
            "O4",
            Outcome.PASS,
            f"The one-to-one session on {date_words(day)} is within the delivery window, which "
            f"ends on {date_words(end)}.",
        )
    return _result(
        "O4",
        Outcome.FAIL,
        f"The one-to-one session on {date_words(day)} is after the delivery window ended on "
        f"{date_words(end)}.",
    )


@check(
    "O5",
    judges="one_to_one",
    kind="warn",
    section="One-to-One Support Provision: Administration and Scheduling",
    summary=(
        "Joining instructions for a one-to-one session go out at least "
        "{joining_instructions_hours} real hours before it starts; late, or not sent, warns. "
        "Support the hub records afterwards from an existing programme is not judged."
    ),
)
def o5_joining_instructions(session: OneToOneSession, *, as_of: dt.datetime) -> Result:
    if session.entered_by_hub:
        # Hours the hub records afterwards from an existing programme: that programme
        # arranged the session, and no joining instructions were the programme's to send.
        return _result(
            "O5",
            Outcome.NOT_APPLICABLE,
            f"The hub recorded this support from {session.existing_programme} afterwards.",
        )
    return _joining_instructions(
        "O5",
        what="one-to-one session",
        starts_at=session.starts_at,
        sent_at=session.joining_instructions_sent_at,
        cancelled=session.status == SessionStatus.CANCELLED,
        notice_hours=session.participant.programme.joining_instructions_hours,
        late=Outcome.WARN,
        as_of=as_of,
    )


@check(
    "O6",
    judges="participant",
    kind="warn",
    section="One-to-One Support Provision; Engagement Approach",
    summary=(
        "A short GROW(TH) action plan (goal, reality, obstacles and options, way forward, "
        "tactics, habits) is agreed after the participant's first attended group session. "
        "None yet, or one dated before that session, warns."
    ),
)
def o6_action_plan(participant: Participant, *, as_of: dt.datetime) -> Result:
    first = _first_attended_session(participant)
    name = participant.full_name
    if first is None:
        return _result(
            "O6", Outcome.NOT_APPLICABLE, f"{name} has not attended a group session yet."
        )
    try:
        plan = participant.action_plan
    except ObjectDoesNotExist:
        return _result(
            "O6",
            Outcome.WARN,
            f"{name} has no action plan yet; a short GROW(TH) plan follows the first group "
            f"session on {date_words(local_date(first.starts_at))}.",
        )
    first_day = local_date(first.starts_at)
    if plan.agreed_on < first_day:
        # O6: the plan *follows* the first group session; one dated before it does not.
        return _result(
            "O6",
            Outcome.WARN,
            f"{name}'s action plan is dated {date_words(plan.agreed_on)}, before their first "
            f"group session on {date_words(first_day)}; the plan follows that session.",
        )
    return _result(
        "O6", Outcome.PASS, f"{name}'s action plan was agreed on {date_words(plan.agreed_on)}."
    )


@check(
    "O7",
    judges="one_to_one",
    kind="warn",
    section="Provider Behaviours",
    summary=(
        "The provider of a one-to-one session has declared whether they have a conflict of "
        "interest in supporting the participant, and notifies any private work with them "
        "afterwards. No declaration warns."
    ),
)
def o7_conflicts_declared(session: OneToOneSession, *, as_of: dt.datetime) -> Result:
    # Prefetch: participant__provider_declarations.
    if (skipped := _cancelled_one_to_one("O7", session)) is not None:
        return skipped
    name = session.participant.full_name
    if session.provider_id is None:
        return _result(
            "O7",
            Outcome.NOT_APPLICABLE,
            f"The one-to-one session with {name} is delivered by an existing local programme.",
        )
    declaration = next(
        (
            d
            for d in session.participant.provider_declarations.all()
            if d.provider_id == session.provider_id
        ),
        None,
    )
    if declaration is None:
        return _result(
            "O7",
            Outcome.WARN,
            f"The provider has not declared whether they have a conflict of interest in "
            f"supporting {name}; providers declare conflicts of interest.",
        )
    declared = date_words(declaration.declared_on)
    conflict = "a conflict of interest" if declaration.has_conflict else "no conflict of interest"
    sentence = f"The provider declared {conflict} in supporting {name} on {declared}"
    if declaration.private_work_from is not None:
        sentence += (
            f", and notified private work with them from "
            f"{date_words(declaration.private_work_from)}"
        )
    return _result("O7", Outcome.PASS, f"{sentence}.")


@check(
    "O8",
    judges="participant",
    kind="—",
    section="One-to-one support provision",
    summary=(
        "A participant cannot be made to accept one-to-one support: a refusal is recorded, "
        "with its date, and excuses O1. It records, and never warns or fails."
    ),
)
def o8_refusal_recorded(participant: Participant, *, as_of: dt.datetime) -> Result:
    if participant.one_to_one_declined:
        try:
            on = f" on {date_words(participant.one_to_one_decline.declined_on)}"
        except ObjectDoesNotExist:  # recorded before declines were dated
            on = ""
        return _result(
            "O8",
            Outcome.PASS,
            f"{participant.full_name} declined one-to-one support{on}; the refusal is recorded.",
        )
    return _result(
        "O8",
        Outcome.NOT_APPLICABLE,
        f"{participant.full_name} has not declined one-to-one support.",
    )


# --- quality: Q1–Q5 -------------------------------------------------------------------
# Prefetch for facilitators: role_assignments__cohort__sessions__observations.
# For observations: select_related session__cohort__programme.


@check(
    "Q1",
    judges="facilitator",
    kind="warn",
    section="Ensuring Quality of Delivery",
    summary=(
        "Each facilitator has at least one session observed; a facilitator of a cohort with "
        "no completed observation warns."
    ),
)
def q1_facilitator_observed(facilitator: User, *, as_of: dt.datetime) -> Result:
    cohorts = [
        assignment.cohort
        for assignment in facilitator.role_assignments.all()
        if assignment.role == Role.FACILITATOR and assignment.cohort is not None
    ]
    if not cohorts:
        return _result("Q1", Outcome.NOT_APPLICABLE, f"{facilitator} does not facilitate a cohort.")
    observed = [
        observation
        for cohort in cohorts
        for session in cohort.sessions.all()
        for observation in session.observations.all()
        if observation.completed is not None
    ]
    if observed:
        latest = max(o.completed for o in observed)
        return _result(
            "Q1",
            Outcome.PASS,
            f"A session of {facilitator}'s was observed on {date_words(latest)}.",
        )
    return _result(
        "Q1",
        Outcome.WARN,
        f"No session of {facilitator}'s has been observed yet; each facilitator has at least "
        "one session observed.",
    )


@check(
    "Q2",
    judges="observation",
    kind="fail",
    section="Observation; Ensuring Quality of Delivery",
    summary=(
        "An observation gives the facilitator at least {observation_notice_hours} real "
        "hours' notice, and a privacy statement is shared with the cohort; either missing "
        "fails."
    ),
)
def q2_observation_notice(observation: Observation, *, as_of: dt.datetime) -> Result:
    session = observation.session
    hours = session.cohort.programme.observation_notice_hours
    notice = _elapsed(observation.notice_given, session.starts_at)
    problems = []
    if notice < dt.timedelta(hours=hours):
        problems.append(
            f"the facilitator was given notice {duration_words(notice)} before it, and "
            f"{hours} hours' notice is needed"
        )
    if observation.privacy_statement_shared is None:
        problems.append("no privacy statement was shared with the cohort")
    if problems:
        return _result(
            "Q2",
            Outcome.FAIL,
            f"For the observation of {_session_name(session)}, {'; '.join(problems)}.",
        )
    return _result(
        "Q2",
        Outcome.PASS,
        f"The facilitator was given notice of the observation of {_session_name(session)} "
        f"{duration_words(notice)} before it, and the privacy statement was shared.",
    )


@check(
    "Q3",
    judges="session",
    kind="—",
    section="Observation",
    summary=(
        "The programme manager picks sessions to observe at random: a feature of the "
        "observation pages, never a finding."
    ),
)
def q3_random_selection(session: GroupSession, *, as_of: dt.datetime) -> Result:
    # Q3 is a feature (the programme manager's random pick), not something to judge.
    return _result(
        "Q3",
        Outcome.NOT_APPLICABLE,
        "Sessions for observation are selected at random by the programme manager.",
    )


@check(
    "Q4",
    judges="observation",
    kind="warn",
    section="Observation",
    summary=(
        "A recording made for an observation is deleted once reviewed or once feedback is "
        "given; an observation reviewed without its recording recorded as deleted warns."
    ),
)
def q4_recording_deleted(observation: Observation, *, as_of: dt.datetime) -> Result:
    name = _session_name(observation.session)
    if observation.recording_deleted is not None:
        return _result(
            "Q4",
            Outcome.PASS,
            f"The recording of {name} was deleted on "
            f"{date_words(local_date(observation.recording_deleted))}.",
        )
    if observation.completed is None and not observation.feedback.strip():
        return _result(
            "Q4",
            Outcome.NOT_APPLICABLE,
            f"The observation of {name} has not been reviewed yet.",
        )
    return _result(
        "Q4",
        Outcome.WARN,
        f"Any recording of {name} is not recorded as deleted; delete it once reviewed or once "
        "feedback is given.",
    )


@check(
    "Q5",
    judges="complaint",
    kind="warn",
    section="Quality Management and Assurance",
    summary=("Complaints and feedback are recorded with the action taken; none recorded warns."),
)
def q5_complaint_action(complaint: Complaint, *, as_of: dt.datetime) -> Result:
    received = date_words(complaint.received)
    if complaint.action_taken.strip():
        return _result(
            "Q5",
            Outcome.PASS,
            f"The complaint received on {received} has the action taken recorded.",
        )
    return _result(
        "Q5",
        Outcome.WARN,
        f"The complaint received on {received} has no action taken recorded.",
    )


# --- surveys: S1–S5 --------------------------------------------------------------------
# Prefetch for participants: survey_responses, memberships__cohort__sessions.
# For sessions: attendance, survey_responses.


@check(
    "S1",
    judges="participant",
    kind="warn",
    section="Participant surveys; Impact Assessment & Evaluation",
    summary=(
        "A participant in a cohort answers the detailed baseline survey at the start; not "
        "answered warns."
    ),
)
def s1_baseline_survey(participant: Participant, *, as_of: dt.datetime) -> Result:
    name = participant.full_name
    if not participant.memberships.all():
        return _result("S1", Outcome.NOT_APPLICABLE, f"{name} is not in a cohort yet.")
    if _responses(participant, SurveyKind.BASELINE):
        return _result("S1", Outcome.PASS, f"{name} has answered the baseline survey.")
    return _result("S1", Outcome.WARN, f"{name} has not answered the baseline survey.")


@check(
    "S2",
    judges="session",
    kind="warn",
    section="Participant surveys",
    summary=(
        "Everyone present at a delivered session answers the short feedback survey after it; "
        "the sentence counts those who have not."
    ),
)
def s2_session_feedback(session: GroupSession, *, as_of: dt.datetime) -> Result:
    if (skipped := _not_delivered("S2", session)) is not None:
        return skipped
    present = {row.participant_id for row in _present(session)}
    if not present:
        return _result(
            "S2", Outcome.NOT_APPLICABLE, f"Nobody is recorded present at {_session_name(session)}."
        )
    answered = {
        r.participant_id
        for r in session.survey_responses.all()
        if r.kind == SurveyKind.SESSION_FEEDBACK
    }
    missing = len(present - answered)
    if missing:
        return _result(
            "S2",
            Outcome.WARN,
            f"{missing} of {len(present)} participants present at {_session_name(session)} "
            "have not answered the feedback survey.",
        )
    return _result(
        "S2",
        Outcome.PASS,
        f"Everyone present at {_session_name(session)} has answered the feedback survey.",
    )


@check(
    "S3",
    judges="participant",
    kind="warn",
    section="Participant surveys; Impact Assessment & Evaluation",
    summary=(
        "A participant whose cohort has delivered its {cohort_hours} hours answers the "
        "detailed exit survey; not answered warns. Someone who dropped out is S4's."
    ),
)
def s3_exit_survey(participant: Participant, *, as_of: dt.datetime) -> Result:
    today, name = local_date(as_of), participant.full_name
    membership = current_membership(participant, today)
    if has_dropped_out(participant, today) or membership is None:
        return _result("S3", Outcome.NOT_APPLICABLE, f"{name} is not completing a cohort (see S4).")
    cohort = membership.cohort
    needed = participant.programme.cohort_hours
    if sum_hours(delivered_group_sessions(cohort.sessions.all())) < needed:
        return _result(
            "S3",
            Outcome.NOT_APPLICABLE,
            f"{cohort.name} has not yet delivered its {number_words(needed)} hours.",
        )
    if _responses(participant, SurveyKind.EXIT):
        return _result("S3", Outcome.PASS, f"{name} has answered the exit survey.")
    return _result(
        "S3",
        Outcome.WARN,
        f"{name} has not answered the exit survey; {cohort.name} has delivered its "
        f"{number_words(needed)} hours.",
    )


@check(
    "S4",
    judges="participant",
    kind="warn",
    section="Impact Assessment & Evaluation",
    summary=(
        "A participant who drops out part way answers the drop-out survey (and gets none of "
        "the surveys after completion); not answered warns."
    ),
)
def s4_dropout_survey(participant: Participant, *, as_of: dt.datetime) -> Result:
    name = participant.full_name
    if not has_dropped_out(participant, local_date(as_of)):
        return _result("S4", Outcome.NOT_APPLICABLE, f"{name} has not dropped out.")
    left = date_words(participant.dropped_out_on)
    if _responses(participant, SurveyKind.DROPOUT):
        return _result(
            "S4", Outcome.PASS, f"{name} dropped out on {left} and answered the drop-out survey."
        )
    return _result(
        "S4",
        Outcome.WARN,
        f"{name} dropped out on {left} and has not answered the drop-out survey.",
    )


@check(
    "S5",
    judges="participant",
    kind="—",
    section="Impact Assessment & Evaluation",
    summary=(
        "The independent evaluator surveys completers soon after they complete and again six "
        "months later: the product lists who is due, with their consent, and never warns or "
        "fails."
    ),
)
def s5_evaluator_surveys(participant: Participant, *, as_of: dt.datetime) -> Result:
    # S5 is a feature: the list of completers due an evaluator survey, with consent.
    return _result(
        "S5",
        Outcome.NOT_APPLICABLE,
        "The independent evaluator surveys completers after completion and six months later; "
        "see the list of who is due.",
    )


# --- reporting: M1 --------------------------------------------------------------------
# Prefetch for returns: hub, versions.


def return_due_at(month: dt.date, programme: Programme) -> dt.datetime:
    """M1: the last second of `return_due_day` of the month after `month`, in London."""
    due_day = Month.of(month).next().day(programme.return_due_day)
    return dt.datetime.combine(due_day, dt.time(23, 59, 59), tzinfo=LONDON)


def _on_time(moment: dt.datetime, due_at: dt.datetime) -> bool:
    """Within the due day in London, to the last fraction of its last second."""
    return local_date(moment) <= due_at.date()


@check(
    "M1",
    judges="monthly_return",
    kind="fail",
    section="Reporting and Evaluation Framework",
    summary=(
        "A hub's return for a month is submitted by the end of day {return_due_day} of the "
        "following month (23:59:59, London time), judged by its first submitted version: "
        "later fails, and nothing submitted by then is missing."
    ),
)
def m1_return_on_time(monthly_return: MonthlyReturn, *, as_of: dt.datetime) -> Result:
    due_at = return_due_at(monthly_return.month, Programme.for_month(monthly_return.month))
    which = f"{monthly_return.hub.name}'s return for {monthly_return.month:%B %Y}"
    due_words = f"it was due by {when_words(due_at)}"
    first = min(monthly_return.versions.all(), key=lambda v: v.submitted_at, default=None)
    if first is not None:
        submitted = when_words(first.submitted_at)
        if _on_time(first.submitted_at, due_at):
            return _result(
                "M1", Outcome.PASS, f"{which} was submitted at {submitted}; {due_words}."
            )
        return _result(
            "M1", Outcome.FAIL, f"{which} was submitted late, at {submitted}; {due_words}."
        )
    if _on_time(as_of, due_at):
        return _result(
            "M1",
            Outcome.NOT_APPLICABLE,
            f"{which} is due by {when_words(due_at)}.",
            due_at.date(),
        )
    return _result("M1", Outcome.FAIL, f"{which} is missing; {due_words}.", due_at.date())


# --- enforcing the checks at an action --------------------------------------------------
# Eligibility decisions, allocation, scheduling, one-to-one logging and observation
# booking ask their own checks: a fail blocks the action with its sentence, a warn is
# shown and recorded (peernet.services.rule_warnings_record).


class RuleBroken(Exception):
    """An action refused because a check failed; `results` are the failing checks."""

    def __init__(self, results: Iterable[Result]) -> None:
        self.results = list(results)
        super().__init__(" ".join(result.sentence for result in self.results))


def run_rules(subject: Any, rules: Iterable[str], *, as_of: dt.datetime) -> list[Result]:
    """The named checks on one subject, in the order given (an action asks only its own)."""
    return [CHECKS[rule](subject, as_of=as_of) for rule in rules]


def enforce(
    results: Iterable[Result], *, exceptions_allowed: Collection[str] = frozenset()
) -> list[Result]:
    """Raise `RuleBroken` for any fail not excused; return the warnings to show and record.

    E6 and E8 already pass when their exception is recorded, so `exceptions_allowed` is
    for a caller that has excused a rule some other way.
    """
    results = list(results)
    broken = [r for r in results if r.outcome == Outcome.FAIL and r.rule not in exceptions_allowed]
    if broken:
        raise RuleBroken(broken)
    return [r for r in results if r.outcome == Outcome.WARN]
