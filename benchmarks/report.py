"""The benchmark's report: `REPORT.md` written from every results file present (the machine,
what was built, the figures beside the floor, and each budget met or not).
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import django
from load_report import load_section
from parameters import (
    CONSTANT_QUERIES,
    FLAT,
    HERE,
    LINEAR,
    MONTH,
    PAGE_HUB,
    PAGE_MEDIAN_BUDGET,
    PAGE_P95_BUDGET,
    PAGE_REPEATS,
    PAGED,
    REPORT,
    RESULTS,
    RETURNS,
    WARM_UP,
)


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores visible",
        f"- Memory: {memory}",
        f"- {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}",
    ]


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**NOT met**"


def _m(result: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    """A measure by key ("xlsx", or "pages/hub dashboard"), None when not measured."""
    if result is None:
        return None
    value: Any = result
    for part in key.split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _median(result: dict[str, Any] | None, key: str) -> float | None:
    measure = _m(result, key)
    return None if measure is None else measure["median"]


def _growth(small: dict[str, Any] | None, large: dict[str, Any] | None, key: str):
    a, b = _median(small, key), _median(large, key)
    return None if a is None or b is None else b / a


MEASURES = [
    ("every hub's return compiled (the 1st's job: `compile_drafts`, 38 hubs)", "compile_all_hubs"),
    ("`compute_hubs` for all 38 hubs at once", "compute_hubs"),
    ("national return, live (`compute_hubs` + `combine`)", "national_live"),
    ("national return from submitted versions (`return_table`)", "national_submitted"),
    ("national XLSX export", "xlsx"),
    ("national CSV export", "csv"),
    ("national PDF export", "pdf"),
    ("page: hub dashboard", "pages/hub dashboard"),
    ("page: cohort page", "pages/cohort page"),
    ("page: registrations list", "pages/registrations list"),
    ("page: registrations list, filtered", "pages/registrations list, filtered"),
    ("page: sessions list, filtered", "pages/sessions list, filtered"),
    ("page: national timeliness", "pages/national timeliness"),
    (
        "to-do list judged after a write to one participant (`findings_judge`, scoped)",
        "judge_after_write",
    ),
    ("the daily at-risk scan of the page hub (`risk_scan_run`)", "hub_scan"),
    ("**floor**: one hand-written SQL query", "floor"),
    ("**full floor**: every figure of the return, hand-written SQL", "full_floor"),
]


Results = dict[int, dict[str, Any]]


def write_report(results: Results) -> str:
    """REPORT.md from the results of every size measured (and NOTES.md after them)."""
    sizes = sorted(results)
    lines = [
        *_machine_section(results, sizes),
        *_built_section(results, sizes),
        *_figures_section(results, sizes),
        *_floor_section(results, sizes),
        *_budgets_section(results.get(6000), results.get(60000)),
        *[line for n in sizes for line in load_section(n, results[n])],
    ]
    extra = HERE / "NOTES.md"
    if extra.exists():
        lines += ["", extra.read_text().strip()]
    REPORT.write_text("\n".join(lines) + "\n")
    return "\n".join(lines)


def _machine_section(results: Results, sizes: list[int]) -> list[str]:
    lines = [
        "# Benchmark: the national scale (issue 10)",
        "",
        "Written by `benchmarks/run` (`benchmarks/bench.py`); figures only as measured. "
        "Re-run with `benchmarks/run` (both sizes) or `benchmarks/run 6000`.",
        "",
        "## Machine",
        "",
        *machine(),
    ]
    for n in sizes:
        r = results[n]
        after = r.get("load_after")
        lines += [
            f"- N = {n:,}: {str(r.get('postgresql', 'PostgreSQL 15')).split(',')[0]}, "
            f"database {r.get('database_size', '?')}; load average (1, 5, 15 min) before "
            f"{', '.join(f'{x:.2f}' for x in r['load_before'])}, after "
            + (", ".join(f"{x:.2f}" for x in after) if after else "—")
            + f"; run from {r['started'][:16]}Z"
            + ("" if r.get("complete") else " — **cut short: only what is shown was measured**"),
        ]
    peak = max(max(results[n]["load_before"] + (results[n].get("load_after") or [])) for n in sizes)
    contention = (
        f"**Caveat:** the load average reached {peak:.1f} on 2 cores while this ran: other "
        "work shared the machine, so these times include that contention and repeated runs "
        "vary."
        if peak > 1.5
        else f"The machine was otherwise quiet (load average at most {peak:.1f} on 2 cores: "
        "the benchmark itself)."
    )
    return lines + [
        "- PostgreSQL: a throw-away cluster started by `benchmarks/with-postgres`, default "
        "settings except `shared_buffers=512MB` and durability off (`fsync`, "
        "`synchronous_commit`, `full_page_writes`), as `scripts/test` runs it; JIT off "
        "(the project's connection setting, see below); `VACUUM ANALYZE` after loading, "
        "as autovacuum would.",
        "",
        contention + " Times are wall-clock, in process (no network, no WSGI server); page "
        "times are Django's test client's request-to-response time.",
    ]


def _built_section(results: Results, sizes: list[int]) -> list[str]:
    lines = [
        "",
        "## What was built",
        "",
        "| rows | " + " | ".join(f"N = {n:,}" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    labels = list(dict.fromkeys(label for n in sizes for label in results[n].get("rows", {})))
    for label in labels:
        lines.append(
            f"| {label} | "
            + " | ".join(f"{results[n].get('rows', {}).get(label, 0):,}" for n in sizes)
            + " |"
        )
    lines.append(
        "| **seconds to seed** (`seed_scale`) | "
        + " | ".join(f"{results[n]['seed_seconds']:.1f}" for n in sizes)
        + " |"
    )
    lines.append(
        f"| return versions submitted (April to {MONTH:%B %Y}, 1 in 20 missing) | "
        + " | ".join(
            f"{results[n]['return_versions']:,} in {results[n]['returns_seconds']:.1f} s"
            + ("" if results[n].get("earlier_months_submitted", True) else " (November only)")
            if "returns_seconds" in results[n]
            else "—"
            for n in sizes
        )
        + " |"
    )
    return lines


def _figures_section(results: Results, sizes: list[int]) -> list[str]:
    small, large = results.get(6000), results.get(60000)
    lines = [
        "",
        f"## Figures (month {MONTH:%Y-%m}; pages of hub `{PAGE_HUB}`)",
        "",
        "Median of the runs, with the 95th percentile in brackets for pages (runs: "
        f"{PAGE_REPEATS} per page after {WARM_UP} warm-up requests; 3 for exports; 3 for "
        "the returns at 6,000 and 1 at 60,000; 10 for the floor); queries are those of one "
        "run; × floor is the median ÷ the floor's median; growth is the N = 60,000 median "
        "÷ the N = 6,000 median. — means not measured.",
        "",
        "| measure | "
        + " | ".join(f"N = {n:,} | queries | × floor" for n in sizes)
        + " | growth |",
        "|---|" + "---:|---:|---:|" * len(sizes) + "---:|",
    ]
    for label, key in MEASURES:
        cells = [_figure_cells(results[n], key) for n in sizes]
        growth = _growth(small, large, key)
        lines.append(
            f"| {label} | "
            + " | ".join(cells)
            + f" | {'—' if growth is None else f'{growth:.2f}'} |"
        )
    return lines


def _figure_cells(result: dict[str, Any], key: str) -> str:
    """One size's median (and 95th percentile for a page), queries and ratio to the floor."""
    m = _m(result, key)
    floor = _median(result, "floor")
    if m is None:
        return "— | — | —"
    shown = ms(m["median"]) + (f" ({ms(m['p95'])})" if key.startswith("pages/") else "")
    ratio = f"{m['median'] / floor:,.1f}" if floor else "—"
    return f"{shown} | {m['queries']} | {ratio}"


