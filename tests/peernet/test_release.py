"""The release step's check that the static files are complete (issue 23): the files the
templates name must be in the manifest collectstatic wrote, or the release stops."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from peernet.management.commands.static_check import named_in_templates


def test_the_templates_name_the_stylesheet_and_the_script():
    named = named_in_templates()
    assert {"css/application.css", "js/init.js"} <= set(named)
    assert "base.html" in named["css/application.css"]


def test_the_check_passes_on_the_static_files_as_built(capsys):
    call_command("static_check")
    assert "static files the templates name are there" in capsys.readouterr().out


def test_the_check_names_each_missing_file_and_where_it_is_named(settings, tmp_path):
    """Production's manifest storage with nothing collected: the assets were never built."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with pytest.raises(CommandError) as failed:
        call_command("static_check")
    message = str(failed.value)
    assert message.startswith("These static files are missing: build the assets")
    assert "  css/application.css (named in base.html" in message


def test_the_procfile_declares_the_three_processes():
    lines = [
        line.split(":", 1)[0]
        for line in (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == ["web", "worker", "beat"]
