"""The documentation generated from the code: docs/rules.md from the rule registry
(`rules`) and docs/returns.md from the return's definitions (`reporting.kpi`, the
same source as the XLSX Definitions sheet).

Written by `manage.py docs_generate`; a test renders both in memory and fails when the
files on disk differ, so a rule or a figure changed without regenerating its page fails
CI. Everything here is deterministic (no dates, no database) so that the same code always
gives the same bytes. The numbers a page shows are those of a new programme year, the
defaults on the `Programme` record (2021/22's), never written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from celery.schedules import crontab

from participants.models import Sector
from peernet.celery import app
from peernet.models import Programme
from peernet.words import date_words
from reporting import kpi, returns
from reporting.selectors import ACTIONS, FACILITATOR, HUB, PROVIDER
from rules import CHECKS, FEATURES, Judges
from rules.eligibility import SME_TESTS_NEEDED
from rules.monthly_return import return_due_at
from rules.registry import parameter_words, placeholders, rule_parameters

RULES_PATH = "docs/rules.md"
RETURNS_PATH = "docs/returns.md"


def _generated_from(sources: str) -> str:
    return (
        f"<!-- Generated from {sources} by `python manage.py docs_generate`. Do not edit "
        "by hand: change the code and run the command again (a test fails while this file "
        "is out of date). -->"
    )


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    return [
        f"| {' | '.join(header)} |",
        f"|{'|'.join('---' for _ in header)}|",
        *(f"| {' | '.join(_cell(value) for value in row)} |" for row in rows),
    ]


def _codes(values: Iterable[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def _default_programme() -> Programme:
    """A programme year with every rule parameter at its default, never saved."""
    return Programme()


# --- docs/rules.md ---------------------------------------------------------------------------

# The sections of the page, and the rule IDs' letters each holds, in order.
RULE_GROUPS: list[tuple[str, str]] = [
    ("Eligibility and the Participant Charter", "EC"),
    ("Cohorts and group sessions", "K"),
    ("One-to-one support", "O"),
    ("Quality", "Q"),
    ("Surveys", "S"),
    ("Reporting", "M"),
    ("Data protection", "G"),
]

JUDGES_WORDS: dict[Judges, str] = {
    "participant": "a participant",
    "business": "a business",
    "cohort": "a cohort",
    "session": "a group session",
    "one_to_one": "a one-to-one session",
    "observation": "an observation",
    "facilitator": "a facilitator",
    "complaint": "a complaint",
    "monthly_return": "a hub's monthly return",
}

AUDIENCE_WORDS = {HUB: "hub", FACILITATOR: "facilitator", PROVIDER: "provider"}


def _letters(rule: str) -> str:
    return rule.rstrip("0123456789")


def _in_group(ids: Iterable[str], letters: str) -> list[str]:
    return [rule for rule in ids if _letters(rule) in letters]


def _action(rule: str, programme: Programme) -> str:
    """What the to-do list asks, and whose lists it is on (reporting.selectors.ACTIONS)."""
    action = ACTIONS.get(rule)
    if action is None:
        return "—"
    who = ", ".join(AUDIENCE_WORDS[a] for a in (HUB, FACILITATOR, PROVIDER) if a in action.audience)
    return f"{action.say(programme)} ({who})"


def rules_markdown() -> str:
    """docs/rules.md: every programme rule, from the registry."""
    programme = _default_programme()
    every_rule = [*CHECKS, *FEATURES]
    grouped = [rule for _, letters in RULE_GROUPS for rule in _in_group(every_rule, letters)]
    if sorted(grouped) != sorted(every_rule):
        raise ValueError(f"Rules outside RULE_GROUPS: {sorted(set(every_rule) - set(grouped))}")
    lines = [
        _generated_from("rules/ (the rule registry) and reporting/selectors.py"),
        "",
        "# Programme rules",
        "",
        "Every rule the Peer Networks Playbook 2021/22 sets for delivery, with the ID the "
        "product uses for it everywhere: in the warnings shown when someone acts, the daily "
        "at-risk scan, everyone's to-do list and the monthly return. The last column names "
        "the Playbook section to read for the original wording.",
        "",
        "Most rules are **checks**: one function each in `rules/` (a module per family), "
        "registered with `@check(...)`. A check judges one kind of record (the column "
        "*Judges*) at a moment in time and answers pass, warn, fail or not applicable, "
        "always with one sentence a hub administrator understands and, where there is one, "
        "the date by which something must happen. The kind says how much a finding weighs:",
        "",
        '- **fail**: the Playbook says "must". An action that would break the rule '
        "(deciding eligibility, allocating to a cohort, scheduling, logging a one-to-one, "
        "booking an observation) is refused with the check's sentence, and the daily scan "
        "lists what already breaks it.",
        "- **warn**: the Playbook recommends, and local discretion applies. A warning is "
        "shown, and recorded when someone acts regardless; it never blocks.",
        "- **—**: nothing to judge: the rule is kept by a feature of the product.",
        "",
        "*What to do* is the line a finding puts on the to-do lists of the people named "
        "(hub administrators see every finding in their hub). The numbers in the rules "
        "come from the programme year's record, not from the code, so another year can "
        "change them; this page shows the values a new programme year starts with, "
        "2021/22's (see [Numbers](#numbers)).",
    ]
    for title, letters in RULE_GROUPS:
        checks = _in_group(CHECKS, letters)
        features = _in_group(FEATURES, letters)
        ids = [*checks, *features]
        lines += ["", f"## {title} ({_id_range(ids)})"]
        if checks:
            lines += [
                "",
                *_table(
                    [
                        "ID",
                        "Kind",
                        "Judges",
                        "The rule, and what the check says",
                        "What to do",
                        "Playbook section",
                    ],
                    (
                        [
                            rule,
                            CHECKS[rule].kind,
                            JUDGES_WORDS[CHECKS[rule].judges],
                            CHECKS[rule].summary_for(programme),
                            _action(rule, programme),
                            CHECKS[rule].section,
                        ]
                        for rule in checks
                    ),
                ),
            ]
        if features:
            lines += [
                "",
                "Kept by the product rather than judged by a check:",
                "",
                *_table(
                    ["ID", "Kind", "The rule", "How the product keeps it", "Playbook section"],
                    (
                        [
                            rule,
                            FEATURES[rule].kind,
                            FEATURES[rule].summary_for(programme),
                            FEATURES[rule].kept_by,
                            FEATURES[rule].section,
                        ]
                        for rule in features
                    ),
                ),
            ]
    lines += ["", *_numbers(programme), ""]
    return "\n".join(lines)


def _id_range(ids: Sequence[str]) -> str:
    """E1–E10, C1–C2: each letter's first and last ID."""
    spans = []
    for letter in dict.fromkeys(_letters(rule) for rule in ids):
        mine = [rule for rule in ids if _letters(rule) == letter]
        spans.append(mine[0] if len(mine) == 1 else f"{mine[0]}–{mine[-1]}")
    return ", ".join(spans)


