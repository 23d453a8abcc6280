"""The national-scale benchmark (issue 10): run by `benchmarks/run`, never by the test suite.

For each N (default 6,000 and 60,000) it seeds the database with `reporting.scale`
(deterministic), then measures, on PostgreSQL:

- compiling every hub's return for one month (`reporting.returns.compile_draft` for each
  hub, one after another, as the scheduled job does), and `compute_hubs` for all hubs
  at once;
- the national return: computed live (`compute_hubs` + `combine`) and assembled from
  the submitted versions (`reporting.national.return_table`, what the national pages and
  the exports read);
- the XLSX, CSV and PDF exports of the national return (the exporters' `render`, as the
  Celery task runs them, without the queue);
- the hub dashboard, a cohort page, the registrations list and the national timeliness
  page: server time per request with Django's test client (median and 95th percentile
  over repeated requests, after two warm-up requests);
- the floor: one hand-written SQL query computing the national headline counts.

Results go to `benchmarks/results/<N>.json`; `benchmarks/REPORT.md` is written from
every results file present (`--report-only` rewrites it without measuring).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
REPORT = HERE / "REPORT.md"
MONTH = dt.date(2021, 11, 1)  # a month in the middle of delivery: every kind of record
PAGE_HUB = "north-east-4"  # a hub of average size
PAGE_REPEATS = 30
WARM_UP = 2

# Issue 10 (3): the budgets at N = 60,000 on 2 cores.
PAGE_MEDIAN_BUDGET = 0.150
PAGE_P95_BUDGET = 0.300
# Growth from 6,000 to 60,000 (ten times the data): "no worse than linear" for the
# returns is a ratio of at most 10; "flat" for the paged lists we take as at most 1.5.
LINEAR = 10.0
FLAT = 1.5
RETURNS = ("compile_all_hubs", "compute_hubs", "national_live", "national_submitted")
PAGED = ("registrations list", "cohort page", "national timeliness")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")
    import django

    django.setup()


# --- measuring ---------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeats: int) -> dict[str, Any]:
    """Seconds per run (median, 95th percentile, min, max) and the queries of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    queries = None
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        queries = len(captured) if queries is None else queries
    return summary(samples, queries)


def summary(samples: list[float], queries: int | None = None) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "median": statistics.median(ordered),
        "p95": p95,
        "min": ordered[0],
        "max": ordered[-1],
        "runs": len(ordered),
        "queries": queries,
    }


def say(n: int, what: str, result: dict[str, Any] | None = None) -> None:
    """Print progress and save what is measured so far (a run cut short still reports)."""
    print(f"benchmark: N = {n:,}: {what} ({dt.datetime.now(dt.UTC):%H:%M:%S})", flush=True)
    if result is not None:
        save(result)


