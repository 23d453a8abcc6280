"""The whole hub administration journey in the browser (Django's test client): from an
empty hub, businesses register on the public form; the hub administrator finds them,
decides their eligibility, sends the Participant Charter, which they sign; a cohort is
created, 11 are allocated from its waiting list and its 18 hours are scheduled.

Every page after the first is reached by following a link or a form read from the page
before it (not `reverse()`), so a missing link between pages fails here. Each rule that
stops the administrator shows its sentence on the page (E4, E6, C1, K1).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from cohorts.models import Cohort, CohortMembership
from participants.models import EligibilityStatus, Participant
from peernet.models import Role, RoleAssignment
from sessions.models import GroupSession
from tests.factories import (
    LONDON,
    date_fields,
    local,
    make_hub,
    make_programme,
    make_user,
    schedule_form,
)

pytestmark = pytest.mark.django_db

NOW = local("2021-09-01T09:00")
PRIVACY_NOTICE = "https://gm.example.org/privacy"
E4_SENTENCE = "Pennywise Crafts Ltd has a turnover of £50,000; at least £100,000 is needed."


# --- reading pages ------------------------------------------------------------------------


class _Page(HTMLParser):
    """The links (href, text) and forms (action, method, named fields) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.forms: list[dict] = []
        self._link: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in values:
            self._link = [values["href"], ""]
        elif tag == "form":
            self.forms.append(
                {
                    "action": values.get("action", ""),
                    "method": values.get("method", "get").lower(),
                    "fields": {},
                    "names": set(),
                }
            )
        elif tag in ("input", "button", "select", "textarea") and self.forms and values.get("name"):
            self.forms[-1]["names"].add(values["name"])
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            self.forms[-1]["fields"].setdefault(values["name"], values.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None


def _page(response) -> _Page:
    assert response.status_code == 200, response.status_code
    parser = _Page()
    parser.feed(response.content.decode())
    return parser


def _text(response) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _link(response, text: str) -> str:
    """The href of the one link whose text starts with `text`."""
    hrefs = {href for href, label in _page(response).links if label.startswith(text)}
    assert len(hrefs) == 1, f"{len(hrefs)} links start with {text!r}"
    return hrefs.pop()


def _form(response, has: str) -> dict:
    """The first form with a field named `has`, its action resolved against the page."""
    for form in _page(response).forms:
        if any(name.startswith(has) for name in form["names"]):
            form["action"] = form["action"] or response.wsgi_request.path
            return form
    raise AssertionError(f"No form with a field {has!r} on {response.wsgi_request.path}")


def _follow(client: Client, response):
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"])


# --- the businesses -------------------------------------------------------------------------

BUSINESSES = [
    (f"Maker {n} Ltd", "Salford" if n % 2 else "Manchester", "1500000") for n in range(1, 12)
]
BUSINESSES += [
    ("Edge Engineering Ltd", "Stockport", "900000"),  # outside the hub's area: E6
    ("Pennywise Crafts Ltd", "Salford", "50000"),  # too small: E4
]


def _details(n: int, business: str, area: str, turnover: str) -> dict[str, str]:
    in_area = area in ("Salford", "Manchester")
    return {
        "business_name": business,
        "company_number": f"{n:08d}",
        "postcode": "M1 1AA",
        "local_authority": area if in_area else "elsewhere",
        "other_local_authority": "" if in_area else area,
        "sector": "C" if n % 3 else "J",
        "trading_since_0": "1",
        "trading_since_1": "3",
        "trading_since_2": str(2010 + n % 8),
        "employees": str(10 + n),
        "turnover": turnover,
        "balance_sheet_total": "600000",
        "first_name": "Sam",
        "last_name": f"Owner{n:02d}",
        "email": f"owner{n}@example.org",
        "phone": "0161 000 0000",
        "job_title": "Managing director",
        "has_company_number": "yes",
        "exporter": "yes" if n % 2 else "no",
        "scale_up_potential": "no",
        "senior_decision_maker": "yes",
        "aspiration_to_improve": "yes",
        "previous_year_participant": "no",
        "website": "",  # the honeypot, left empty as a person would
    }


def _register(public_url: str, n: int, business: str, area: str, turnover: str) -> None:
    """One business through the public form, from its own address (the rate limit)."""
    browser = Client(REMOTE_ADDR=f"192.0.2.{n}")
    notice = browser.get(public_url)
    assert PRIVACY_NOTICE in notice.content.decode()
    form = _form(notice, "acknowledged")
    details = _follow(browser, browser.post(form["action"], {"acknowledged": "on"}))
    assert 'name="business_name"' in details.content.decode()
    form = _form(details, "business_name")
    check = _follow(browser, browser.post(form["action"], _details(n, business, area, turnover)))
    assert "Check your answers" in check.content.decode()
    assert business in check.content.decode()
    (send,) = [f for f in _page(check).forms if not f["action"] or "/check/" in f["action"]]
    done = _follow(browser, browser.post(send["action"] or check.wsgi_request.path))
    assert "Registration received" in done.content.decode()


def _sign_charter(email: str, mailoutbox) -> None:
    """The participant opens the emailed link and signs, in their own browser."""
    message = [m for m in mailoutbox if m.to == [email]][-1]
    link = re.search(r"http://testserver(/p/charter/\S+/)", message.body)
    assert link is not None, message.body
    browser = Client()
    page = _follow(browser, browser.get(link.group(1)))
    assert "Participant Charter" in page.content.decode()
    form = _form(page, "agree")
    signed = _follow(browser, browser.post(form["action"], {"agree": "on"}))
    assert "Greater Manchester Growth Hub" in signed.content.decode()


def _send_charter(admin: Client, charter_page) -> None:
    (action,) = [
        f["action"] for f in _page(charter_page).forms if f["action"].endswith("/charter/send/")
    ]
    sent = _follow(admin, admin.post(action))
    assert "The Participant Charter was sent to" in sent.content.decode()


# --- the journey ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_hub_takes_businesses_from_registration_to_a_scheduled_cohort_of_11(mailoutbox):
    cache.clear()  # the registration rate limit
    programme = make_programme()
    hub = make_hub(
        "gm",
        name="Greater Manchester Growth Hub",
        lep="Greater Manchester LEP",
        local_authorities=["Manchester", "Salford"],
        privacy_notice_url=PRIVACY_NOTICE,
    )
    hub_admin = make_user(Role.HUB_ADMIN, hub=hub)
    facilitator = make_user(Role.FACILITATOR, hub=hub, name="Fran Facilitator")
    admin = Client()
    admin.force_login(hub_admin)

    # The dashboard is the administrator's start page; the public form's address is on
    # the registrations list.
    dashboard = admin.get(reverse("hub:home", kwargs={"hub": "gm"}))
    registrations_url = _link(dashboard, "Registrations")
    registrations = admin.get(registrations_url)
    assert "No registrations yet." in registrations.content.decode()
    public_url = _link(registrations, "http://testserver/p/register/gm/")

    # 1. Thirteen businesses register on the public form.
    for n, (business, area, turnover) in enumerate(BUSINESSES, start=1):
        _register(public_url, n, business, area, turnover)
    assert len(mailoutbox) == len(BUSINESSES)  # each had a confirmation email
    assert Participant.objects.filter(hub=hub, programme=programme).count() == 13

    # 2. The administrator finds them on the registrations list and opens each from it.
    registrations = admin.get(registrations_url)
    assert "13 registrations" in _text(registrations)
    names = {label: href for href, label in _page(registrations).links if "Owner" in label}
    assert len(names) == 13

    def open_participant(n: int):
        page = admin.get(names[f"Sam Owner{n:02d}"])
        assert BUSINESSES[n - 1][0] in page.content.decode()
        return page

    def assess(n: int):
        return admin.get(_link(open_participant(n), "Assess eligibility"))

    def decide(page, decision: str, notes: str = ""):
        form = _form(page, "decide-decision")
        data = {**form["fields"], "decide-decision": decision, "decide-notes": notes}
        return admin.post(form["action"], data)

    # 3a. Pennywise Crafts is refused: E4's sentence is on the page, and nothing changes.
    pennywise = assess(13)
    assert E4_SENTENCE in _text(pennywise)
    refused = decide(pennywise, "eligible")
    assert refused.status_code == 200
    assert f"{E4_SENTENCE} (E4)" in _text(refused)
    assert Participant.objects.get(last_name="Owner13").eligibility_status == "pending"
    decided = _follow(admin, decide(refused, "ineligible", "Turnover below £100,000 (E4)."))
    assert "Sam Owner13 is ineligible." in _text(decided)
    assert _link(decided, "Assess eligibility")  # the participant page again

    # 3b. Edge Engineering trades outside the area: E6 fails until both LEPs agree.
    edge = assess(12)
    e6_fail = (
        "Stockport is outside the Greater Manchester LEP area; an exception needs the "
        "formal agreement of both LEPs"
    )
    assert e6_fail in _text(edge)
    refused = decide(edge, "eligible")
    assert refused.status_code == 200
    assert f"{e6_fail}, recorded with who agreed and when. (E6)" in _text(refused)
    form = _form(refused, "e6-home_lep")
    recorded = _follow(
        admin,
        admin.post(
            form["action"],
            {
                **form["fields"],
                "e6-home_lep": "Jo Lee",
                "e6-other_lep": "Kim Day, Stockport LEP",
                **date_fields("e6-agreed_on", "25", "8", "2021"),
                "e6-details": "Agreed by email.",
            },
        ),
    )
    assert "The E6 exception is recorded." in _text(recorded)
    assert "Stockport is outside the Greater Manchester LEP area, and the exception is " in (
        _text(recorded)
    )
    participant_page = _follow(admin, decide(recorded, "eligible"))
    assert "Sam Owner12 is eligible." in _text(participant_page)

    # 3c. The other eleven are eligible; each is sent the charter from its page and signs.
    for n in range(1, 12):
        assessment = assess(n)
        participant_page = _follow(admin, decide(assessment, "eligible"))
        assert f"Sam Owner{n:02d} is eligible." in _text(participant_page)
        assert "cannot be allocated to a cohort until it is signed (C1)" in _text(participant_page)
        if n == 11:
            continue  # this one's charter is sent from the cohort's waiting list below
        charter = admin.get(_link(participant_page, "Send the Participant Charter"))
        assert "must sign the Participant Charter before being allocated" in _text(charter)
        _send_charter(admin, charter)
        _sign_charter(f"owner{n}@example.org", mailoutbox)
        charter = admin.get(charter.wsgi_request.path)
        assert "Signed" in _text(charter)
        assert _link(charter, "Back to Sam Owner")  # back to the participant page
    # Edge Engineering's charter, too.
    charter = admin.get(_link(open_participant(12), "Send the Participant Charter"))
    _send_charter(admin, charter)
    _sign_charter("owner12@example.org", mailoutbox)

    # 4. A cohort with the facilitator, created from the cohorts page.
    cohorts = admin.get(_link(admin.get(reverse("hub:home", kwargs={"hub": "gm"})), "Cohorts"))
    assert "has no cohorts yet" in _text(cohorts)
    form = _form(cohorts, "name")
    cohort_page = _follow(
        admin,
        admin.post(
            form["action"],
            {
                "name": "Salford autumn",
                "facilitator": str(facilitator.pk),
                "delivery_partner": "",
                **date_fields("planned_start", "5", "10", "2021"),
            },
        ),
    )
    cohort_url = cohort_page.wsgi_request.path
    cohort = Cohort.objects.get(hub=hub, name="Salford autumn")
    assert RoleAssignment.objects.filter(
        user=facilitator, role=Role.FACILITATOR, cohort=cohort
    ).exists()

    # The waiting list explains who cannot be allocated yet, and links to the fix: Sam
    # Owner11 has not signed the charter (C1).
    text = _text(cohort_page)
    assert "Not signed Cannot be allocated until the charter is signed (C1)." in text
    charter = admin.get(_link(cohort_page, "Send the Participant Charter"))
    assert "Sam Owner11" in _text(charter)
    _send_charter(admin, charter)
    _sign_charter("owner11@example.org", mailoutbox)
    cohort_page = admin.get(cohort_url)

    # 5. Allocate eleven from the waiting list; the twelfth is refused by K1.
    allocate = [form for form in _page(cohort_page).forms if form["action"].endswith("/allocate/")]
    assert len(allocate) == 12
    for form in allocate[:11]:
        allocated = _follow(admin, admin.post(form["action"], form["fields"]))
        assert " allocated to Salford autumn." in _text(allocated)
    assert "Salford autumn is full" in _text(allocated)
    assert "Salford autumn has 11 participants, the target of 11. (K1)" in _text(allocated)
    assert not [f for f in _page(allocated).forms if f["action"].endswith("/allocate/")]
    # The twelfth, from the page as it was before the cohort filled (another tab, say).
    refused = admin.post(allocate[11]["action"], allocate[11]["fields"])
    assert refused.status_code == 200
    assert "Salford autumn has 12 participants; a cohort has at most 11." in _text(refused)
    assert CohortMembership.objects.filter(cohort=cohort, left__isnull=True).count() == 11

    # 6. Plan the sessions: fortnightly, 3 hours each, 18 hours, then confirm.
    planner = admin.get(_link(admin.get(cohort_url), "Plan the sessions"))
    form = _form(planner, "cadence_weeks")
    plan = {**form["fields"], **schedule_form(**date_fields("first_day", "5", "10", "2021"))}
    plan.pop("confirm", None)
    preview = admin.post(form["action"], {**plan, "preview": ""})
    text = _text(preview)
    assert "18.0 hours in all" in text
    for day in ("Tuesday 5 October 2021", "Tuesday 14 December 2021"):
        assert day in text
    assert "Schedule all 6 sessions" in text
    confirmed = _follow(admin, admin.post(form["action"], {**plan, "confirm": ""}))
    assert "6 sessions of Salford autumn scheduled." in _text(confirmed)

    # 7. What is stored.
    members = CohortMembership.objects.filter(cohort=cohort, left__isnull=True)
    assert members.count() == 11
    sessions = GroupSession.objects.filter(cohort=cohort).order_by("starts_at")
    assert sessions.count() == 6
    assert sessions.aggregate(total=Sum("hours"))["total"] == Decimal("18")
    days = [s.starts_at.astimezone(LONDON).date() for s in sessions]
    assert all(programme.delivery_start <= day <= programme.delivery_end for day in days)
    assert days == [dt.date(2021, 10, 5) + dt.timedelta(weeks=2 * i) for i in range(6)]
    eligible = Participant.objects.filter(hub=hub, eligibility_status=EligibilityStatus.ELIGIBLE)
    assert eligible.count() == 12
    assert not eligible.filter(charter_signed_at__isnull=True).exists()
    assert Participant.objects.get(last_name="Owner13").eligibility_status == "ineligible"

    # The dashboard counts the cohort and its members, and links to it via the cohorts.
    dashboard = admin.get(reverse("hub:home", kwargs={"hub": "gm"}))
    html = dashboard.content.decode()
    # Counts of people link to the registrations they count.
    assert re.search(r'data-count="allocated"><a class="govuk-link" href="[^"]+">11<', html)
    assert re.search(r'data-count="eligible"><a class="govuk-link" href="[^"]+">12<', html)
    forming = re.search(r'data-count="forming">\s*(\d+)<', html)
    running = re.search(r'data-count="running">\s*(\d+)<', html)
    assert int(forming.group(1)) + int(running.group(1)) == 1
    cohorts = admin.get(_link(dashboard, "Cohorts"))
    assert _link(cohorts, "Salford autumn") == cohort_url
