"""Load through the real server (issue 24): the service as the Procfile runs it (gunicorn
with its production settings, and a Celery worker, on Redis) on the benchmark's database,
driven by locust (`locustfile.py`, headless, in `.venv-load`).

Measured, each in the same run as `/health/` (the floor: the cheapest page that still
goes through every middleware, the database and a template):

- each page alone, by 10 clients without a pause: requests per second and latency, and
  the ratio to `/health/`'s requests per second (issue 24's "cheap pages");
- the realistic mix (hub administrators, facilitators saving registers, participants
  answering surveys through links, BEIS on the national pages and a download), each
  person pausing between pages, at 10, 50 and 100 concurrent users: throughput, the
  median, 95th and 99th percentile per page, and errors;
- the mix's capacity: the same people with no pause (closed loop), the requests per
  second where the service saturates.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parameters import (
    LOAD_MIX_SECONDS,
    LOAD_PAGE_CLIENTS,
    LOAD_PAGE_SECONDS,
    LOAD_USERS,
    LOAD_WEIGHTS,
    MONTH,
    PAGE_HUB,
    ROOT,
    THINK_SECONDS,
)

from tests.processes import free_port, procfile, wait_for_port

LOCUST = ROOT / ".venv-load" / "bin" / "locust"
# The pages measured alone, side by side with /health/ (issue 24, item 3), which is
# measured again after them.
HEALTH, HEALTH_AGAIN = "health", "health (again)"
RAMP_SECONDS = 5
PAGES_ALONE = (
    HEALTH,
    "hub dashboard",
    "registrations list",
    "cohort page",
    "participant page",
    "return page",
    "session page",
    "national return",
    "national timeliness",
    "api: national return",
    "api: hub participants",
)


@contextlib.contextmanager
def redis(tmp: Path) -> Iterator[str]:
    """A throw-away Redis (the broker and the cache, as in production)."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(process, port, tmp / "redis.log")
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def service(tmp: Path) -> Iterator[str]:
    """The Procfile's web and worker processes under honcho, as `scripts/serve` starts
    them (the release step is done: the database is migrated, the static files built)."""
    with redis(tmp) as redis_url:
        port = free_port()
        log = tmp / "service.log"
        env = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "CELERY_BROKER_URL": f"{redis_url}/0",
            "CACHE_URL": f"{redis_url}/1",
            # The API's limit per token is for people's programs; the benchmark's clients
            # share one token per page.
            "API_RATE_LIMIT_PER_MINUTE": "1000000",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "PYTHONUNBUFFERED": "1",
        }
        with procfile(env, log, "web", "worker") as process:
            wait_for_port(process, port, log)
            yield f"http://127.0.0.1:{port}"


