"""A business owner registers on the public form, in Chromium on a phone-sized screen, as a
GOV.UK service: the start page says who can take part before anything is asked; the
questions are answered with yes/no radios, two of them revealing a follow-up (the company
number, another local authority); the one wrong input (continuing with nothing answered)
links from the error summary to the first radio; check your answers shows every answer
with a "Change" link that goes back with the answers kept, and only "Accept and send"
records the registration. Every page is checked by axe, at 320 px and at 200% zoom, and
photographed to docs/screenshots/public-registration/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant
from tests.e2e.conftest import (
    REGISTERING,
    assert_error_summary,
    expect_text,
    fill_registration_details,
    greater_manchester,
    without_the_known_reveal_finding,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_business_owner_registers_through_every_step(journey):
    today = timezone.localdate()
    greater_manchester(today - dt.timedelta(days=60), today + dt.timedelta(days=300), **REGISTERING)
    run = journey("public-registration")
    phone = run.new_page(phone=True)

    # 1. The start page: who can take part and what it asks, before the one question.
    phone.goto("/p/register/gm/")
    expect_text(phone, "Who can take part")
    expect_text(phone, "at least 5 employees on PAYE")
    expect_text(phone, "at least 3.5 hours of one-to-one support")
    run.check(phone, "start page")
    phone.get_by_label("I have read the privacy notice").check()
    phone.get_by_role("button", name="Start now").click()

    # 2. The questions; continuing with none answered is the one wrong input.
    expect_text(phone, "Your details")
    run.check(phone, "questions")
    phone.get_by_role("button", name="Continue").click()
    assert_error_summary(
        phone,
        "Select yes if the business is registered with Companies House",
        "id_has_company_number_1",
    )
    expect_text(phone, "Select yes if you are a senior decision maker in the business")
    run.check(phone, "questions with errors")
    # Registered with Companies House, and trading somewhere else: each answer reveals
    # its follow-up.
    company_number, other = (
        phone.locator("#id_company_number"),
        phone.locator("#id_other_local_authority"),
    )
    expect(company_number).to_be_hidden()
    expect(other).to_be_hidden()
    fill_registration_details(phone, company_number="01234567", elsewhere="Leeds")
    expect(company_number).to_be_visible()
    expect(other).to_be_visible()
    run.check(phone, "questions answered with follow-ups revealed")
    phone.get_by_role("button", name="Continue").click()

    # 3. Check your answers: nothing written yet.
    expect_text(phone, "Check your answers before sending your registration")
    expect_text(phone, "Leeds")
    run.check(phone, "check your answers")
    assert not Participant.objects.filter(email="sam.owner@example.org").exists()

    # 4. "Change" goes back to the question with every answer kept, its follow-up open.
    phone.get_by_role("link", name="Change business name").click()
    expect(phone.get_by_label("Business name")).to_have_value("Maker One Ltd")
    expect(phone.locator("#id_company_number")).to_have_value("01234567")
    expect(phone.locator("#id_other_local_authority")).to_have_value("Leeds")
    expect(phone.locator("#id_senior_decision_maker_1")).to_be_checked()
    phone.get_by_label("Business name").fill("Maker One Limited")
    phone.get_by_role("button", name="Continue").click()
    expect_text(phone, "Maker One Limited")

    # 5. Accept and send: the registration, once, and its confirmation email.
    phone.get_by_role("button", name="Accept and send").click()
    expect_text(phone, "Registration received")
    run.check(phone, "registration received")
    sam = Participant.objects.select_related("business").get(email="sam.owner@example.org")
    assert sam.business.name == "Maker One Limited"
    assert (sam.business.company_number, sam.business.local_authority) == ("01234567", "Leeds")
    assert sam.senior_decision_maker and not sam.previous_year_participant
    assert [m.to for m in mail.outbox] == [["sam.owner@example.org"]]


def test_without_javascript_the_follow_ups_are_simply_shown(browser, live_server):
    today = timezone.localdate()
    greater_manchester(today - dt.timedelta(days=60), today + dt.timedelta(days=300), **REGISTERING)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/p/register/gm/")
        page.get_by_label("I have read the privacy notice").check()
        page.get_by_role("button", name="Start now").click()
        expect(page.locator("#id_company_number")).to_be_visible()
        expect(page.locator("#id_other_local_authority")).to_be_visible()
    finally:
        context.close()


def _finding(html: str, *summary: str) -> dict:
    failure = "Fix all of the following:\n" + "\n".join(f"  {line}" for line in summary)
    return {"id": "aria-allowed-attr", "nodes": [{"html": html, "failureSummary": failure}]}


def test_axe_lets_through_only_govuk_s_aria_expanded_on_a_revealing_radio():
    reveal = (
        '<input class="govuk-radios__input" type="radio" aria-controls="c1" aria-expanded="true">'
    )
    expanded = 'ARIA attribute is not allowed: aria-expanded="true"'
    assert without_the_known_reveal_finding([_finding(reveal, expanded)]) == []
    # Anything else stays a failure: another attribute, a radio that reveals nothing, a link.
    other = _finding(reveal, expanded, 'ARIA attribute is not allowed: aria-checked="true"')
    plain = _finding('<input type="radio" aria-expanded="true">', expanded)
    link = _finding('<a href="#" aria-controls="c1" aria-expanded="true">', expanded)
    assert without_the_known_reveal_finding([other, plain, link]) == [other, plain, link]
    colour = {"id": "color-contrast", "nodes": [{"html": reveal, "failureSummary": expanded}]}
    assert without_the_known_reveal_finding([colour]) == [colour]