def _numbers(programme: Programme) -> list[str]:
    used_by: dict[str, list[str]] = {}
    for rule, each in [*CHECKS.items(), *FEATURES.items()]:
        for name in placeholders(each.summary):
            used_by.setdefault(name, [])
            if rule not in used_by[name]:
                used_by[name].append(rule)
    parameters = rule_parameters()
    fixed = [name for name in used_by if name.isupper()]
    return [
        "## Numbers",
        "",
        "The rule parameters on the `Programme` record (`peernet/models.py`): a new "
        "programme year starts with these, the 2021/22 values, and the national "
        "coordinator's scenario import can set others (`programme.rules`, see "
        "[the scenario format](scenario-format.md)). The delivery window and the national "
        "target have no default: each year gives its own.",
        "",
        *_table(
            ["Parameter", "2021/22", "Used by"],
            (
                [f"`{name}`", parameter_words(programme, name), ", ".join(used_by.get(name, []))]
                for name in parameters
            ),
        ),
        "",
        "Fixed in the code, as the law or the check's own reading of the Playbook sets "
        "them (`rules/`):",
        "",
        *_table(
            ["Constant", "Value", "Used by"],
            [
                ["`SME_TESTS_NEEDED`", str(SME_TESTS_NEEDED), "E1 (Companies Act 2006 s382)"],
                *(
                    [f"`{name}`", _constant(name, used_by[name]), ", ".join(used_by[name])]
                    for name in sorted(fixed)
                ),
            ],
        ),
    ]


def _constant(name: str, rules: Sequence[str]) -> str:
    """A threshold fixed in the module of the (first) check whose summary names it."""
    return str(CHECKS[rules[0]].constant(name))


# --- docs/returns.md -------------------------------------------------------------------------