def save(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{result['n']}.json"
    path.write_text(json.dumps(result, indent=2, default=str))


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would give them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(n: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from cohorts.models import Cohort
    from participants.models import Participant
    from peernet.models import Hub, RoleAssignment, User
    from reporting import kpi, national, returns, scale
    from reporting.exports import ReturnCsv, ReturnPdf, ReturnXlsx
    from reporting.models import ExportFile, MonthlyReturn

    # The slow measures are repeated three times at 6,000, once at 60,000 (each run of
    # them takes minutes there, and the report must come back the same hour).
    slow = 3 if n <= 6000 else 1
    result: dict[str, Any] = {
        "n": n,
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "complete": False,
    }
    result["load_before"] = os.getloadavg()

    started = time.perf_counter()
    built = scale.build(n, flush=True)
    result["seed_seconds"] = time.perf_counter() - started
    result["rows"] = built.counts
    analyze()

    hubs = list(Hub.objects.select_related("cluster").order_by("pk"))
    hub_ids = [hub.pk for hub in hubs]
    coordinator = User.objects.get(email="coordinator@scale.example.org")
    say(n, f"seeded in {result['seed_seconds']:.1f} s", result)

    # Every hub's return for the month, as the scheduled job on the 1st compiles them
    # (`compile_drafts`: every hub's figures computed together); recompiling is allowed
    # until a version exists.
    def compile_all() -> None:
        returns.compile_drafts(hub_ids, MONTH)

    def phase_compile() -> None:
        result["compile_all_hubs"] = timed(compile_all, slow)

    def phase_compute_hubs() -> None:
        result["compute_hubs"] = timed(lambda: kpi.compute_hubs(hubs, MONTH), slow)

    def submit(earlier_months: bool) -> None:
        started = time.perf_counter()
        result["return_versions"] = 0
        if earlier_months:
            with transaction.atomic():
                # The months before the benchmark month: the programme as it stands in
                # early December, when November's returns come in.
                result["return_versions"] = scale.submit_returns(
                    only=[month for month in scale.months() if month < MONTH]
                )
        # The benchmark month's returns are submitted from the compiled drafts, as a hub
        # would (`submit_return`), so the national figures read submitted versions.
        admins = {
            a.hub_id: a.user
            for a in RoleAssignment.objects.filter(role="hub_admin").select_related("user")
        }
        due = (MONTH + dt.timedelta(days=32)).replace(day=1) + dt.timedelta(days=4)
        now = dt.datetime.combine(due, dt.time(10), tzinfo=dt.UTC)
        for monthly_return in MonthlyReturn.objects.filter(month=MONTH):
            returns.submit_return(
                monthly_return,
                admins[monthly_return.hub_id],
                "Submitted for the benchmark.",
                now=now,
            )
            result["return_versions"] += 1
        result["returns_seconds"] = time.perf_counter() - started
        result["earlier_months_submitted"] = earlier_months
        analyze()

    def phase_national_live() -> None:
        result["national_live"] = timed(
            lambda: kpi.combine(list(kpi.compute_hubs(hubs, MONTH).values())), slow
        )

    def phase_national_submitted() -> None:
        now = dt.datetime.now(dt.UTC)
        result["national_submitted"] = timed(
            lambda: national.return_table(list(Hub.objects.select_related("cluster")), MONTH, now),
            5,
        )

    params = {"area": "national", "key": "", "month": f"{MONTH:%Y-%m}"}

    def export(exporter: type) -> Callable[[], bytes]:
        def run() -> bytes:
            file = ExportFile(kind=exporter.identifier, params=params, requested_by=coordinator)
            return exporter(file).render(lambda percent: None)

        return run

    def phase_exports() -> None:
        result["xlsx"] = timed(export(ReturnXlsx), 3)
        result["csv"] = timed(export(ReturnCsv), 3)
        result["pdf"] = timed(export(ReturnPdf), 3)
        result["xlsx_bytes"] = len(export(ReturnXlsx)())
        result["pdf_bytes"] = len(export(ReturnPdf)())

    admin = User.objects.get(email=f"admin@{PAGE_HUB}.example.org")
    cohort = Cohort.objects.get(key=f"{PAGE_HUB}-c1")
    pages = {
        "hub dashboard": (admin, reverse("hub:home", kwargs={"hub": PAGE_HUB})),
        "cohort page": (
            admin,
            reverse("hub:cohort", kwargs={"hub": PAGE_HUB, "code": cohort.code}),
        ),
        "registrations list": (admin, reverse("hub:registrations", kwargs={"hub": PAGE_HUB})),
        "national timeliness": (coordinator, reverse("national:timeliness")),
    }
    result["pages"] = {}
    result["page_hub_participants"] = Participant.objects.filter(hub__key=PAGE_HUB).count()

    def phase_pages(names: list[str]) -> None:
        for name in names:
            user, url = pages[name]
            client = Client()
            signed_in(client, user)
            for _ in range(WARM_UP):
                assert client.get(url).status_code == 200, url

            def get(client: Client = client, url: str = url) -> None:
                response = client.get(url)
                assert response.status_code == 200, url

            result["pages"][name] = timed(get, PAGE_REPEATS)
            result["pages"][name]["url"] = url

    def phase_floor() -> None:
        result["floor"] = timed(lambda: floor_query(MONTH), 10)

    def phase_floor_check() -> None:
        result["floor_values"], result["floor_matches"] = floor_check(hubs, MONTH)

    hub_pages = ["hub dashboard", "cohort page", "registrations list"]
    if n <= 6000:
        plan = [
            ("compiling every hub's return", phase_compile),
            ("compute_hubs", phase_compute_hubs),
            ("submitting returns", lambda: submit(True)),
            ("national return, live", phase_national_live),
            ("national return, submitted", phase_national_submitted),
            ("exports", phase_exports),
            ("pages", lambda: phase_pages([*hub_pages, "national timeliness"])),
            ("floor", phase_floor),
            ("floor check", phase_floor_check),
        ]
    else:
        # At 60,000 on a loaded machine the slow measures take many minutes each: the
        # budgets' measures first, so a run cut short still judges most of them; the
        # earlier months' returns (setup only) are not submitted.
        plan = [
            ("hub pages", lambda: phase_pages(hub_pages)),
            ("floor", phase_floor),
            ("compiling every hub's return", phase_compile),
            ("submitting November's returns", lambda: submit(False)),
            ("national return, submitted", phase_national_submitted),
            ("exports", phase_exports),
            ("national timeliness page", lambda: phase_pages(["national timeliness"])),
            ("national return, live", phase_national_live),
            ("floor check", phase_floor_check),
        ]
    for what, phase in plan:
        say(n, what, result)
        phase()
    say(n, "done", result)

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        result["postgresql"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        result["database_size"] = cursor.fetchone()[0]
    result["load_after"] = os.getloadavg()
    result["finished"] = dt.datetime.now(dt.UTC).isoformat()
    result["complete"] = True
    save(result)
    return result


def signed_in(client: Any, user: Any) -> None:
    """Signed in with a second factor verified (SECURITY.md 11), as after a real sign-in
    (the same as the tests' `force_login`, tests/conftest.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark device", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# --- the floor: one hand-written query ---------------------------------------------------

FLOOR_SQL = """
WITH
first_attended AS (
  SELECT a.participant_id, min(s.starts_at) AS at
  FROM delivery_attendance a JOIN delivery_groupsession s ON s.id = a.session_id
  WHERE a.present AND s.status = 'delivered'
  GROUP BY a.participant_id
),
running AS (
  SELECT s.cohort_id, s.starts_at,
         sum(s.hours) OVER (PARTITION BY s.cohort_id ORDER BY s.starts_at) AS hours
  FROM delivery_groupsession s WHERE s.status = 'delivered'
),
completed AS (
  SELECT cohort_id, min(starts_at) AS at FROM running
  WHERE hours >= %(cohort_hours)s GROUP BY cohort_id
),
one_to_one AS (
  SELECT o.participant_id, o.starts_at,
         sum(o.hours) OVER (PARTITION BY o.participant_id ORDER BY o.starts_at) AS hours
  FROM delivery_onetoonesession o WHERE o.status = 'delivered'
),
minimum_met AS (
  SELECT participant_id, min(starts_at) AS at FROM one_to_one
  WHERE hours >= %(one_to_one_hours)s GROUP BY participant_id
)
SELECT
  (SELECT count(*) FROM participants_participant
    WHERE registered >= %(start_day)s AND registered <= %(end_day)s),
  (SELECT count(*) FROM first_attended WHERE at >= %(start)s AND at < %(end)s),
  (SELECT sum(target) FROM peernet_hub),
  (SELECT count(*) FROM completed WHERE at >= %(start)s AND at < %(end)s),
  (SELECT count(DISTINCT m.participant_id)
     FROM completed c
     JOIN cohorts_cohortmembership m ON m.cohort_id = c.cohort_id
     JOIN participants_participant p ON p.id = m.participant_id
    WHERE c.at >= %(start)s AND c.at < %(end)s
      AND m.joined <= (c.at AT TIME ZONE 'Europe/London')::date
      AND (m."left" IS NULL OR m."left" >= (c.at AT TIME ZONE 'Europe/London')::date)
      AND (p.dropped_out_on IS NULL
           OR p.dropped_out_on > (c.at AT TIME ZONE 'Europe/London')::date)),
  (SELECT count(*) FROM minimum_met WHERE at >= %(start)s AND at < %(end)s),
  (SELECT round(100.0 * count(*) FILTER (WHERE a.present) / nullif(count(*), 0), 1)
     FROM delivery_attendance a JOIN delivery_groupsession s ON s.id = a.session_id
    WHERE s.status = 'delivered' AND s.starts_at >= %(start)s AND s.starts_at < %(end)s)
"""
FLOOR_FIGURES = (
    "registrations_cumulative",
    "started_cumulative",
    "target",
    "cohorts_completed_cumulative",
    "participants_completed_cumulative",
    "one_to_one_minimum_met_cumulative",
    "attendance_rate_cumulative",
)


def floor_query(month: dt.date) -> tuple[Any, ...]:
    from django.db import connection

    from peernet.calendar import LONDON as london
    from peernet.calendar import month_end
    from peernet.models import Programme

    programme = Programme.objects.get()
    end_day = month_end(month)
    params = {
        "start_day": programme.delivery_start,
        "end_day": end_day,
        "start": dt.datetime.combine(programme.delivery_start, dt.time(), tzinfo=london),
        "end": dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), tzinfo=london),
        "cohort_hours": programme.cohort_hours,
        "one_to_one_hours": programme.one_to_one_hours,
    }
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, params)
        return cursor.fetchone()


def floor_check(hubs: list[Any], month: dt.date) -> tuple[dict[str, str], dict[str, bool]]:
    """The floor's values beside the live national computation's (a sanity check that the
    floor computes the same headline counts)."""
    from reporting import kpi

    national = kpi.combine(list(kpi.compute_hubs(hubs, month).values()))["figures"]
    values, matches = {}, {}
    for figure, value in zip(FLOOR_FIGURES, floor_query(month), strict=True):
        values[figure] = f"{value} (app: {national.get(figure)})"
        matches[figure] = str(value) == str(national.get(figure))
    return values, matches


# --- the report ---------------------------------------------------------------------------


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
    import django

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
    ("page: national timeliness", "pages/national timeliness"),
    ("**floor**: one hand-written SQL query", "floor"),
]


def write_report(results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    small, large = results.get(6000), results.get(60000)
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
    lines += [
        "- PostgreSQL: a throw-away cluster started by `benchmarks/with-postgres`, default "
        "settings except `shared_buffers=512MB` and durability off (`fsync`, "
        "`synchronous_commit`, `full_page_writes`), as `scripts/test` runs it; JIT off "
        "(the project's connection setting, see below); `VACUUM ANALYZE` after loading, "
        "as autovacuum would.",
        "",
        contention + " Times are wall-clock, in process (no network, no WSGI server); page "
        "times are Django's test client's request-to-response time.",
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
    lines += [
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
        cells = []
        for n in sizes:
            m = _m(results[n], key)
            floor = _median(results[n], "floor")
            if m is None:
                cells.append("— | — | —")
                continue
            shown = ms(m["median"]) + (f" ({ms(m['p95'])})" if key.startswith("pages/") else "")
            ratio = f"{m['median'] / floor:,.1f}" if floor else "—"
            cells.append(f"{shown} | {m['queries']} | {ratio}")
        growth = _growth(small, large, key)
        lines.append(
            f"| {label} | "
            + " | ".join(cells)
            + f" | {'—' if growth is None else f'{growth:.2f}'} |"
        )
    lines += [
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
    lines += ["", "## Budgets (issue 10, at N = 60,000)", ""]
    if large is None:
        lines.append("N = 60,000 was not measured: the budgets are not judged.")
    else:
        checks = [
            (
                "every hub's return for a month compiled in under 10 s in total",
                "compile_all_hubs",
                10.0,
                "median",
            ),
            ("the national return (live) under 2 s", "national_live", 2.0, "median"),
            (
                "the national return (from submitted versions) under 2 s",
                "national_submitted",
                2.0,
                "median",
            ),
            ("the national XLSX under 10 s", "xlsx", 10.0, "median"),
        ]
        for name in ("hub dashboard", "cohort page", "registrations list", "national timeliness"):
            checks.append(
                (f"page {name}: median under 150 ms", f"pages/{name}", PAGE_MEDIAN_BUDGET, "median")
            )
            checks.append(
                (
                    f"page {name}: 95th percentile under 300 ms",
                    f"pages/{name}",
                    PAGE_P95_BUDGET,
                    "p95",
                )
            )
        lines += ["| budget | measured | |", "|---|---:|---|"]
        for name, key, limit, stat in checks:
            m = _m(large, key)
            if m is None:
                lines.append(f"| {name} | — | not measured |")
            else:
                lines.append(f"| {name} | {ms(m[stat])} | {verdict(m[stat] < limit)} |")
        if small is not None:
            lines += [
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
    extra = HERE / "NOTES.md"
    if extra.exists():
        lines += ["", extra.read_text().strip()]
    REPORT.write_text("\n".join(lines) + "\n")
    return "\n".join(lines)


def load_results() -> dict[int, dict[str, Any]]:
    results = {}
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        results[int(data["n"])] = data
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[6000, 60000])
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    setup_django()
    from peernet.access import scopes_disabled

    RESULTS.mkdir(exist_ok=True)
    if not args.report_only:
        for n in args.sizes:
            print(f"benchmark: N = {n:,} ...", flush=True)
            # The benchmark works as the system, across every hub (SECURITY.md 3); the
            # pages it times are served in their user's scope by the middleware.
            with scopes_disabled():
                result = measure(n)
            print(
                f"benchmark: N = {n:,} done (seeded in {result['seed_seconds']:.1f} s)",
                flush=True,
            )
    print(write_report(load_results()))


if __name__ == "__main__":
    main()
