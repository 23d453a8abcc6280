"""The load generator's users (issue 24): run by `benchmarks/load.py` with locust,
headless, in its own virtualenv (`.venv-load`: locust's gevent stays out of the
application's processes). It imports nothing of the application: it is a client.

It reads the plan `load.py` writes (`LOAD_PLAN`, JSON: signed-in sessions for each
role, the pages' addresses, survey links and valid answers) and `LOAD_MODE`:

- `page:<name>`: every user asks for that one page again and again, without a pause:
  the server's capacity for it (compared side by side with `/health/`'s);
- `mix`: hub administrators, facilitators, participants and BEIS at once, each pausing
  between pages as a person reads (the plan's `think` seconds), in the plan's weights.

Sessions are kept by hand: the service's cookies are `Secure` (production settings) and
the benchmark speaks plain HTTP on 127.0.0.1, so a browser-like cookie jar would drop
them. Every response is checked (status, and where it goes after a form), so an error
page is counted as a failure, never as a fast success.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from locust import HttpUser, between, constant, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
MODE = os.environ.get("LOAD_MODE", "mix")
THINK = between(*PLAN["think"])
_numbers: defaultdict[str, itertools.count[int]] = defaultdict(itertools.count)


class FormFields(HTMLParser):
    """The fields of the page's form that posts back to it, with their values as shown:
    what a browser sends when the user presses the button without changing anything."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.select: str | None = None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.inside = a.get("action", "") in ("", self.action)
        elif not self.inside:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self.fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


class Person(HttpUser):
    """One person with their own session: requests carry the session's cookies by hand,
    and each response must have the expected status."""

    abstract = True
    role = ""

    def on_start(self) -> None:
        # The role's people in turn: the first is at the benchmark's hub.
        self.number = next(_numbers[self.role])
        people = PLAN["people"][self.role]
        if MODE.startswith("page:"):
            # Only the people who open that page (the API's each call one).
            people = [p for p in people if MODE.removeprefix("page:") in p["pages"]] or people
        self.person = people[self.number % len(people)]
        self.cookies: dict[str, str] = dict(self.person["cookies"])

    def request(self, method: str, url: str, name: str, expect: int = 200, **kwargs: Any) -> Any:
        with self.client.request(
            method,
            url,
            name=name,
            cookies=self.cookies,
            headers={**self.person.get("headers", {}), **kwargs.pop("headers", {})},
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            self.cookies.update(response.cookies.get_dict())
            self.client.cookies.clear()
            if response.status_code != expect:
                response.failure(f"{response.status_code}, expected {expect}")
            return response

    def page(self, name: str, index: int | None = None) -> Any:
        urls = self.person["pages"].get(name) or PLAN["pages"][name]["urls"]
        url = urls[(index or 0) % len(urls)]
        return self.request("GET", url, name)

    def post_form(self, name: str, url: str, answers: dict[str, Any] | None = None) -> None:
        """Open the form's page and post it back: as shown (a register saved unchanged),
        with `answers` in place of the fields they name."""
        shown = self.request("GET", url, name)
        if shown.status_code != 200:
            return
        self.wait()  # reading the form and filling it in
        form = FormFields(url)
        form.feed(shown.text)
        answers = answers or {}
        data = [(key, value) for key, value in form.fields if key not in answers]
        for key, value in answers.items():
            data += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
        self.request(
            "POST",
            url,
            f"{name} (saved)",
            expect=302,
            data=data,
            headers={"Referer": PLAN["host"] + url},
        )


if MODE.startswith("page:"):
    ONE_PAGE = MODE.removeprefix("page:")

    class OnePage(Person):
        """One page, no pause: the server's capacity for it."""

        wait_time = constant(0)
        role = PLAN["pages"][ONE_PAGE]["role"]

        @task
        def one(self) -> None:
            self.page(ONE_PAGE)

else:

    class HubAdministrator(Person):
        """All day in the hub's pages: the dashboard, the lists, a cohort, a participant,
        the month's return."""

        weight = PLAN["weights"]["hub_admin"]
        wait_time = THINK
        role = "hub_admin"

        @task(3)
        def dashboard(self) -> None:
            self.page("hub dashboard")

        @task(2)
        def registrations(self) -> None:
            self.page("registrations list")

        @task(2)
        def cohort(self) -> None:
            self.page("cohort page")

        @task(2)
        def participant(self) -> None:
            self.page("participant page", random.randrange(1000))

        @task(1)
        def monthly_return(self) -> None:
            self.page("return page")

    class Facilitator(Person):
        """Opens a session and takes its register (a write)."""

        weight = PLAN["weights"]["facilitator"]
        wait_time = THINK
        role = "facilitator"

        @task(1)
        def session(self) -> None:
            self.page("session page")

        @task(1)
        def register(self) -> None:
            self.post_form("register", self.person["pages"]["register"][0])

    class Participant(Person):
        """Opens their emailed survey link and answers the first page (a write)."""

        weight = PLAN["weights"]["participant"]
        wait_time = THINK
        role = "participant"

        @task
        def survey(self) -> None:
            links = PLAN["survey"]["links"]
            self.request("GET", links[self.number % len(links)], "survey link", expect=302)
            self.request("GET", PLAN["survey"]["start"], "survey start")
            self.wait()  # reading the start page
            self.post_form("survey page", PLAN["survey"]["page"], PLAN["survey"]["answers"])

    class Funder(Person):
        """BEIS and the national coordinator: the national pages and a download."""

        weight = PLAN["weights"]["national"]
        wait_time = THINK
        role = "national"

        @task(2)
        def national(self) -> None:
            self.page("national return")

        @task(2)
        def timeliness(self) -> None:
            self.page("national timeliness")

        @task(1)
        def download(self) -> None:
            self.page("national download")
