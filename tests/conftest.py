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
from collections.abc import Iterator
from pathlib import Path

import pytest

from cohorts.models import Cohort
from peernet.models import Hub, Programme, Role, User
from tests.factories import (
    Personas,
    make_cohort,
    make_delivered_session,
    make_hub,
    make_personas,
    make_programme,
    make_user,
)


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
def _mail_is_read_after_delivery(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mail.outbox` and `mailoutbox` show what a worker would have delivered from the
    service's outbox by the time the test reads them (tests/mailbox.py)."""
    from django.core import mail

    from tests.mailbox import Mailbox

    if "_django_db_helper" in request.fixturenames or request.node.get_closest_marker("django_db"):
        # Setting up the database gives Django's tests a fresh `mail.outbox`: first that.
        request.getfixturevalue("_django_db_helper")
    monkeypatch.setattr(mail, "outbox", Mailbox(), raising=False)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's cost is a production defence, not something the tests need to pay for.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db: None) -> Personas:
    """Two hubs with one of everything and a person in every role (tests/factories.py)."""
    return make_personas()


@pytest.fixture
def delivered(personas: Personas) -> Personas:
    """The personas, with cohort A's session of 5 October 2021 delivered (`session`): the
    one the facilitator writes up."""
    personas.session = make_delivered_session(personas)
    return personas


# Greater Manchester, the hub of the service tests: a file that needs another defines its own.


@pytest.fixture
def programme(db: None) -> Programme:
    return make_programme()


@pytest.fixture
def hub(db: None) -> Hub:
    return make_hub("gm", name="Greater Manchester Growth Hub")


@pytest.fixture
def cohort(hub: Hub, programme: Programme) -> Cohort:
    return make_cohort(hub, programme, key="gm-3", name="Greater Manchester 3")


@pytest.fixture
def admin(hub: Hub) -> User:
    """An administrator of the hub."""
    return make_user(Role.HUB_ADMIN, hub=hub)


@pytest.fixture
def provider(hub: Hub) -> User:
    """A one-to-one provider of the hub."""
    return make_user(Role.ONE_TO_ONE_PROVIDER, hub=hub)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every signed-in page needs a session verified by a second factor (docs/security.md §11,
    peernet.middleware.SecondFactorMiddleware). `client.force_login(user)` stands for a
    whole sign-in, so it also verifies the session as `django_otp.login` does: with a real
    confirmed TOTP device of the user (made once) under the session key `otp_device_id`.
    Tests of signing in itself go through the real forms (tests/peernet/test_auth*.py,
    tests.factories.make_totp_device and totp_now)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = Client.force_login

    def force_login(self: Client, user, backend: str | None = None) -> None:
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


# Rows the data migrations seed (the BEIS topics, the survey instruments). A transactional
# test (a real Celery worker, live_server, two connections racing) ends by emptying every
# table, these included, so each transactional test puts them back first: by running the
# migrations' own functions, in migration order, so the rows are exactly what `migrate`
# makes. (Django's serialized_rollback cannot do this here: its restore collides with the
# content types that the flush re-creates.)
_SEEDING_MIGRATIONS = {  # the table a flush empties: the migrations that fill it
    "delivery.Topic": [("sessions.migrations.0002_beis_topics", "seed")],
    "participants.SurveyInstrument": [
        ("participants.migrations.0002_survey_instruments", "seed_survey_instruments"),
        ("participants.migrations.0004_survey_follow_up", "seed_follow_up"),
    ],
}


def reference_data_seed() -> None:
    """The migrations' seeded rows, into tables that a flush has emptied."""
    import importlib

    from django.apps import apps

    for model, migrations in _SEEDING_MIGRATIONS.items():
        if apps.get_model(model).objects.exists():
            continue
        for module, function in migrations:
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("_django_db_helper")  # the database first
    reference_data_seed()


@pytest.fixture(autouse=True)
def _tests_act_as_the_system() -> Iterator[None]:
    """Test code sets up and checks records across hubs, as the system does (docs/security.md
    3: peernet.access). Requests made through the test client open their own hub scope
    in the middleware, inside this one, so every page is still served in its user's
    scope; tests/security/test_hub_scope.py proves the scope itself."""
    from peernet.scoping import scopes_disabled

    with scopes_disabled():
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser journey carries the `e2e` mark, so `-m "not e2e"` (scripts/test --fast)
    can leave them out without each file saying so."""
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        if e2e in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
