"""The return's contract: every figure id in the return's order, its label, period and
definition, and the breakdowns with their categories (docs/returns.md is generated from
here; the ids are the column names of every output and must not drift).

What the pages, downloads and generated docs read about a figure lives here; how it is
counted is in `reporting.kpi.sources`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from participants.models import AgeBand, Disability, EthnicGroup, Gender, Sector

NOT_KNOWN = "not known"

# --- the figure ids, in the return's order ---------------------------------------------------

# (base id, suffixes: M = _month, C = _cumulative, E = as at month end, definition)
_FIGURES: list[tuple[str, str, str]] = [
    (
        "registrations",
        "MC",
        "participants whose registration (the first enquiry recorded) is dated in the period",
    ),
    (
        "eligible",
        "MC",
        'participants whose eligibility decision, dated in the period, is "eligible"',
    ),
    (
        "ineligible",
        "MC",
        'participants whose eligibility decision, dated in the period, is "ineligible"',
    ),
    (
        "allocated",
        "MC",
        "participants whose first cohort membership starts in the period (a move between "
        "cohorts does not count again)",
    ),
    (
        "started",
        "MC",
        "participants whose first attended (marked present) delivered group session is in "
        "the period",
    ),
    ("cohorts_started", "MC", "cohorts whose first delivered session is in the period"),
    (
        "cohorts_completed",
        "MC",
        "cohorts whose delivered hours first reach the required total (18) with a session in "
        "the period",
    ),
    (
        "participants_completed",
        "MC",
        "participants, not dropped out on that date, who were members of a cohort on the "
        "day it completed in the period (their cohort at completion; counted once)",
    ),
    ("sessions_delivered", "MC", "delivered group sessions dated in the period"),
    ("group_hours_delivered", "MC", "sum of the hours of those delivered group sessions"),
    (
        "participant_hours_attended",
        "MC",
        "sum of the hours attended over attendance marked present at those sessions (a late "
        "arrival may record fewer hours than the session)",
    ),
    (
        "attendance_rate",
        "MC",
        "percentage, one decimal (half up): attendance marked present divided by attendance "
        "recorded (present plus absent) at those sessions; empty when nothing was recorded",
    ),
    ("one_to_one_sessions", "MC", "delivered one-to-one sessions dated in the period"),
    (
        "one_to_one_hours_programme",
        "MC",
        "hours of those one-to-one sessions delivered by the programme",
    ),
    (
        "one_to_one_hours_existing",
        "MC",
        "hours of those one-to-one sessions delivered through existing local programmes",
    ),
    (
        "one_to_one_participants",
        "C",
        "participants with at least one delivered one-to-one session",
    ),
    (
        "one_to_one_minimum_met",
        "MC",
        "participants whose total delivered one-to-one hours (both routes) first reach the "
        "minimum (3.5) with a session in the period",
    ),
    (
        "one_to_one_minimum_met_programme",
        "C",
        "of the participants meeting the 3.5-hour minimum to date: those all of whose "
        "delivered hours up to month end came through the programme",
    ),
    (
        "one_to_one_minimum_met_existing",
        "C",
        "of the participants meeting the 3.5-hour minimum to date: those all of whose "
        "delivered hours up to month end came through existing local programmes",
    ),
    (
        "one_to_one_minimum_met_mixed",
        "C",
        "of the participants meeting the 3.5-hour minimum to date: those whose hours came "
        "through both (the three add up to the participants meeting the minimum)",
    ),
    (
        "one_to_one_declined",
        "C",
        "participants who declined one-to-one support on or before the month's end (the "
        "date recorded with the refusal; a refusal imported without a date counts from the "
        "participant's registration)",
    ),
    ("baseline_surveys", "MC", "baseline surveys completed in the period"),
    (
        "session_feedback_responses",
        "MC",
        "post-session feedback surveys completed in the period",
    ),
    (
        "session_satisfaction_mean",
        "MC",
        "mean of the overall satisfaction answer (1 to 5) over those responses that answered "
        "it, two decimals (half up); empty when none",
    ),
    ("exit_surveys", "MC", "exit surveys completed in the period"),
    ("dropout_surveys", "MC", "drop-out surveys completed in the period"),
    ("dropped_out", "MC", "participants whose drop-out is dated in the period"),
    (
        "sessions_observed",
        "MC",
        "completed observations of group sessions dated in the period",
    ),
    (
        "complaints",
        "MC",
        "complaints (not compliments) recorded in the period, by the date received",
    ),
    (
        "late_joining_instructions",
        "M",
        "delivered sessions (group and one-to-one) in the period whose joining instructions "
        "were first sent less than 48 real hours before the start, or never",
    ),
    (
        "sessions_missing_attendance",
        "E",
        "delivered group sessions from delivery start up to month end with no attendance recorded",
    ),
    (
        "cohorts_at_risk",
        "E",
        "cohorts of the programme year with a member or a session by month end, not completed "
        "by month end, whose delivered plus scheduled hours before the delivery window "
        "closes fall short of 18",
    ),
    (
        "participants_at_risk_one_to_one",
        "E",
        "participants allocated by month end and not dropped out nor declined by then, whose "
        "delivered plus scheduled one-to-one hours before the window closes fall short of 3.5",
    ),
    ("target", "E", "the hub's participant target for the programme year"),
    (
        "started_vs_target_pct",
        "E",
        "participants started to date divided by the target as a percentage, one decimal "
        "(half up); empty when the target is 0",
    ),
]

_SUFFIX = {"M": "_month", "C": "_cumulative", "E": ""}
PERIOD_WORDS = {
    "M": "In the calendar month (Europe/London dates)",
    "C": "From the programme's delivery start to the end of the month (Europe/London dates)",
    "E": "As at the end of the month",
}

# Each figure's human label, beside its id: the one source for the pages, the XLSX
# Definitions sheet and the generated docs (docs/returns.md). A period's figure adds it.
_LABELS: dict[str, str] = {
    "registrations": "Registrations",
    "eligible": "Decided eligible",
    "ineligible": "Decided not eligible",
    "allocated": "Allocated to a cohort",
    "started": "Participants started",
    "cohorts_started": "Cohorts started",
    "cohorts_completed": "Cohorts completed (18 hours)",
    "participants_completed": "Participants completed",
    "sessions_delivered": "Group sessions delivered",
    "group_hours_delivered": "Group hours delivered",
    "participant_hours_attended": "Participant hours attended",
    "attendance_rate": "Attendance rate (%)",
    "one_to_one_sessions": "One-to-one sessions delivered",
    "one_to_one_hours_programme": "One-to-one hours, programme",
    "one_to_one_hours_existing": "One-to-one hours, existing local programmes",
    "one_to_one_participants": "Participants with one-to-one support",
    "one_to_one_minimum_met": "Participants meeting the 3.5-hour minimum",
    "one_to_one_minimum_met_programme": "Minimum met through the programme only",
    "one_to_one_minimum_met_existing": "Minimum met through existing programmes only",
    "one_to_one_minimum_met_mixed": "Minimum met through both",
    "one_to_one_declined": "Declined one-to-one support",
    "baseline_surveys": "Baseline surveys completed",
    "session_feedback_responses": "Session feedback responses",
    "session_satisfaction_mean": "Session satisfaction, mean (1 to 5)",
    "exit_surveys": "Exit surveys completed",
    "dropout_surveys": "Drop-out surveys completed",
    "dropped_out": "Participants dropped out",
    "sessions_observed": "Sessions observed",
    "complaints": "Complaints received",
    "late_joining_instructions": "Joining instructions sent late",
    "sessions_missing_attendance": "Delivered sessions without attendance",
    "cohorts_at_risk": "Cohorts at risk of missing 18 hours",
    "participants_at_risk_one_to_one": "Participants at risk of missing 3.5 hours",
    "target": "Target (participants)",
    "started_vs_target_pct": "Started against target (%)",
}
_PERIOD_LABELS = {"M": ", month", "C": ", cumulative", "E": ""}

FIGURE_IDS: list[str] = [f"{base}{_SUFFIX[s]}" for base, suffixes, _ in _FIGURES for s in suffixes]
# Each figure's period: "M" (the month), "C" (cumulative) or "E" (as at the month's end).
PERIODS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": s for base, suffixes, _ in _FIGURES for s in suffixes
}
LABELS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": f"{_LABELS[base]}{_PERIOD_LABELS[s]}"
    for base, suffixes, _ in _FIGURES
    for s in suffixes
}
DEFINITIONS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": f"{PERIOD_WORDS[s]}: {words}."
    for base, suffixes, words in _FIGURES
    for s in suffixes
}

# The return's figures in groups a reader looks for, each under its heading (the pages
# show one table per group): every base figure in exactly one, in the return's order.
_SECTIONS: list[tuple[str, list[str]]] = [
    ("Registrations and eligibility", ["registrations", "eligible", "ineligible"]),
    (
        "Cohorts and participants",
        [
            "allocated",
            "started",
            "cohorts_started",
            "cohorts_completed",
            "participants_completed",
        ],
    ),
    (
        "Group sessions",
        [
            "sessions_delivered",
            "group_hours_delivered",
            "participant_hours_attended",
            "attendance_rate",
        ],
    ),
    (
        "One-to-one support",
        [
            "one_to_one_sessions",
            "one_to_one_hours_programme",
            "one_to_one_hours_existing",
            "one_to_one_participants",
            "one_to_one_minimum_met",
            "one_to_one_minimum_met_programme",
            "one_to_one_minimum_met_existing",
            "one_to_one_minimum_met_mixed",
            "one_to_one_declined",
        ],
    ),
    (
        "Surveys",
        [
            "baseline_surveys",
            "session_feedback_responses",
            "session_satisfaction_mean",
            "exit_surveys",
            "dropout_surveys",
        ],
    ),
    (
        "Drop-outs, quality and risks",
        [
            "dropped_out",
            "sessions_observed",
            "complaints",
            "late_joining_instructions",
            "sessions_missing_attendance",
            "cohorts_at_risk",
            "participants_at_risk_one_to_one",
        ],
    ),
    ("Against the target", ["target", "started_vs_target_pct"]),
]
SECTIONS: dict[str, str] = {
    f"{base}{_SUFFIX[s]}": heading
    for heading, bases in _SECTIONS
    for base, suffixes, _ in _FIGURES
    if base in bases
    for s in suffixes
}

RATE_IDS = {
    "attendance_rate_month",
    "attendance_rate_cumulative",
    "session_satisfaction_mean_month",
    "session_satisfaction_mean_cumulative",
    "started_vs_target_pct",
}
DECIMAL_IDS: set[str] = {
    *(i for i in FIGURE_IDS if "hours" in i),
    *RATE_IDS,
}
# Figures that add up across hubs (everything but the rates and means).
SUMMED_IDS: list[str] = [i for i in FIGURE_IDS if i not in RATE_IDS]

# --- breakdowns -------------------------------------------------------------------------

BREAKDOWN_IDS: list[str] = [
    "sector",
    "employees_band",
    "turnover_band",
    "gender",
    "ethnic_group",
    "age_band",
    "disability",
    "exporter",
    "scale_up_potential",
    "topics_month",
    "eligibility_exceptions",
]
# The breakdowns of participants started (the others count sessions and exceptions).
STARTED_BREAKDOWN_IDS: list[str] = BREAKDOWN_IDS[:-2]
# Equality breakdowns: a single hub's counts of 1 to 4 are suppressed when shown.
EQUALITY_BREAKDOWN_IDS: list[str] = ["gender", "ethnic_group", "age_band", "disability"]

BREAKDOWN_DEFINITIONS: dict[str, str] = {
    "sector": "Participants started (cumulative) by their business's SIC 2007 section.",
    "employees_band": (
        "Participants started (cumulative) by their business's PAYE employees; none "
        "recorded, or fewer than 5 (ineligible under E3), is not known."
    ),
    "turnover_band": (
        "Participants started (cumulative) by their business's turnover; none recorded, or "
        "under £100k (ineligible under E4), is not known. £5m-£36m includes £36m."
    ),
    "gender": "Participants started (cumulative) by gender.",
    "ethnic_group": "Participants started (cumulative) by ethnic group (the five ONS groups).",
    "age_band": "Participants started (cumulative) by age band.",
    "disability": "Participants started (cumulative) by whether they consider themselves disabled.",
    "exporter": "Participants started (cumulative) by whether their business exports.",
    "scale_up_potential": (
        "Participants started (cumulative) by whether their business has scale-up potential."
    ),
    "topics_month": (
        "Delivered group sessions in the month per BEIS core topic (a finer topic counts "
        "under its core topic; a session counts once per core topic); not known: no topic."
    ),
    "eligibility_exceptions": (
        "The return's notes: participants decided eligible by the month's end under a "
        "recorded exception, by kind: E3 or E4 under the Covid-19 flexibility, E3 under the "
        "creative industries flexibility, E6 agreed by both LEPs, E8 at local discretion."
    ),
}
EXCEPTION_KINDS = ["E3 covid", "E3 creative", "E4 covid", "E6", "E8"]


_EMPLOYEES = "business__employees"
_TURNOVER = "business__turnover"


def _turnover(low: int, high: int | None, *, high_inclusive: bool = False) -> Q:
    q = Q(**{f"{_TURNOVER}__gte": Decimal(low)})
    if high is not None:
        q &= Q(**{f"{_TURNOVER}__{'lte' if high_inclusive else 'lt'}": Decimal(high)})
    return q


def _choices(alias: str, values: Iterable[str]) -> list[tuple[str, Q]]:
    return [(value, Q(**{alias: value})) for value in values] + [(NOT_KNOWN, Q(**{alias: ""}))]


def _yes_no(field: str) -> list[tuple[str, Q]]:
    return [
        ("yes", Q(**{field: True})),
        ("no", Q(**{field: False})),
        (NOT_KNOWN, Q(**{f"{field}__isnull": True})),
    ]


# breakdown id -> [(category, condition over a started participant)], in the return's order.
PARTICIPANT_BREAKDOWNS: dict[str, list[tuple[str, Q]]] = {
    "sector": [(s.value, Q(business__sector=s.value)) for s in Sector]
    + [(NOT_KNOWN, Q(business__sector=""))],
    "employees_band": [
        ("5-9", Q(**{f"{_EMPLOYEES}__gte": 5, f"{_EMPLOYEES}__lte": 9})),
        ("10-49", Q(**{f"{_EMPLOYEES}__gte": 10, f"{_EMPLOYEES}__lte": 49})),
        ("50-249", Q(**{f"{_EMPLOYEES}__gte": 50, f"{_EMPLOYEES}__lte": 249})),
        ("250+", Q(**{f"{_EMPLOYEES}__gte": 250})),
        (NOT_KNOWN, Q(**{f"{_EMPLOYEES}__isnull": True}) | Q(**{f"{_EMPLOYEES}__lt": 5})),
    ],
    "turnover_band": [
        ("£100k-£499k", _turnover(100_000, 500_000)),
        ("£500k-£999k", _turnover(500_000, 1_000_000)),
        ("£1m-£4.9m", _turnover(1_000_000, 5_000_000)),
        ("£5m-£36m", _turnover(5_000_000, 36_000_000, high_inclusive=True)),
        ("over £36m", Q(**{f"{_TURNOVER}__gt": Decimal(36_000_000)})),
        (
            NOT_KNOWN,
            Q(**{f"{_TURNOVER}__isnull": True}) | Q(**{f"{_TURNOVER}__lt": Decimal(100_000)}),
        ),
    ],
    "gender": _choices("eq_gender", Gender.values),
    "ethnic_group": _choices("eq_ethnic_group", EthnicGroup.values),
    "age_band": _choices("eq_age_band", AgeBand.values),
    "disability": _choices("eq_disability", Disability.values),
    "exporter": _yes_no("business__exporter"),
    "scale_up_potential": _yes_no("business__scale_up_potential"),
}

# The rates and means whose numerator and denominator a result keeps (its "_parts"), so a
# cluster's or the nation's are recomputed from summed parts.
PART_IDS = [
    "attendance_rate_month",
    "attendance_rate_cumulative",
    "session_satisfaction_mean_month",
    "session_satisfaction_mean_cumulative",
]
