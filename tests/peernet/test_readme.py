"""The README's configuration table says what the code does (no drift)."""

from __future__ import annotations

import re

from django.conf import settings

README = (settings.BASE_DIR / "README.md").read_text()


def _default(variable: str) -> str:
    match = re.search(rf"^\| `{variable}` \| ([^|]+) \|", README, re.M)
    assert match, f"{variable} is not in the README's configuration table"
    return match.group(1).strip()


def test_the_idle_timeout_is_the_code_s():
    assert _default("SESSION_IDLE_SECONDS") == f"`{settings.SESSION_COOKIE_AGE}`"


def test_the_request_limit_is_the_code_s():
    assert _default("REQUEST_MAX_BYTES") == f"{settings.REQUEST_MAX_BYTES // (1024 * 1024)} MB"


def test_every_variable_settings_reads_is_in_the_table():
    source = (settings.BASE_DIR / "peernet" / "settings.py").read_text()
    read = set(re.findall(r"env_\w+\(\s*\"([A-Z_]+)\"", source))
    read |= set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", source))
    missing = sorted(name for name in read if f"| `{name}` |" not in README)
    assert not missing, f"Add these to the README's configuration table: {missing}"


def test_the_emailed_password_links_last_as_the_code_says():
    assert _default("PASSWORD_RESET_SECONDS") == f"`{settings.PASSWORD_RESET_TIMEOUT}`"
    assert _default("INVITATION_SECONDS") == f"`{settings.INVITATION_TIMEOUT}`"
