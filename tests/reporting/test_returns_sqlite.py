"""Simultaneous submissions on the embedded default (SQLite): one version, and a clear
page for everyone else, never a 500 "database is locked" (the same as on PostgreSQL:
tests/reporting/test_returns.py::test_two_simultaneous_submissions_make_one_version)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings


def test_five_simultaneous_resubmissions_make_one_version_and_four_clear_pages(tmp_path):
    script = settings.BASE_DIR / "tests" / "reporting" / "sqlite_submissions.py"
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "race.sqlite3")],
        cwd=settings.BASE_DIR,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # One resubmission made version 2 (a redirect); the four others were shown the page
    # again saying someone else had submitted meanwhile.
    assert found["outcomes"] == [[200, True]] * 4 + [[302, False]]
    assert found["versions"] == [1, 2]
