"""The report's section on the service under load (issue 24), from `result["load"]`
(`load.py`): each page alone beside `/health/`, the realistic mix at each number of
people, the mix's capacity, and each budget met or not.
"""

from __future__ import annotations

from typing import Any

from parameters import (
    ALONE_RATIO_BUDGET,
    LOAD_BUDGET_USERS,
    LOAD_P95_BUDGET,
    LOAD_PAGE_CLIENTS,
)

HEALTH = "health"


def health_rps(load: dict[str, Any]) -> float | None:
    """`/health/`'s requests per second: the mean of its runs before and after the pages."""
    runs = [run for name, run in load["alone"].items() if name.startswith(HEALTH)]
    rates = [run["pages"]["Aggregated"]["rps"] for run in runs if "Aggregated" in run["pages"]]
    return sum(rates) / len(rates) if rates else None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**NOT met**"


def _errors(run: dict[str, Any]) -> int:
    return sum(page["failures"] for name, page in run["pages"].items() if name != "Aggregated")


def _loads(run: dict[str, Any]) -> str:
    return ", ".join(f"{x:.2f}" for x in run["load_average"])


def load_section(n: int, result: dict[str, Any]) -> list[str]:
    load = result.get("load")
    if not load:
        return []
    lines = [
        "",
        f"## Under load, through the real server (issue 24, N = {n:,})",
        "",
        "The service as the `Procfile` runs it in production: gunicorn with "
        "`peernet/gunicorn_conf.py` (3 workers), a Celery worker (2 processes) and Redis "
        "(broker and cache), `DEBUG` off, on the benchmark's PostgreSQL; driven by locust "
        "(`benchmarks/locustfile.py`, headless, `HttpUser`) on the same 2 cores, so the "
        "load generator's own CPU is part of every figure. Each person has their own "
        "signed-in session (hub administrators spread over every hub, the benchmark's hub "
        "first); every response is checked (status, and the redirect after a form), so an "
        "error page counts as an error, never as a fast answer. Latencies are locust's "
        "(request sent to response read), percentiles as locust rounds them.",
        f"Load average (1, 5, 15 min) before {', '.join(f'{x:.2f}' for x in load['load_before'])}, "
        f"after {', '.join(f'{x:.2f}' for x in load.get('load_after') or [])}.",
        *_alone_table(load),
        *_mix_tables(load),
        *_capacity(load),
        *_budgets(load),
    ]
    errors = load.get("service_log_errors") or []
    lines += [
        "",
        "The service's log had "
        + (
            "no error line."
            if not errors
            else f"{len(errors)} error lines, the first: `{errors[0][:200]}`."
        ),
    ]
    return lines


