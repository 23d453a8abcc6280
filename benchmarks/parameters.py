"""What the national-scale benchmark measures, where it writes, and the budgets it is judged
by (issue 10): shared by `bench.py` (measuring) and `report.py` (the report).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
