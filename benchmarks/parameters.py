"""What the national-scale benchmark measures, where it writes, and the budgets it is judged
by (issue 10): shared by `bench.py` (measuring) and `report.py` (the report).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The project importable from the benchmark (Django's settings, and `tests.processes`,
# which starts the service's processes for the tests and for `load.py` alike).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
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
# returns is a ratio of at most 10; "flat" for the paged pages at most 1.2 (issue 24).
LINEAR = 10.0
FLAT = 1.2
RETURNS = ("compile_all_hubs", "compute_hubs", "national_live", "national_submitted")
PAGED = (
    "registrations list",
    "registrations list, filtered",
    "sessions list, filtered",
    "cohort page",
    "national timeliness",
)
# Issue 18: the registrations list searched ("a": most names), filtered, sorted by name
# (descending) and on its second page; its queries the same at every size.
FILTERED_LIST_QUERY = "?q=a&status=eligible&sort=-name&page=2"
# The hub's sessions list: delivered, from the delivery window's start, the oldest
# first, on its second page.
SESSIONS_FILTERED_QUERY = "?status=delivered&date_from=2021-04-01&sort=when&page=2"
CONSTANT_QUERIES = ("registrations list, filtered", "sessions list, filtered")

# Issue 24: load through the real server (load.py, locustfile.py), at N = LOAD_AT.
LOAD_AT = 60000
LOAD_USERS = (10, 50, 100)  # the realistic mix at each number of concurrent people
LOAD_PAGE_CLIENTS = 10  # each page alone, beside /health/, and the mix's capacity
# LOAD_QUICK=1 to try the harness (runs of 5 s: figures not worth reporting).
QUICK = os.environ.get("LOAD_QUICK") == "1"
LOAD_PAGE_SECONDS = 5 if QUICK else 20
LOAD_MIX_SECONDS = 5 if QUICK else 60
# A person reads a page for 2 to 8 seconds (uniformly) before the next.
THINK_SECONDS = (2, 8)
# Of every 10 people at once: 5 hub administrators, 2 facilitators, 2 participants, 1 BEIS.
LOAD_WEIGHTS = {"hub_admin": 5, "facilitator": 2, "participant": 2, "national": 1}
# Budgets: at 50 people, every page's 95th percentile under 500 ms and no errors; alone,
# the dashboard, the list and the cohort page at least half of /health/'s requests per
# second, the return page a quarter.
LOAD_BUDGET_USERS = 50
LOAD_P95_BUDGET = 0.500
ALONE_RATIO_BUDGET = {
    "hub dashboard": 0.5,
    "registrations list": 0.5,
    "cohort page": 0.5,
    "return page": 0.25,
}
