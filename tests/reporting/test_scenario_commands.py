"""`import_scenario` and `export_scenario`: exit status 1 and every problem on stderr,
oversized and malformed files refused before anything is read into the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from participants.models import Participant
from reporting.scenario import export_document, import_document
from tests.reporting.conftest import table_counts

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, document: Any, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(
        document if isinstance(document, str) else json.dumps(document), encoding="utf-8"
    )
    return path


def run_import(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_scenario", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused_import(*args: str) -> tuple[CommandError, str]:
    """Run an import that must fail: the error, what went to stderr; nothing written."""
    before = table_counts()
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_scenario", *args, stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert table_counts() == before
    return raised.value, err.getvalue()


def test_import_prints_what_it_wrote(tmp_path, small):
    out, err = run_import(str(write(tmp_path, small)))

    assert "participants: 8 created, 0 updated" in out
    assert "Imported" in out
    assert err == ""
    assert Participant.objects.count() == 8


def test_import_reports_every_problem_on_stderr_with_status_1(tmp_path, small):
    small["participants"][0]["business"] = "b99"
    small["cohorts"][0]["sessions"][1]["attendance"]["p7"] = {"present": True, "hours": 1}

    error, stderr = refused_import(str(write(tmp_path, small)))

    assert stderr.splitlines() == [
        'cohorts[0].sessions[1].attendance.p7: "p7" is not a member of cohort "gm-1"',
        'participants[0].business: no business with key "b99"',
    ]
    assert str(error) == "2 problems found; nothing was imported."


def test_importing_twice_is_refused_and_update_updates(tmp_path, small):
    path = write(tmp_path, small)
    run_import(str(path))

    _error, stderr = refused_import(str(path))
    assert 'hubs[0].key: a hub with key "gm" already exists; use --update to update it' in (
        stderr.splitlines()
    )

    small["participants"][0]["first_name"] = "Alexandra"
    out, _err = run_import(str(write(tmp_path, small)), "--update")
    assert "participants: 0 created, 8 updated" in out
    assert Participant.objects.get(key="p1").first_name == "Alexandra"


def test_an_oversized_file_is_refused(tmp_path, small):
    path = write(tmp_path, small)
    limit = path.stat().st_size - 1

    with override_settings(SCENARIO_MAX_BYTES=limit):
        error, _stderr = refused_import(str(path))

    assert f"is larger than the {limit:,}-byte limit (SCENARIO_MAX_BYTES)" in str(error)


def test_a_file_at_the_limit_is_accepted(tmp_path, small):
    path = write(tmp_path, small)

    with override_settings(SCENARIO_MAX_BYTES=path.stat().st_size):
        run_import(str(path))

    assert Participant.objects.count() == 8


def test_invalid_json_is_reported_with_line_and_column(tmp_path):
    path = write(tmp_path, '{\n  "format": "peernet-scenario/1",\n}\n')

    error, _stderr = refused_import(str(path))

    assert str(error) == (
        f"{path} is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 3, column 1."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "a", "format": "b"}', 'the field "format" appears twice in one object'),
        ('{"hours": NaN}', "NaN is not a number in JSON"),
    ],
)
def test_json_that_would_lose_or_bend_data_is_refused(tmp_path, text, message):
    error, _stderr = refused_import(str(write(tmp_path, text)))

    assert message in str(error)


def test_a_missing_file_is_a_clear_error(tmp_path):
    error, _stderr = refused_import(str(tmp_path / "missing.json"))

    assert "cannot read" in str(error) and "missing.json" in str(error)


def test_export_writes_the_document_as_indented_utf8_json(small):
    import_document(small)
    out = StringIO()

    call_command("export_scenario", "--hub", "gm", stdout=out)

    text = out.getvalue()
    assert json.loads(text) == export_document(hub_key="gm")
    assert "under £100,000" in text  # ensure_ascii=False
    assert '\n  "programme": {\n' in text  # indent=2


def test_export_of_an_unknown_hub_fails_with_status_1(small):
    import_document(small)

    with pytest.raises(CommandError) as raised:
        call_command("export_scenario", "--hub", "nowhere", stdout=StringIO())

    assert raised.value.returncode == 1
    assert str(raised.value) == 'hub: no hub with key "nowhere"'


# -- as a real process: the exit status a shell sees ----------------------------------


def manage(
    tmp_path: Path, *args: str, stdin: bytes = b"", **env: str
) -> subprocess.CompletedProcess:
    """`manage.py` in a child process, on a database of its own (empty: `migrate` it
    first for a command that looks keys up)."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'child.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_the_import_command_exits_with_status_1_and_paths_on_stderr(tmp_path, small):
    small["participants"][0]["colour"] = "blue"
    small["hubs"][0]["target"] = -1
    small["participants"][1]["business"] = "b99"
    # The import looks keys up even in a document the schema refuses (issue 17).
    assert manage(tmp_path, "migrate", "--verbosity", "0").returncode == 0

    result = manage(tmp_path, "import_scenario", "-", stdin=json.dumps(small).encode())

    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "hubs[0].target: -1 is less than 0\n" in stderr
    assert "participants[0].colour: unknown field, not part of peernet-scenario/1\n" in stderr
    assert 'participants[1].business: no business with key "b99"\n' in stderr
    assert result.stdout == b""


def test_an_oversized_standard_input_is_refused_with_status_1(tmp_path, small):
    result = manage(
        tmp_path,
        "import_scenario",
        "-",
        stdin=json.dumps(small).encode(),
        SCENARIO_MAX_BYTES="1000",
    )

    assert result.returncode == 1
    assert "- is larger than the 1,000-byte limit" in result.stderr.decode()
