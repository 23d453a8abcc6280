"""The eligibility assessment: E1–E10 live with evidence, the decision, E6 and E8 exceptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from participants.models import EligibilityException, EligibilityOutcome, Participant
from tests.factories import make_business, make_eligible, make_participant
from tests.pages import HUB_OUTSIDERS

pytestmark = pytest.mark.django_db


def _url(participant, hub_key: str | None = None) -> str:
    return reverse(
        "hub:eligibility",
        kwargs={"hub": hub_key or participant.hub.key, "code": participant.code},
    )


@pytest.fixture
def pending(personas) -> Participant:
    return make_participant(personas.hub_a, personas.programme, first_name="Dana")


def _decide(client, participant, decision: str = "eligible", notes: str = "", **kwargs):
    return client.post(
        _url(participant, **kwargs),
        {"form": "decide", "decide-decision": decision, "decide-notes": notes},
    )


def test_page_shows_each_criterion_with_evidence(client, personas, pending):
    client.force_login(personas.hub_a_admin)
    response = client.get(_url(pending))
    assert response.status_code == 200
    content = response.content.decode()
    for rule in ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10"):
        assert f'id="rule-{rule}"' in content
    assert "Turnover: £1,500,000" in content
    assert "has a turnover of £1,500,000; at least £100,000 is needed." in content
    assert "(desirable)" in content
    assert "govuk-tag--green" in content


@pytest.mark.parametrize("role", HUB_OUTSIDERS)
def test_page_is_404_for_others(client, personas, pending, role):
    client.force_login(getattr(personas, role))
    assert client.get(_url(pending)).status_code == 404
    assert _decide(client, pending).status_code == 404
    pending.refresh_from_db()
    assert pending.eligibility_status == "pending"


def test_page_redirects_anonymous(client, pending):
    assert client.get(_url(pending)).status_code == 302


def test_decide_eligible(client, personas, pending):
    client.force_login(personas.hub_a_admin)
    response = _decide(client, pending, notes="All good")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.eligibility_status == "eligible"
    assert pending.eligibility_decided_by == personas.hub_a_admin
    assert EligibilityOutcome.objects.filter(participant=pending).count() == 11


def test_refusal_shows_the_sentence_and_changes_nothing(client, personas):
    low = make_participant(
        personas.hub_a, personas.programme, business=make_business(turnover=Decimal("50000"))
    )
    client.force_login(personas.hub_a_admin)
    response = _decide(client, low)
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "has a turnover of £50,000; at least £100,000 is needed. (E4)" in content
    low.refresh_from_db()
    assert low.eligibility_status == "pending"
    assert not EligibilityOutcome.objects.filter(participant=low).exists()


def test_ineligible_needs_reasons(client, personas, pending):
    client.force_login(personas.hub_a_admin)
    response = _decide(client, pending, decision="ineligible")
    assert "Enter the reasons the participant is not eligible" in response.content.decode()
    pending.refresh_from_db()
    assert pending.eligibility_status == "pending"
    assert _decide(client, pending, decision="ineligible", notes="Not an SME").status_code == 302
    pending.refresh_from_db()
    assert pending.eligibility_status == "ineligible"


def test_e9_refused_at_decision(client, personas):
    business = make_business(name="Shared Ltd")
    make_eligible(make_participant(personas.hub_a, personas.programme, business=business))
    second = make_participant(personas.hub_a, personas.programme, business=business)
    client.force_login(personas.hub_a_admin)
    content = _decide(client, second).content.decode()
    assert "only one person from a business takes part. (E9)" in content
    second.refresh_from_db()
    assert second.eligibility_status == "pending"


def _from_leeds(client, personas):
    """A participant whose business is in Leeds, outside hub A's LEP area (E6), and the
    hub's admin signed in to decide."""
    away = make_participant(
        personas.hub_a, personas.programme, business=make_business(local_authority="Leeds")
    )
    client.force_login(personas.hub_a_admin)
    return away


def test_e6_exception_then_eligible(client, personas):
    away = _from_leeds(client, personas)
    content = client.get(_url(away)).content.decode()
    assert "E6 exception" in content
    assert "recorded with who agreed and when. (E6)" in _decide(client, away).content.decode()

    response = client.post(
        _url(away),
        {
            "form": "e6",
            "e6-home_lep": "Ann Smith",
            "e6-other_lep": "Bob Jones (Leeds City Region LEP)",
            "e6-agreed_on_0": "10",
            "e6-agreed_on_1": "5",
            "e6-agreed_on_2": "2021",
            "e6-details": "",
        },
    )
    assert response.status_code == 302
    exception = EligibilityException.objects.get(participant=away, rule="E6")
    assert exception.agreed_by == "Ann Smith (HUB-A LEP) and Bob Jones (Leeds City Region LEP)"
    assert exception.agreed_on == dt.date(2021, 5, 10)
    assert exception.recorded_by == personas.hub_a_admin
    content = client.get(_url(away)).content.decode()
    assert "the exception is recorded" in content

    assert _decide(client, away).status_code == 302
    away.refresh_from_db()
    assert away.eligibility_status == "eligible"


