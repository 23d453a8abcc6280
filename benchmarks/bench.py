"""The national-scale benchmark (issue 10): run by `benchmarks/run`, never by the test suite.

For each N (default 6,000 and 60,000) it seeds the database with `demo.scale`
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
every results file present (`--report-only` rewrites it without measuring) by `report.py`;
the floor's query is in `floor.py`, what is measured and the budgets in `parameters.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from floor import floor_check, floor_query, full_floor_check, full_floor_query
from load import measure_load
from parameters import (
    FILTERED_LIST_QUERY,
    LOAD_AT,
    MONTH,
    PAGE_HUB,
    PAGE_REPEATS,
    RESULTS,
    ROOT,
    SESSIONS_FILTERED_QUERY,
    WARM_UP,
)
from report import load_results, write_report

# Django's test tools and the project's modules are imported inside the functions that use
# them: they can be imported only once `setup_django()` has run (in `main`).


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
    # A trial (--only-load) goes beside the results, never into the report.
    folder = RESULTS / "trial" if result.get("trial") else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result['n']}.json"
    path.write_text(json.dumps(result, indent=2, default=str))


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would give them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(n: int, *, load: bool, only_load: bool) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from cohorts.models import Cohort
    from demo.scale.returns import months, submit_returns
    from demo.scale.world import build
    from participants.models import Participant
    from peernet.calendar import Month
    from peernet.models import Hub, RoleAssignment, User
    from reporting import kpi, national, returns
    from reporting.exports import ReturnCsv, ReturnPdf, ReturnXlsx
    from reporting.models import ExportFile, MonthlyReturn
    from reporting.services import Scope, findings_judge, risk_scan_run

    # The slow measures are repeated three times at 6,000, once at 60,000 (each run of
    # them takes minutes there, and the report must come back the same hour).
    slow = 3 if n <= 6000 else 1
    result: dict[str, Any] = {
        "n": n,
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "complete": False,
        "trial": only_load,
    }
    result["load_before"] = os.getloadavg()

    started = time.perf_counter()
    built = build(n, flush=True)
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
                result["return_versions"] = submit_returns(
                    only=[month for month in months() if month < MONTH]
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
        if not earlier_months:
            # The month before as the 1st's job left it a month earlier: every hub's
            # draft compiled (the return page shows it beside the month's figures).
            returns.compile_drafts(hub_ids, Month.of(MONTH).previous().first_day)
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
        # Issue 18: searched, filtered, sorted and on its second page (peernet.lists).
        "registrations list, filtered": (
            admin,
            reverse("hub:registrations", kwargs={"hub": PAGE_HUB}) + FILTERED_LIST_QUERY,
        ),
        "sessions list, filtered": (
            admin,
            reverse("hub:sessions", kwargs={"hub": PAGE_HUB}) + SESSIONS_FILTERED_QUERY,
        ),
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

    # Issue 18: what a write adds to its request (the to-do list judged again for the
    # participant it touched and their cohort: reporting.freshness), beside the daily scan
    # of the whole hub it replaces until the next morning.
    page_hub = Hub.objects.get(key=PAGE_HUB)
    member = Participant.objects.filter(hub=page_hub, memberships__isnull=False).first()

    def phase_judging() -> None:
        now = dt.datetime.now(dt.UTC)
        result["hub_scan"] = timed(lambda: risk_scan_run(hub=page_hub, as_of=now), slow)
        scope = Scope(frozenset({member.pk}))
        result["judge_after_write"] = timed(
            lambda: findings_judge(hub=page_hub, as_of=now, scope=scope.widened()), 10
        )

    def phase_floor() -> None:
        result["floor"] = timed(lambda: floor_query(MONTH), 10)

    def phase_floor_check() -> None:
        result["floor_values"], result["floor_matches"] = floor_check(hubs, MONTH)

    # Issue 24: every figure of the return in hand-written SQL, and the check that each
    # equals the application's.
    def phase_full_floor() -> None:
        result["full_floor"] = timed(lambda: full_floor_query(MONTH), 10)

    def phase_full_floor_check() -> None:
        result["full_floor_values"], result["full_floor_matches"] = full_floor_check(hubs, MONTH)

    hub_pages = [
        "hub dashboard",
        "cohort page",
        "registrations list",
        "registrations list, filtered",
        "sessions list, filtered",
    ]
    if n <= 6000:
        plan = [
            ("compiling every hub's return", phase_compile),
            ("compute_hubs", phase_compute_hubs),
            ("submitting returns", lambda: submit(True)),
            ("national return, live", phase_national_live),
            ("national return, submitted", phase_national_submitted),
            ("exports", phase_exports),
            ("pages", lambda: phase_pages([*hub_pages, "national timeliness"])),
            ("the to-do list judged after a write", phase_judging),
            ("floor", phase_floor),
            ("full floor", phase_full_floor),
            ("floor check", phase_floor_check),
            ("full floor check", phase_full_floor_check),
        ]
    else:
        # At 60,000 on a loaded machine the slow measures take many minutes each: the
        # budgets' measures first, so a run cut short still judges most of them; the
        # earlier months' returns (setup only) are not submitted.
        plan = [
            ("hub pages", lambda: phase_pages(hub_pages)),
            ("the to-do list judged after a write", phase_judging),
            ("floor", phase_floor),
            ("full floor", phase_full_floor),
            ("compiling every hub's return", phase_compile),
            ("submitting November's returns", lambda: submit(False)),
            ("national return, submitted", phase_national_submitted),
            ("exports", phase_exports),
            ("national timeliness page", lambda: phase_pages(["national timeliness"])),
            ("national return, live", phase_national_live),
            ("floor check", phase_floor_check),
            ("full floor check", phase_full_floor_check),
        ]
    if only_load:
        plan = [("submitting November's returns", lambda: submit(False))]
    if load:
        # The service under load (issue 24) last: it needs the returns submitted above
        # only for the national pages, which read what exists.
        plan.append(("load", lambda: measure_load(result, lambda what, r: say(n, what, r))))
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
    """Signed in with a second factor verified, as after a real sign-in
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[6000, 60000])
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--load-at",
        type=int,
        default=LOAD_AT,
        help=f"the size at which the service is put under load (default {LOAD_AT:,})",
    )
    parser.add_argument(
        "--only-load", action="store_true", help="seed, then only the load (a quick look)"
    )
    args = parser.parse_args()
    setup_django()
    from peernet.scoping import scopes_disabled

    RESULTS.mkdir(exist_ok=True)
    if not args.report_only:
        for n in args.sizes:
            print(f"benchmark: N = {n:,} ...", flush=True)
            # The benchmark works as the system, across every hub; the
            # pages it times are served in their user's scope by the middleware.
            with scopes_disabled():
                result = measure(n, load=n == args.load_at, only_load=args.only_load)
            print(
                f"benchmark: N = {n:,} done (seeded in {result['seed_seconds']:.1f} s)",
                flush=True,
            )
    if not args.only_load:
        print(write_report(load_results()))


if __name__ == "__main__":
    main()
