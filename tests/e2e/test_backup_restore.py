"""The README's backup and restore, done as it says (issue 23): the demo loaded into a
database of its own, dumped with `pg_dump --format=custom`, restored with `pg_restore`
into an empty database, migrated by the release step's `migrate`; the restored service
gives the same monthly returns, computed from its records, for every hub and nationally.

Real PostgreSQL only: the test's server (scripts/test), two throw-away databases on it."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
ANCHOR = "2026-11-20"  # the demo's "today": its months are fixed by it
MONTHS = ("2026-09", "2026-10")


def _pg_tool(name: str) -> str:
    """The server's own version of pg_dump / pg_restore (Debian keeps each version apart)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    assert found[-1], f"{name} is not installed"
    return found[-1]


def _database_url(name: str) -> str:
    params = connection.settings_dict
    return (
        f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST']}:"
        f"{params['PORT']}/{name}"
    )


def _admin(sql: str) -> None:
    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql)
    admin.close()


def _manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("PEERNET_REQUIRE_SERVICES", None)
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _returns(url: str) -> dict[str, object]:
    """Every hub's return and the national one for MONTHS, computed from the records."""
    listing = _manage(
        url,
        "shell",
        "-c",
        "import json; from peernet.models import Hub; "
        "print(json.dumps(sorted(Hub.objects.values_list('key', flat=True))))",
    )
    hubs = json.loads(listing.strip().splitlines()[-1])  # after the shell's own notice
    assert hubs, "the demo has no hubs"
    out: dict[str, object] = {}
    for where in [["--national"], *[["--hub", key] for key in hubs]]:
        for month in MONTHS:
            key = " ".join([*where, month])
            out[key] = json.loads(_manage(url, "monthly_return", "--month", month, *where))
    return out


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_dump and pg_restore need PostgreSQL",
)
def test_a_dump_of_the_demo_restores_to_the_same_returns(tmp_path):
    source, target = "peernet_backup_source", "peernet_backup_target"
    for name in (source, target):
        _admin(f"DROP DATABASE IF EXISTS {name}")
        _admin(f"CREATE DATABASE {name}")
    try:
        source_url, target_url = _database_url(source), _database_url(target)
        _manage(source_url, "migrate", "--no-input")
        _manage(source_url, "seed_demo", "--anchor", ANCHOR)
        before = _returns(source_url)

        dump = tmp_path / "peernet.dump"
        subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source_url],
            check=True,
            timeout=300,
        )
        subprocess.run(
            [_pg_tool("pg_restore"), "--no-owner", f"--dbname={target_url}", str(dump)],
            check=True,
            timeout=300,
        )
        assert "No migrations to apply." in _manage(target_url, "migrate", "--no-input")
        after = _returns(target_url)
    finally:
        for name in (source, target):
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    assert after == before
    national = before["--national 2026-10"]
    assert isinstance(national, dict) and national, national
    print(f"restored {dump.stat().st_size} bytes; {len(before)} returns the same")