def _floor_section(results: Results, sizes: list[int]) -> list[str]:
    lines = [
        "",
        "The floor computes the national headline counts (registrations, started, target, "
        "cohorts and participants completed, one-to-one minimum met, attendance rate, all "
        "cumulative to the month's end) in one statement. Its values beside the "
        "application's live national figures:",
        "",
    ]
    for n in sizes:
        r = results[n]
        if "floor_values" not in r:
            lines.append(f"- N = {n:,}: not measured.")
            continue
        same = all(r["floor_matches"].values())
        lines.append(
            f"- N = {n:,}: "
            + ("the same on every figure: " if same else "**they differ** (floor, app): ")
            + "; ".join(f"{k} {v}" for k, v in r["floor_values"].items())
        )
    lines += [
        "",
        "The full floor (issue 24, `benchmarks/floor.py`) computes every figure of the "
        "national return (the breakdowns aside) in one hand-written statement; the live "
        "national return beside it:",
        "",
    ]
    for n in sizes:
        r = results[n]
        matches = r.get("full_floor_matches")
        live, floor = _median(r, "national_live"), _median(r, "full_floor")
        if not matches:
            lines.append(f"- N = {n:,}: not measured.")
            continue
        differ = [figure for figure, same in matches.items() if not same]
        lines.append(
            f"- N = {n:,}: "
            + (
                f"the same on all {len(matches)} figures"
                if not differ
                else "**they differ** on "
                + "; ".join(f"{f} {r['full_floor_values'][f]}" for f in differ)
            )
            + (
                f"; the live national return {ms(live)} is {live / floor:.1f} × the full "
                f"floor's {ms(floor)}"
                if live and floor
                else ""
            )
            + "."
        )
    return lines