def make_plan(host: str) -> dict[str, Any]:
    """Who the load generator's people are: a signed-in session each (several per role,
    spread over every hub), the pages they open, and survey links with valid answers."""
    from bench import signed_in
    from django.test import Client
    from django.urls import reverse

    from api.tokens import api_token_create
    from cohorts.models import Cohort
    from participants.models import Participant, SurveyKind
    from participants.surveys import links, services
    from peernet.models import Hub, RoleAssignment, User
    from reporting import exports
    from sessions.models import GroupSession

    month = f"{MONTH:%Y-%m}"

    def session_cookies(user: Any) -> dict[str, str]:
        client = Client()
        signed_in(client, user)
        return {name: morsel.value for name, morsel in client.cookies.items()}

    people: dict[str, list[dict[str, Any]]] = {
        "hub_admin": [],
        "facilitator": [],
        "national": [],
        "participant": [],
    }
    hubs = list(Hub.objects.order_by("key"))
    # The benchmark's hub first: a run of 10 clients on one page starts there.
    hubs.sort(key=lambda hub: hub.key != PAGE_HUB)
    for i in range(LOAD_USERS[-1]):
        hub = hubs[i % len(hubs)]
        admin = User.objects.get(email=f"admin@{hub.key}.example.org")
        cohort = Cohort.objects.get(key=f"{hub.key}-c1")
        participants = Participant.objects.filter(hub=hub).order_by("pk")[:50]
        people["hub_admin"].append(
            {
                "cookies": session_cookies(admin),
                "pages": {
                    "hub dashboard": [reverse("hub:home", kwargs={"hub": hub.key})],
                    "registrations list": [reverse("hub:registrations", kwargs={"hub": hub.key})],
                    "cohort page": [
                        reverse("hub:cohort", kwargs={"hub": hub.key, "code": cohort.code})
                    ],
                    "participant page": [
                        reverse("hub:participant", kwargs={"hub": hub.key, "code": p.code})
                        for p in participants
                    ],
                    "return page": [reverse("hub:return", kwargs={"hub": hub.key, "month": month})],
                },
            }
        )
        # A facilitator of one of the hub's cohorts, at the register of its last session
        # of the month (a register saved again, as after a correction).
        assignments = list(
            RoleAssignment.objects.filter(hub=hub, role="facilitator", cohort__isnull=False)
            .select_related("user", "cohort")
            .order_by("pk")[:3]
        )
        assignment = assignments[i // len(hubs) % len(assignments)]
        session = (
            GroupSession.objects.filter(
                cohort=assignment.cohort, status="delivered", starts_at__date__lte=MONTH
            )
            .order_by("-starts_at")
            .first()
        ) or GroupSession.objects.filter(cohort=assignment.cohort).order_by("starts_at").first()
        kwargs = {"hub": hub.key, "code": session.code}
        people["facilitator"].append(
            {
                "cookies": session_cookies(assignment.user),
                "pages": {
                    "session page": [reverse("facilitation:session", kwargs=kwargs)],
                    "register": [reverse("facilitation:attendance", kwargs=kwargs)],
                },
            }
        )

    beis = User.objects.get(email="beis@scale.example.org")
    # Issue 20: the data API as BEIS's analysts and a hub's CRM call it, with a token.
    admin = User.objects.get(email=f"admin@{PAGE_HUB}.example.org")
    people["api"] = [
        {
            "cookies": {},
            "headers": {"Authorization": f"Bearer {api_token_create(user=user, name=name)[1]}"},
            "pages": {page: [url]},
        }
        for user, name, page, url in [
            (
                beis,
                "Benchmark: BEIS",
                "api: national return",
                reverse("api:returns") + f"?month={month}&scope=national",
            ),
            (
                admin,
                "Benchmark: hub CRM",
                "api: hub participants",
                reverse("api:participants", kwargs={"hub": PAGE_HUB}),
            ),
        ]
    ]
    params = {"area": "national", "key": "", "month": month}
    export = exports.export_request(user=beis, kind=exports.ReturnXlsx.identifier, params=params)
    exports.export_run(export.pk)
    for _ in range(LOAD_USERS[-1]):
        people["national"].append(
            {
                "cookies": session_cookies(beis),
                "pages": {
                    "national return": [reverse("national:home") + f"?month={month}"],
                    "national timeliness": [reverse("national:timeliness")],
                    "national download": [
                        reverse("national:export-download", kwargs={"pk": export.pk})
                    ],
                },
            }
        )

    # Participants of running cohorts, each with an exit survey to answer (S3).
    members = Participant.objects.filter(
        dropped_out_on__isnull=True, memberships__isnull=False
    ).order_by("pk")[: LOAD_USERS[-1]]
    now = dt.datetime.now(dt.UTC)
    invitations = [
        services.survey_invite(participant=participant, kind=SurveyKind.EXIT, now=now)
        for participant in members
    ]
    survey_links = [
        reverse("public:survey-link", kwargs={"token": links.survey_token(invitation)})
        for invitation in invitations
        if invitation is not None
    ]
    assert survey_links, "no participant to answer a survey"
    people["participant"] = [{"cookies": {}, "pages": {}}]
    return {
        "host": host,
        "think": THINK_SECONDS,
        "weights": LOAD_WEIGHTS,
        "people": people,
        "pages": {"health": {"role": "national", "urls": [reverse("health")]}}
        | {name: {"role": role} for role, pages in _page_roles(people) for name in pages},
        "survey": {
            "links": survey_links,
            "start": reverse("public:survey"),
            "page": reverse("public:survey-page", kwargs={"number": 1}),
            "answers": first_page_answers(next(i for i in invitations if i is not None)),
        },
    }


def _page_roles(people: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, list[str]]]:
    for role, persons in people.items():
        yield role, sorted({name for person in persons for name in person["pages"]})