def _alone_table(load: dict[str, Any]) -> list[str]:
    health = health_rps(load)
    lines = [
        "",
        f"### Each page alone: {LOAD_PAGE_CLIENTS} clients without a pause, beside `/health/`",
        "",
        "Requests per second is what the service gives that page when it is all anyone "
        "asks for; × health is that ÷ `/health/`'s in the same run (the cheapest page "
        "through every middleware, the database and a template; measured before and "
        "after the pages, the mean of the two). Every worker was warmed first by the mix.",
        "",
        "| page | req/s | × health | median | 95th | 99th | errors | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, run in load["alone"].items():
        page = run["pages"].get("Aggregated")
        if page is None:
            continue
        ratio = page["rps"] / health if health else None
        lines.append(
            f"| {name} | {page['rps']:.1f} | {'—' if ratio is None else f'{ratio:.2f}'} | "
            f"{_ms(page['median'])} | {_ms(page['p95'])} | {_ms(page['p99'])} | "
            f"{page['failures']} | {_loads(run)} |"
        )
    return lines


def _mix_runs(load: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return sorted((int(key.split()[1]), run) for key, run in load.items() if key.startswith("mix "))


def _mix_tables(load: dict[str, Any]) -> list[str]:
    runs = _mix_runs(load)
    if not runs:
        return []
    think = load.get("think", (0, 0))
    weights = load.get("weights", {})
    lines = [
        "",
        "### The realistic mix",
        "",
        f"People at once, each pausing {think[0]} to {think[1]} s (uniformly) between "
        "pages, in the proportions "
        + ", ".join(f"{role.replace('_', ' ')} {w}" for role, w in weights.items())
        + ": hub administrators on the dashboard, the registrations list, a cohort, a "
        "participant and the month's return; facilitators opening a session and saving "
        "its register (a write); participants opening their emailed survey link and "
        "answering its first page (a write); BEIS on the national return, timeliness "
        f"and an XLSX download. {runs[0][1]['seconds']} s at each number of people.",
        "",
        "| people | requests | req/s | median | 95th | 99th | errors | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for users, run in runs:
        a = run["pages"]["Aggregated"]
        lines.append(
            f"| {users} | {a['requests']:,} | {a['rps']:.1f} | {_ms(a['median'])} | "
            f"{_ms(a['p95'])} | {_ms(a['p99'])} | {_errors(run)} | {_loads(run)} |"
        )
    names = sorted({name for _, run in runs for name in run["pages"] if name != "Aggregated"})
    lines += [
        "",
        "Per page: median / 95th / 99th percentile (requests).",
        "",
        "| page | " + " | ".join(f"{users} people" for users, _ in runs) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    for name in names:
        cells = []
        for _, run in runs:
            page = run["pages"].get(name)
            cells.append(
                "—"
                if page is None
                else f"{_ms(page['median'])} / {_ms(page['p95'])} / {_ms(page['p99'])} "
                f"({page['requests']})"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _capacity(load: dict[str, Any]) -> list[str]:
    run = load.get("capacity")
    if not run:
        return []
    a = run["pages"]["Aggregated"]
    think = load.get("think", (0, 0))
    cycle = (think[0] + think[1]) / 2
    return [
        "",
        "### Where it saturates",
        "",
        f"The same mix with no pause ({LOAD_PAGE_CLIENTS} people, closed loop): "
        f"**{a['rps']:.1f} requests per second** (median {_ms(a['median'])}, 95th "
        f"{_ms(a['p95'])}, {_errors(run)} errors), the most this machine serves of the mix. "
        f"At a mean pause of {cycle:.0f} s a person asks for about one page every "
        f"{cycle:.0f} s plus the page's own time, so the service saturates at about "
        f"**{a['rps'] * (cycle + a['median']):.0f} people at once**; beyond that, pages "
        "queue and latency grows with every person added (compare the mix's rows above).",
    ]


def _budgets(load: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "### Budgets (issue 24)",
        "",
        "| budget | measured | |",
        "|---|---:|---|",
    ]
    run = load.get(f"mix {LOAD_BUDGET_USERS}")
    if run:
        for name, page in sorted(run["pages"].items()):
            if name == "Aggregated":
                continue
            lines.append(
                f"| {LOAD_BUDGET_USERS} people: {name}, 95th percentile under "
                f"{_ms(LOAD_P95_BUDGET)} | {_ms(page['p95'])} | "
                f"{_verdict(page['p95'] < LOAD_P95_BUDGET)} |"
            )
        lines.append(
            f"| {LOAD_BUDGET_USERS} people: no errors | {_errors(run)} | "
            f"{_verdict(_errors(run) == 0)} |"
        )
    health = health_rps(load)
    for name, target in ALONE_RATIO_BUDGET.items():
        page = load["alone"].get(name, {}).get("pages", {}).get("Aggregated")
        if page is None or not health:
            lines.append(f"| {name} alone: at least {target:.2f} × `/health/` | — | not measured |")
            continue
        ratio = page["rps"] / health
        lines.append(
            f"| {name} alone: at least {target:.2f} × `/health/`'s requests per second | "
            f"{ratio:.2f} | {_verdict(ratio >= target)} |"
        )
    return lines