BUDGETS = [
    ("every hub's return for a month compiled in under 10 s in total", "compile_all_hubs", 10.0),
    ("every hub's draft compiled in under 2 s (issue 24)", "compile_all_hubs", 2.0),
    ("the national return (live) under 2 s", "national_live", 2.0),
    ("the national return (from submitted versions) under 2 s", "national_submitted", 2.0),
    ("the national XLSX under 10 s", "xlsx", 10.0),
    ("the to-do list judged after a write under 0.15 s (issue 18)", "judge_after_write", 0.15),
]
BUDGET_PAGES = (
    "hub dashboard",
    "cohort page",
    "registrations list",
    "registrations list, filtered",
    "sessions list, filtered",
    "national timeliness",
)


def _budgets_section(small: dict[str, Any] | None, large: dict[str, Any] | None) -> list[str]:
    lines = ["", "## Budgets (issues 10 and 24, at N = 60,000)", ""]
    if large is None:
        return [*lines, "N = 60,000 was not measured: the budgets are not judged."]
    checks = [(name, key, limit, "median") for name, key, limit in BUDGETS]
    for name in BUDGET_PAGES:
        checks.append(
            (f"page {name}: median under 150 ms", f"pages/{name}", PAGE_MEDIAN_BUDGET, "median")
        )
        checks.append(
            (f"page {name}: 95th percentile under 300 ms", f"pages/{name}", PAGE_P95_BUDGET, "p95")
        )
    lines += ["| budget | measured | |", "|---|---:|---|"]
    live, floor = _median(large, "national_live"), _median(large, "full_floor")
    if live and floor:
        lines.append(
            "| the national return (live) within 2 × the full floor (issue 24) | "
            f"{live / floor:.2f} × | {verdict(live / floor <= 2)} |"
        )
    for name, key, limit, stat in checks:
        m = _m(large, key)
        if m is None:
            lines.append(f"| {name} | — | not measured |")
        else:
            lines.append(f"| {name} | {ms(m[stat])} | {verdict(m[stat] < limit)} |")
    if small is not None:
        lines += _growth_section(small, large)
    return lines


def _growth_section(small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"Growth from 6,000 to 60,000 (10× the participants): the returns no "
        f"worse than linear (ratio ≤ {LINEAR:.0f}); the paged pages flat "
        f"(ratio ≤ {FLAT}).",
        "",
        "| measure | growth | |",
        "|---|---:|---|",
    ]
    for key in RETURNS:
        growth = _growth(small, large, key)
        lines.append(
            f"| {key} | — | not measured |"
            if growth is None
            else f"| {key} | {growth:.2f} | {verdict(growth <= LINEAR)} |"
        )
    for name in PAGED:
        growth = _growth(small, large, f"pages/{name}")
        lines.append(
            f"| page: {name} | — | not measured |"
            if growth is None
            else f"| page: {name} | {growth:.2f} | {verdict(growth <= FLAT)} |"
        )
    for name in CONSTANT_QUERIES:
        before, after = _m(small, f"pages/{name}"), _m(large, f"pages/{name}")
        lines.append(
            f"| page: {name}, queries | — | not measured |"
            if before is None or after is None
            else f"| page: {name}, queries (issue 18) | {before['queries']} → "
            f"{after['queries']} | {verdict(before['queries'] == after['queries'])} |"
        )
    return lines


def load_results() -> Results:
    results = {}
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        results[int(data["n"])] = data
    return results