PERIOD_NAMES = {"M": "month", "C": "cumulative", "E": "month end"}

# What each status of a hub's return for a month means (reporting.returns.STATUSES).
STATUS_MEANINGS = returns.STATUS_MEANINGS


def _monthly(task: str) -> str:
    """When beat runs a monthly task: 'the 1st of each month at 01:00'."""

    schedule = next(
        entry["schedule"] for entry in app.conf.beat_schedule.values() if entry["task"] == task
    )
    if not isinstance(schedule, crontab):
        raise TypeError(f"{task} is not on a monthly crontab")
    [day] = schedule.day_of_month
    [hour] = schedule.hour
    [minute] = schedule.minute
    return f"the {_ordinal(day)} of each month at {hour:02}:{minute:02}"


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _categories(breakdown: str) -> str:
    if breakdown in kpi.PARTICIPANT_BREAKDOWNS:
        return _codes(category for category, _ in kpi.PARTICIPANT_BREAKDOWNS[breakdown])
    if breakdown == "eligibility_exceptions":
        return _codes(kpi.EXCEPTION_KINDS)
    if breakdown == "topics_month":
        return f"the BEIS core topics' keys (e.g. `finance`, `digital`), then `{kpi.NOT_KNOWN}`"
    raise ValueError(f"No categories for the breakdown {breakdown}")


