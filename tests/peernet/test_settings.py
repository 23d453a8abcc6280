"""Production settings pass Django's deployment checks, and bad configuration fails loudly."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Only what a production host would set: nothing from the test run's own environment
# (scripts/test turns SECURE_SSL_REDIRECT off, for example) may leak in.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: os.environ[name] for name in _KEEP if name in os.environ}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "peernet.example.org",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    env.update(overrides)
    return env


def test_check_deploy_refuses_a_cache_of_each_process_s_own():
    env = production_env()
    del env["CACHE_URL"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "peernet.W001" in result.stderr + result.stdout
    assert "Set CACHE_URL" in result.stderr + result.stdout


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_an_insecure_setting():
    # The guard above can fail: switching off the HTTPS redirect is reported.
    env = production_env(SECURE_SSL_REDIRECT="0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param(
            {"DEBUG": "0", "ALLOWED_HOSTS": "peernet.example.org"},
            "Set the SECRET_KEY environment variable.",
            id="missing-secret-key",
        ),
        pytest.param(
            {"DEBUG": "maybe", "ALLOWED_HOSTS": "peernet.example.org"},
            "DEBUG='maybe' is not a boolean",
            id="debug-maybe",
        ),
        pytest.param(
            {
                "DEBUG": "0",
                "SECRET_KEY": (
                    "insecure-development-key-for-the-local-demo-only-never-in-production"
                ),
                "ALLOWED_HOSTS": "peernet.example.org",
            },
            "SECRET_KEY is the development key",
            id="development-key-in-production",
        ),
        pytest.param(
            {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64)},
            "Set ALLOWED_HOSTS",
            id="missing-allowed-hosts",
        ),
        pytest.param(
            {"DEBUG": "1", "DATABASE_URL": "not-a-database://x"},
            "DATABASE_URL cannot be read",
            id="unreadable-database-url",
        ),
    ],
)
def test_bad_configuration_stops_start_up_with_a_clear_message(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
