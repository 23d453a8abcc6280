"""`manage.py seed_demo [--anchor YYYY-MM-DD]`: the demo programme, and who to log in as.

The programme is built as a scenario document (`demo.document`) and loaded through the
scenario import with `update=True`, so running the command again changes nothing. Every
staff account in it gets the same documented demo password; the national coordinator may
also use /admin.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from demo.document import build_demo_document
from demo.returns import submit_demo_returns
from peernet.addresses import site_url
from peernet.calendar import LONDON
from peernet.models import Hub, Role, User
from reporting.scenario import ScenarioError, import_document
from reporting.services import risk_scan_run

# Documented in the README: for the local demo only, never for a real deployment.
DEMO_PASSWORD = "peer-networks-demo-2021"  # noqa: S105
ANOTHER_DAY_HINT = (
    "This database already holds demo data, perhaps seeded with another --anchor (the "
    "default is today): run again with that anchor, or start from a new database (for "
    "the SQLite demo, delete var/peernet.sqlite3 and run migrate)."
)


@dataclass(frozen=True)
class Login:
    role: str
    where: str
    email: str
    recovery_codes: list[str]


def parse_anchor(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Load the demo programme (deterministic, realistic) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            type=parse_anchor,
            default=None,
            help="The demo's 'today', YYYY-MM-DD (default: today in Europe/London).",
        )

    def handle(self, *args: Any, anchor: dt.date | None, **options: Any) -> None:
        anchor = anchor or timezone.localdate(timezone=LONDON)
        document = build_demo_document(anchor)
        try:
            with transaction.atomic():
                import_document(document, update=True)
                logins = prepare_logins(document)
        except ScenarioError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            if User.objects.filter(key__in=_keys(document["users"])).exists():
                self.stderr.write(ANOTHER_DAY_HINT)
            raise CommandError(
                f"The demo document has {len(error.problems)} problem(s); nothing was loaded.",
                returncode=1,
            ) from error
        submit_demo_returns(anchor)
        scan_demo_hubs(anchor)
        self.stdout.write(
            f"Loaded {document['programme']['name']} as it stands on {anchor.day} {anchor:%B %Y}."
        )
        self.stdout.write(login_table(logins))
        self.stdout.write(
            "\nAfter the password, enter the recovery code when asked for a code. Each code "
            "works once; the next ones of each account follow (seed_demo tops them up), or "
            "set up any authenticator app from the account page once signed in."
        )
        self.stdout.write(more_codes(logins))
        self.stdout.write(f"\nOpen {site_url()}")


def scan_demo_hubs(anchor: dt.date) -> None:
    """The at-risk scan as the daily task would run it on the demo's 'today' (at noon, so
    nothing depends on the hour), without the digest emails: every role then sees its
    to-do list. A second run the same day changes nothing."""
    as_of = dt.datetime.combine(anchor, dt.time(12), tzinfo=LONDON)
    for hub in Hub.objects.order_by("pk"):
        risk_scan_run(hub=hub, as_of=as_of)


def prepare_logins(document: dict[str, Any]) -> list[Login]:
    """Give every staff account of the document the demo password (only where it does not
    already work, so a second run writes nothing) and list them for the table."""
    hubs = {hub["key"]: hub["name"] for hub in document["hubs"]}
    cohorts_of: dict[str, list[str]] = {}
    for cohort in document["cohorts"]:
        if cohort.get("facilitator"):
            cohorts_of.setdefault(cohort["facilitator"], []).append(cohort["name"])
    users = {user.key: user for user in User.objects.filter(key__in=_keys(document["users"]))}
    password = DemoPassword()
    logins = []
    for entry in document["users"]:
        user = users[entry["key"]]
        _give_demo_access(user, password, coordinator=_has_role(entry, Role.COORDINATOR))
        codes = demo_recovery_codes(user)
        for role in entry.get("roles", []):
            if role["role"] == Role.FACILITATOR and entry["key"] in cohorts_of:
                where = ", ".join(cohorts_of[entry["key"]])
            else:
                where = hubs.get(role.get("hub") or "", "National")
            logins.append(Login(Role(role["role"]).label, where, user.email, codes))
    return logins


def _keys(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["key"] for entry in entries]


def _has_role(entry: dict[str, Any], role: Role) -> bool:
    return any(assignment["role"] == role for assignment in entry.get("roles", []))


class DemoPassword:
    """The demo password, hashed once: every demo account gets the same hash, and each
    distinct stored hash is checked once, so a run costs one or two slow hash computations
    instead of two per account. (Identical hashes show that the passwords are the same,
    which is no secret here: the password is printed and documented.)"""

    def __init__(self) -> None:
        self._works: dict[str, bool] = {}
        self._encoded: str | None = None

    def works_for(self, user: User) -> bool:
        if user.password not in self._works:
            self._works[user.password] = check_password(DEMO_PASSWORD, user.password)
        return self._works[user.password]

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
        return self._encoded


def _give_demo_access(user: User, password: DemoPassword, *, coordinator: bool) -> None:
    changed = []
    if not password.works_for(user):
        user.password = password.encoded
        changed.append("password")
    # The coordinator runs the programme nationally and may use /admin.
    if coordinator and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        changed += ["is_staff", "is_superuser"]
    if changed:
        user.save(update_fields=changed)


DEMO_RECOVERY_CODES = 5  # per account: signing out and in again is no dead end


def demo_recovery_codes(user: User) -> list[str]:
    """Recovery codes so a reviewer can pass the second factor without a phone: the code
    page takes one in place of an authenticator app's code, and each works once. Each
    account keeps DEMO_RECOVERY_CODES unused ones: a later run of seed_demo prints the
    same codes while they are unused and tops up the used ones. (An authenticator app can
    be set up at /account/two-factor/set-up/ once signed in.)"""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Demo recovery code", defaults={"confirmed": True}
    )
    codes = list(device.token_set.order_by("pk").values_list("token", flat=True))
    missing = [StaticToken.random_token() for _ in range(DEMO_RECOVERY_CODES - len(codes))]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in missing)
    return codes + missing


def login_table(logins: list[Login]) -> str:
    rows = [("Role", "Hub or cohorts", "Email", "Password", "Recovery code")]
    rows += [
        (login.role, login.where, login.email, DEMO_PASSWORD, login.recovery_codes[0])
        for login in logins
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def more_codes(logins: list[Login]) -> str:
    """Each account's further recovery codes, once per account, after the table."""
    lines, shown = ["\nMore recovery codes:"], set()
    for login in logins:
        if login.email not in shown:
            shown.add(login.email)
            lines.append(f"  {login.email}  {' '.join(login.recovery_codes[1:])}")
    return "\n".join(lines)