def first_page_answers(invitation: Any) -> dict[str, Any]:
    """Valid answers to the survey's first page, checked with the page's own form."""
    from participants import surveys
    from participants.survey_forms import SurveyPageForm

    questions = surveys.instrument_pages(invitation.instrument)[0].questions
    answers: dict[str, Any] = {}
    for question in questions:
        kind = question["type"]
        if kind == "yes_no":
            answers[question["key"]] = "yes"
        elif kind in ("scale", "choice", "multi_choice"):
            form = SurveyPageForm(questions=[question], saved={})
            value = str(form.fields[question["key"]].choices[-1][0])
            answers[question["key"]] = [value] if kind == "multi_choice" else value
        elif kind in ("number", "money"):
            answers[question["key"]] = "12"
        else:
            answers[question["key"]] = "Planning the next quarter with the team."
    form = SurveyPageForm(answers, questions=questions, saved={})
    assert form.is_valid(), form.errors
    return answers


def locust(
    plan_path: Path, tmp: Path, mode: str, users: int, seconds: int, host: str
) -> dict[str, Any]:
    """One headless locust run; its statistics per page (locust's own CSV)."""
    prefix = tmp / f"locust-{mode.replace(':', '-').replace(' ', '-')}-{users}"
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_MODE": mode}
    command = [str(LOCUST), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"]
    # People arrive over RAMP_SECONDS (not all in the same instant), and the statistics
    # start once they are all there.
    rate = max(1.0, users / RAMP_SECONDS)
    command += ["-u", str(users), "-r", f"{rate:g}", "-t", f"{seconds + RAMP_SECONDS}s"]
    command += ["--reset-stats", "--host", host, "--csv", str(prefix)]
    command += ["--only-summary", "--loglevel", "WARNING"]
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 120
    )
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics:\n{completed.stderr[-3000:]}")
    pages: dict[str, Any] = {}
    with stats_file.open() as rows:
        for row in csv.DictReader(rows):
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "median": float(row["50%"]) / 1000,
                "p95": float(row["95%"]) / 1000,
                "p99": float(row["99%"]) / 1000,
            }
    failures_file = Path(f"{prefix}_failures.csv")
    failures = list(csv.DictReader(failures_file.open())) if failures_file.exists() else []
    return {
        "mode": mode,
        "users": users,
        "seconds": seconds,
        "pages": pages,
        "failures": [
            {"page": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])}
            for f in failures
        ],
        "load_average": os.getloadavg(),
    }


def measure_load(result: dict[str, Any], say: Any) -> None:
    """Every load measure into `result["load"]` (saved as each one ends)."""
    load: dict[str, Any] = {"started": dt.datetime.now(dt.UTC).isoformat(), "alone": {}}
    result["load"] = load
    load["load_before"] = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="peernet-load-") as directory:
        tmp = Path(directory)
        with service(tmp) as host:
            plan = make_plan(host)
            plan_path = tmp / "plan.json"
            plan_path.write_text(json.dumps(plan))
            load["think"] = THINK_SECONDS
            load["weights"] = LOAD_WEIGHTS
            # Every worker warmed (imports, templates, connections) by the mix, unmeasured.
            say("load: warming up", result)
            warm = {**plan, "think": [0, 0]}
            (tmp / "warm.json").write_text(json.dumps(warm))
            locust(tmp / "warm.json", tmp, "mix", LOAD_PAGE_CLIENTS, LOAD_PAGE_SECONDS, host)
            # /health/ first and last: the ratios use the mean of the two.
            for page in (*PAGES_ALONE, HEALTH_AGAIN):
                say(f"load: {page} alone, {LOAD_PAGE_CLIENTS} clients", result)
                mode = f"page:{HEALTH if page == HEALTH_AGAIN else page}"
                run = locust(plan_path, tmp, mode, LOAD_PAGE_CLIENTS, LOAD_PAGE_SECONDS, host)
                load["alone"][page] = run
            for users in LOAD_USERS:
                say(f"load: the mix, {users} users", result)
                load[f"mix {users}"] = locust(plan_path, tmp, "mix", users, LOAD_MIX_SECONDS, host)
            say("load: the mix without pauses (capacity)", result)
            load["capacity"] = locust(
                tmp / "warm.json", tmp, "mix", LOAD_PAGE_CLIENTS, LOAD_PAGE_SECONDS, host
            )
            load["service_log_errors"] = [
                line
                for line in (tmp / "service.log").read_text(errors="replace").splitlines()
                if '"level": "ERROR"' in line or "Traceback" in line
            ][:20]
    load["load_after"] = os.getloadavg()
    load["finished"] = dt.datetime.now(dt.UTC).isoformat()