def test_e6_exception_form_errors(client, personas):
    away = _from_leeds(client, personas)
    response = client.post(_url(away), {"form": "e6", "e6-home_lep": "Ann"})
    content = response.content.decode()
    assert "Enter who agreed for the other LEP, and which LEP" in content
    assert 'href="#id_e6-other_lep"' in content
    assert not EligibilityException.objects.filter(participant=away).exists()


def test_e8_exception_then_eligible(client, personas):
    returning = make_participant(personas.hub_a, personas.programme, previous_year_participant=True)
    client.force_login(personas.hub_a_admin)
    response = client.post(
        _url(returning),
        {
            "form": "e8",
            "e8-agreed_by": "Hub manager",
            "e8-agreed_on_0": "12",
            "e8-agreed_on_1": "5",
            "e8-agreed_on_2": "2021",
            "e8-details": "Dropped out last year through illness.",
        },
    )
    assert response.status_code == 302
    assert EligibilityException.objects.filter(participant=returning, rule="E8").exists()
    assert _decide(client, returning).status_code == 302
    returning.refresh_from_db()
    assert returning.eligibility_status == "eligible"


def test_post_with_another_hubs_participant_is_404(client, personas):
    client.force_login(personas.hub_a_admin)
    other = personas.participant_b
    response = _decide(client, other, hub_key="hub-a")
    assert response.status_code == 404
    response = client.post(
        _url(other, hub_key="hub-a"),
        {"form": "e8", "e8-agreed_by": "x", "e8-details": "y"},
    )
    assert response.status_code == 404
    assert not EligibilityException.objects.filter(participant=other).exists()


def test_unknown_form_is_404(client, personas, pending):
    client.force_login(personas.hub_a_admin)
    assert client.post(_url(pending), {"form": "delete"}).status_code == 404


def test_markup_is_escaped(client, personas):
    person = make_participant(
        personas.hub_a,
        personas.programme,
        first_name="<script>alert(1)</script>",
        business=make_business(name="<b>Bold</b> Ltd"),
    )
    client.force_login(personas.hub_a_admin)
    content = client.get(_url(person)).content.decode()
    assert "<script>alert(1)</script>" not in content and "<b>Bold</b>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- E3, E4: the Playbook's two flexibilities --------------------------------------------


def _flexibility(client, participant, rule: str, flexibility: str, details: str = "Why."):
    prefix = rule.lower()
    return client.post(
        _url(participant),
        {
            "form": prefix,
            f"{prefix}-flexibility": flexibility,
            f"{prefix}-agreed_by": "Hub manager",
            f"{prefix}-agreed_on_0": "12",
            f"{prefix}-agreed_on_1": "5",
            f"{prefix}-agreed_on_2": "2021",
            f"{prefix}-details": details,
        },
    )


def test_e3_and_e4_under_the_covid_flexibility_then_eligible_and_in_the_notes(client, personas):
    from reporting import kpi

    small = make_participant(
        personas.hub_a,
        personas.programme,
        business=make_business(employees=3, turnover=Decimal("80000")),
        registered=dt.date(2021, 5, 3),
    )
    client.force_login(personas.hub_a_admin)
    page = client.get(_url(small)).content.decode()
    assert "E3: the Playbook's flexibilities" in page
    assert "E4: the Playbook's flexibilities" in page
    refused = _decide(client, small)  # E3 and E4 fail: the page again, with why
    assert "E3: " in refused.content.decode() and "govuk-error-summary" in refused.content.decode()
    small.refresh_from_db()
    assert small.eligibility_status == "pending"

    # E4 offers the Covid-19 flexibility only: creative industries relax E3 alone.
    refused = _flexibility(client, small, "E4", "creative")
    assert "Choose the flexibility that applies" in refused.content.decode()
    assert not EligibilityException.objects.exists()
    # Why it applies is the evidence: it is asked for.
    refused = _flexibility(client, small, "E3", "covid", details="")
    assert "Enter why the flexibility applies" in refused.content.decode()

    pre_covid = "12 on PAYE and £240,000 turnover in 2019-20; orders are back."
    assert _flexibility(client, small, "E3", "covid", pre_covid).status_code == 302
    assert _flexibility(client, small, "E4", "covid", pre_covid).status_code == 302
    page = client.get(_url(small)).content.decode()
    assert "but admitted under the Covid-19 flexibility: Hub manager agreed on 12 May 2021." in page
    assert _decide(client, small).status_code == 302
    small.refresh_from_db()
    assert small.eligibility_status == "eligible"

    notes = kpi.compute_hub(personas.hub_a, small.eligibility_decided.replace(day=1))["breakdowns"][
        "eligibility_exceptions"
    ]
    assert notes == {"E3 covid": 1, "E3 creative": 0, "E4 covid": 1, "E6": 0, "E8": 0}


def test_e3_under_the_creative_industries_flexibility(client, personas):
    studio = make_participant(
        personas.hub_a, personas.programme, business=make_business(employees=2, sector="J")
    )
    client.force_login(personas.hub_a_admin)
    response = _flexibility(
        client, studio, "E3", "creative", "SIC 59111; four associate producers."
    )
    assert response.status_code == 302
    exception = EligibilityException.objects.get(participant=studio)
    assert (exception.rule, exception.flexibility) == ("E3", "creative")
    page = client.get(_url(studio)).content.decode()
    assert "admitted under the creative industries flexibility" in page
