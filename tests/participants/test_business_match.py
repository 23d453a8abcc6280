"""E9 without a company number: a second registration of a business is found by its
normalised name and postcode, in any hub; the hub confirms or dismisses the possible
match on the eligibility page, and E9 reads the decision."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from participants.models import Business, BusinessMatch, EligibilityStatus, Participant
from participants.services import normalised_business_name, participant_register
from rules import CHECKS, Outcome
from tests.factories import local

pytestmark = pytest.mark.django_db

AS_OF = local("2021-06-01T12:00")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("The Acme Widgets Ltd.", "acme widgets"),
        ("ACME WIDGETS LIMITED", "acme widgets"),
        ("Acme & Sons (UK) Ltd", "acme and sons"),
        ("Acme Widgets", "acme widgets"),
        ("Widgets of Acme", "widgets of acme"),
    ],
)
def test_the_names_as_e9_compares_them(written, normalised):
    assert normalised_business_name(written) == normalised


def register(hub, name: str, postcode: str, email: str, company_number: str = "") -> Participant:
    return participant_register(
        hub=hub,
        business_name=name,
        company_number=company_number,
        postcode=postcode,
        local_authority="Salford",
        sector="C",
        trading_since=dt.date(2015, 1, 1),
        employees=20,
        turnover=None,
        balance_sheet_total=None,
        exporter=None,
        scale_up_potential=None,
        first_name="Pat",
        last_name=email.split("@")[0].title(),
        email=email,
        senior_decision_maker=True,
        aspiration_to_improve=True,
        previous_year_participant=False,
        privacy_notice_acknowledged_on=dt.date(2021, 5, 3),
        registered_on=dt.date(2021, 5, 3),
    ).participant


@pytest.fixture
def twice(personas):
    """The same business registered with hub B, then with hub A, without its number."""
    first = register(personas.hub_b, "The Acme Widgets Ltd.", "M1 1AA", "first@example.org")
    second = register(personas.hub_a, "acme widgets limited", "m11aa", "second@example.org")
    return personas, first, second


def _e9(participant):
    fresh = Participant.objects.prefetch_related("business__participants", "business_matches")
    return CHECKS["E9"](fresh.get(pk=participant.pk), as_of=AS_OF)


def _eligibility(p, participant):
    return reverse("hub:eligibility", kwargs={"hub": "hub-a", "code": participant.code})


def test_a_second_registration_is_a_possible_match_and_e9_warns(twice):
    personas, first, second = twice
    (match,) = BusinessMatch.objects.all()
    assert (match.participant, match.business) == (second, first.business)
    assert second.business != first.business
    result = _e9(second)
    assert result.outcome == Outcome.WARN
    assert "may be a business already registered (the same name and postcode)" in result.sentence
    assert _e9(first).outcome == Outcome.PASS  # the first is judged with its own business


@pytest.mark.parametrize(
    ("name", "postcode"),
    [("Acme Gadgets Ltd", "M1 1AA"), ("Acme Widgets Ltd", "M1 1AB")],
    ids=["another-name", "another-postcode"],
)
def test_another_name_or_postcode_is_no_match(personas, name, postcode):
    register(personas.hub_b, "Acme Widgets Ltd", "M1 1AA", "first@example.org")
    second = register(personas.hub_a, name, postcode, "second@example.org")
    assert not BusinessMatch.objects.exists()
    assert _e9(second).outcome == Outcome.PASS


def test_the_hub_confirms_the_match_and_e9_judges_them_together(client, twice):
    personas, first, second = twice
    first.eligibility_status = EligibilityStatus.ELIGIBLE
    first.eligibility_decided = dt.date(2021, 5, 10)
    first.save(update_fields=["eligibility_status", "eligibility_decided"])
    own_business = second.business_id
    client.force_login(personas.hub_a_admin)
    page = client.get(_eligibility(personas, second)).content.decode()
    assert "Possibly the same business (E9)" in page
    assert first.email not in page and first.last_name not in page  # hub B's person
    (match,) = BusinessMatch.objects.all()
    response = client.post(
        _eligibility(personas, second),
        {"form": "match", "match-match": match.pk, "match-decision": "same"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    match.refresh_from_db()
    assert second.business_id == first.business_id
    assert (match.status, match.decided_by) == ("confirmed", personas.hub_a_admin)
    assert not Business.objects.filter(pk=own_business).exists()  # nobody's now
    result = _e9(second)
    assert result.outcome == Outcome.FAIL
    assert result.sentence.startswith("Someone registered with another hub from ")
    page = client.get(_eligibility(personas, second)).content.decode()
    assert "Possibly the same business" not in page


def test_the_hub_dismisses_the_match_and_e9_passes(client, twice):
    personas, first, second = twice
    client.force_login(personas.hub_a_admin)
    (match,) = BusinessMatch.objects.all()
    client.post(
        _eligibility(personas, second),
        {"form": "match", "match-match": match.pk, "match-decision": "different"},
    )
    match.refresh_from_db()
    assert match.status == "dismissed"
    assert _e9(second).outcome == Outcome.PASS
    # Decided once: the same decision posted again is refused with a clear message.
    again = client.post(
        _eligibility(personas, second),
        {"form": "match", "match-match": match.pk, "match-decision": "same"},
    )
    assert "This possible match has already been decided." in again.content.decode()
    second.refresh_from_db()
    assert second.business_id != first.business_id


def test_another_participants_match_is_refused_and_nothing_changes(client, twice):
    personas, first, second = twice
    third = register(personas.hub_a, "Acme Widgets", "M1 1AA", "third@example.org")
    theirs = BusinessMatch.objects.get(participant=third, business=first.business)
    client.force_login(personas.hub_a_admin)
    response = client.post(
        _eligibility(personas, second),
        {"form": "match", "match-match": theirs.pk, "match-decision": "same"},
    )
    text = re.sub(r"\s+", " ", response.content.decode())
    assert "That possible match is not this participant" in text
    theirs.refresh_from_db()
    assert theirs.status == "possible"
    second.refresh_from_db()
    assert second.business_id != first.business_id
