"""Shared test setup.

---------------------------------------------------------------------------------------
Services guard (scripts/test, .ci/run). With PEERNET_REQUIRE_SERVICES=1 the run stops
before any test unless the database is PostgreSQL and Redis answers PING, so CI can
never pass by silently falling back to SQLite or to tasks run in process.
Keep this block first; shared fixtures (personas etc.) go below it.
---------------------------------------------------------------------------------------
"""

from __future__ import annotations

import os

import pytest

from tests.factories import Personas, make_personas


def services_required() -> bool:
    return os.environ.get("PEERNET_REQUIRE_SERVICES", "") == "1"


def _missing_services() -> list[str]:
    from django.conf import settings
    from django.db import connection

    problems = []
    if connection.vendor != "postgresql":
        problems.append(
            f"the database is {connection.vendor}, not PostgreSQL: set DATABASE_URL "
            "to a postgres:// URL"
        )
    broker = settings.CELERY_BROKER_URL
    if not broker:
        problems.append("CELERY_BROKER_URL is not set: point it at Redis")
    else:
        import redis

        client = redis.Redis.from_url(broker, socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at CELERY_BROKER_URL does not answer PING ({exc})")
        finally:
            client.close()
    return problems


def pytest_sessionstart(session: pytest.Session) -> None:
    if not services_required():
        return
    problems = _missing_services()
    if problems:
        pytest.exit(
            "PEERNET_REQUIRE_SERVICES=1 but " + "; ".join(problems),
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


# --- end of the services guard ---------------------------------------------------------


# --- shared fixtures --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's cost is a production defence, not something the tests need to pay for.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db: None) -> Personas:
    """Two hubs with one of everything and a person in every role (tests/factories.py)."""
    return make_personas()
