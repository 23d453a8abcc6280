"""Five hub administrators resubmit one return at the same moment, on the embedded
default (SQLite), through the return page. Run by tests/reporting/test_returns_sqlite.py
in a process of its own (the test suite's own database is PostgreSQL):

    python tests/reporting/sqlite_submissions.py /tmp/x.sqlite3

Prints one JSON line: each submission's status code and whether its page says someone
else submitted meanwhile; then the versions the return has.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[1]}"
os.environ.pop("CELERY_BROKER_URL", None)  # tasks in process, as in the demo
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from peernet.models import Role  # noqa: E402
from peernet.scoping import scopes_disabled  # noqa: E402
from reporting import returns  # noqa: E402
from reporting.models import ReturnVersion  # noqa: E402
from tests.factories import make_personas, make_user  # noqa: E402

SUBMITTERS = 5

call_command("migrate", verbosity=0)
with scopes_disabled():
    personas = make_personas()
    admins = [make_user(Role.HUB_ADMIN, hub=personas.hub_a) for _ in range(SUBMITTERS)]
    monthly_return = returns.compile_draft(personas.hub_a.pk, dt.date(2021, 10, 1))
    returns.submit_return(monthly_return, admins[0], "First.", expected_version=0)
    for admin in admins:
        admin.password = make_password(None)
        admin.save(update_fields=["password"])
        TOTPDevice.objects.create(user=admin, name="Test device", confirmed=True)

url = reverse("hub:return", kwargs={"hub": personas.hub_a.key, "month": "2021-10"})
start = threading.Barrier(SUBMITTERS)
outcomes: list[tuple[int, bool]] = []


def resubmit(admin) -> None:  # type: ignore[no-untyped-def]
    try:
        client = Client(raise_request_exception=False)
        client.force_login(admin)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=admin).persistent_id
        session.save()
        start.wait()
        response = client.post(
            url,
            {"narrative": "Again.", "reason": "Corrected.", "expected_version": 1, "confirm": ""},
        )
        text = response.content.decode()
        outcomes.append((response.status_code, "someone else" in text.lower()))
    finally:
        connection.close()


threads = [threading.Thread(target=resubmit, args=(admin,)) for admin in admins]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=120)
with scopes_disabled():
    versions = sorted(ReturnVersion.objects.values_list("version", flat=True))
print(json.dumps({"outcomes": sorted(outcomes), "versions": versions}))