def returns_markdown() -> str:
    """docs/returns.md: every figure and breakdown, and how a return is made and read."""
    programme = _default_programme()
    example = dt.date(2021, 10, 1)
    due = return_due_at(example, programme)
    rates = [figure for figure in kpi.FIGURE_IDS if figure in kpi.RATE_IDS]
    lines = [
        _generated_from(
            "reporting/kpi/figures.py (the figures and breakdowns, as in the XLSX Definitions "
            "sheet), reporting/returns.py and rules/monthly_return.py (M1)"
        ),
        "",
        "# The monthly return",
        "",
        "Every Growth Hub returns aggregated figures for each month of the delivery window: "
        "what it registered, decided, started, delivered and surveyed, its one-to-one "
        "support and what is at risk. BEIS, the national coordinator and the evaluator read "
        "the returns at national, cluster and hub level. The figure ids below are the "
        "column names of every output (JSON, CSV, XLSX) and do not change; the labels are "
        "what the pages show beside them.",
        "",
        "## Periods",
        "",
        *(
            f"- {suffix}: {kpi.PERIOD_WORDS[period]}."
            for period, suffix in (
                ("M", "`<id>_month`"),
                ("C", "`<id>_cumulative`"),
                ("E", "no suffix"),
            )
        ),
        "",
        "A figure counts a participant under the hub that holds the participant's record. "
        "Counts are whole numbers; hours have two decimals; a rate or a mean is empty "
        "when there is nothing to divide by.",
        "",
        "## Figures",
        "",
        *_table(
            ["id", "Label", "Period", "Definition"],
            (
                [
                    f"`{figure}`",
                    kpi.LABELS[figure],
                    PERIOD_NAMES[kpi.PERIODS[figure]],
                    kpi.DEFINITIONS[figure].removeprefix(
                        f"{kpi.PERIOD_WORDS[kpi.PERIODS[figure]]}: "
                    ),
                ]
                for figure in kpi.FIGURE_IDS
            ),
        ),
        "",
        "## Cluster and national figures",
        "",
        "A cluster's figures are the sums of its hubs' submitted figures, and the national "
        "figures the sums of every hub's. The rates and means are recomputed from the "
        "summed numerators and denominators, never averaged across hubs: "
        f"{_codes(rates)}.",
        "",
        "## Breakdowns",
        "",
        "Each breakdown maps categories to counts, in the order given, `not known` last. "
        "The equality breakdowns "
        f"({_codes(kpi.EQUALITY_BREAKDOWN_IDS)}) are special category data: wherever a "
        "hub's counts are shown, a count of 1 to 4 is suppressed, with as many others as "
        "it takes for none to be worked out from the totals "
        "(`peernet.privacy.suppress_breakdown`).",
        "",
        *_table(
            ["id", "Definition", "Categories"],
            (
                [f"`{breakdown}`", words, _categories(breakdown)]
                for breakdown, words in kpi.BREAKDOWN_DEFINITIONS.items()
            ),
        ),
        "",
        "Sectors are SIC 2007 sections: "
        + "; ".join(f"`{sector.value}` {sector.label.split(' — ', 1)[1]}" for sector in Sector)
        + ".",
        "",
        "## Submission",
        "",
        "- A draft is compiled for every hub on "
        f"{_monthly('reporting.tasks.return_compile_drafts_all')} (Europe/London) for the "
        "month just ended, by a scheduled task; the hub "
        "administrator can recompile it from the records as they stand until it is "
        "submitted. Hubs that have not submitted are reminded on "
        f"{_monthly('reporting.tasks.return_send_reminders_all')}.",
        "- The hub administrator reviews the draft beside the previous month under "
        "`/hub/<hub>/returns/`, writes the supporting narrative (rule M2: a return cannot be "
        "submitted without it) and submits. Each figure links to the records behind it, "
        "for the hub's own users.",
        "- Submitting freezes the draft as version 1: its figures, breakdowns, the parts of "
        "its rates and the narrative are stored as they were, with the SHA-256 of their "
        "canonical JSON, and a database trigger refuses any change to them. They are never "
        "recomputed, whatever later edits do to the records beneath.",
        "",
        "## The deadline",
        "",
        "A hub's return for a month is due by 23:59:59 Europe/London on day "
        f"{parameter_words(programme, 'return_due_day')} of the following month (rule M1; "
        "`return_due_day` on the programme year's record): the return for "
        f"{example:%B %Y} is due by {due:%H:%M:%S} on {date_words(due.date())}. Whether "
        "it was on time is judged by the first version submitted (see M1 in "
        "[the programme rules](rules.md)).",
        "",
        "## Statuses",
        "",
        *_table(
            ["Status", "Meaning"],
            (
                [returns.STATUS_WORDS[status], STATUS_MEANINGS[status]]
                for status in returns.STATUSES
            ),
        ),
        "",
        "National completeness is the hubs submitted ÷ the hubs expected, and timeliness "
        "the hubs on time ÷ the hubs expected, for each month and over the year (every hub "
        "is expected every month of the delivery window; the year counts the months whose "
        "due date has passed).",
        "",
        "## Versions",
        "",
        "- A resubmission needs a reason. It recompiles the figures from the records as "
        "they now stand and makes the next version; earlier versions stay readable, and "
        "any two can be compared figure by figure.",
        "- The national pages and every download read each hub's latest submitted version "
        "only. A hub with nothing submitted shows its status and no figures: never figures "
        "computed afresh.",
        "",
        "## Outputs",
        "",
        "- Pages: a hub's returns under `/hub/<hub>/returns/`; the national, cluster and "
        "hub views, completeness and timeliness, and the downloads under `/national/` "
        "(the national coordinator, BEIS and the evaluator).",
        "- JSON on the command line: `python manage.py monthly_return --month 2021-10 "
        "(--hub KEY | --cluster KEY | --national) [--submitted]` prints "
        '`{"scope": {...}, "month": "2021-10", "figures": {id: value}, "breakdowns": '
        "{id: {category: count}}}`, computed afresh or, with `--submitted`, from the latest "
        "submitted versions. Hub and cluster keys are those of the scenario format.",
        "- Excel workbook (XLSX): the sheet `Return` (a row per hub, a subtotal row per "
        "cluster and a national total row; the figure ids in the order above as columns, "
        "with their labels beneath), `Breakdowns`, `Narrative` and `Definitions` (each id "
        "with its label and definition, the same words as this page).",
        "- CSV: the `Return` sheet alone, UTF-8, with a header row of ids.",
        "- PDF: a summary with the headline figures and charts, the hub table and the narratives.",
        "- The evaluator's baseline export (XLSX): the baseline survey answers in one fixed "
        "format, under pseudonyms (rule M4).",
        "- In CSV and XLSX, any cell a spreadsheet could read as a formula (starting with "
        "`=`, `+`, `-`, `@`, a tab or a carriage return) is neutralised.",
        "",
        "Downloads are built by a Celery task and kept for the person who asked; the page "
        "says when the file is ready.",
        "",
    ]
    return "\n".join(lines)


# Every generated page: its path in the repository, and how to make it.
GENERATED: dict[str, Callable[[], str]] = {
    RULES_PATH: rules_markdown,
    RETURNS_PATH: returns_markdown,
}


def generated(paths: Iterable[str] | None = None) -> dict[str, str]:
    """{path: text} for the generated pages (all of them by default)."""
    return {path: GENERATED[path]() for path in (paths or GENERATED)}
