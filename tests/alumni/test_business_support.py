"""Signposting and referrals (issue 19, 3): the exit survey ends by offering the business
support the hub offers (the national schemes to start with, and its own); a
participant's interest is a referral the hub follows up, counted by scheme."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from alumni import selectors, services
from alumni.links import support_link_issue
from alumni.models import Referral, ReferralStatus, SupportScheme
from participants.models import SurveyKind
from peernet.models import AuditEvent
from tests.factories import make_hub, make_referral
from tests.participants.test_survey_pages import NOW, answer_all, invite

pytestmark = pytest.mark.django_db

NATIONAL = ["Business Support Helpline", "Help to Grow: Digital", "Help to Grow: Management"]


def test_every_hub_starts_with_the_three_national_schemes_offered(db):
    hub = make_hub("fresh")
    schemes = selectors.hub_support_schemes(hub)
    assert sorted(s.title for s in schemes) == NATIONAL
    assert all(s.offered and s.national for s in schemes)
    assert not SupportScheme.objects.exists()  # shown, not written, until something needs them


def _finish_survey(client, personas, kind: str):
    answer_all(client, invite(personas, kind))
    return client.get(reverse("public:survey-done"))


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_the_exit_survey_ends_with_the_offer_and_no_other_survey_does(client, personas):
    done = _finish_survey(client, personas, SurveyKind.BASELINE)
    assert "See the business support on offer" not in done.text
    done = _finish_survey(client, personas, SurveyKind.EXIT)
    assert "See the business support on offer" in done.text
    (offer,) = [
        line for line in done.text.splitlines() if "See the business support on offer" in line
    ]
    url = offer.split('href="')[1].split('"')[0]
    assert url.startswith("/p/support/")
    landing = client.get(url)
    assert landing["Location"] == reverse("public:support")
    page = client.get(reverse("public:support"))
    assert page.status_code == 200
    for title in NATIONAL:
        assert title in page.text


def _open_support(client, participant) -> None:
    token = support_link_issue(participant=participant)
    client.get(reverse("public:support-link", kwargs={"token": token}))


def test_interest_becomes_a_referral_and_the_link_is_spent(client, personas):
    _open_support(client, personas.participant_a)
    refused = client.post(reverse("public:support"), {})
    assert refused.status_code == 400
    assert "Select the support you are interested in" in refused.text
    assert not Referral.objects.exists()
    sent = client.post(reverse("public:support"), {"schemes": ["help-to-grow-management"]})
    assert sent["Location"] == reverse("public:support-done")
    assert "Help to Grow: Management" in client.get(sent["Location"]).text
    referral = Referral.objects.select_related("scheme").get()
    assert (referral.participant, referral.hub, referral.scheme.title, referral.status) == (
        personas.participant_a,
        personas.hub_a,
        "Help to Grow: Management",
        ReferralStatus.NEW,
    )
    event = AuditEvent.objects.get(object_type="alumni.referral")
    assert event.actor is None and event.summary == (
        "Interested in Help to Grow: Management, through their link"
    )
    # The national schemes were written for the hub when first needed.
    assert SupportScheme.objects.filter(hub=personas.hub_a).count() == 3


def test_a_scheme_the_hub_stopped_offering_is_not_offered(client, personas):
    services.support_scheme_offer(
        hub=personas.hub_a, key="help-to-grow-digital", offered=False, by=personas.hub_a_admin
    )
    _open_support(client, personas.participant_a)
    page = client.get(reverse("public:support"))
    assert "Help to Grow: Digital" not in page.text
    tampered = client.post(reverse("public:support"), {"schemes": ["help-to-grow-digital"]})
    assert tampered.status_code == 400 and not Referral.objects.exists()


def test_a_local_scheme_is_offered_beside_the_national_ones(client, personas):
    services.support_scheme_add(
        hub=personas.hub_a,
        title="Manchester Export Club",
        blurb="Monthly meetings for exporters.",
        url="https://example.org/export",
        by=personas.hub_a_admin,
    )
    with pytest.raises(ValidationError, match="already offers a scheme called"):
        services.support_scheme_add(
            hub=personas.hub_a,
            title="manchester export club",
            blurb="Again.",
            url="https://example.org/export",
            by=personas.hub_a_admin,
        )
    assert selectors.hub_support_schemes(personas.hub_b)[0].title not in ("Manchester Export Club",)
    _open_support(client, personas.participant_a)
    assert "Manchester Export Club" in client.get(reverse("public:support")).text


def test_referral_counts_by_scheme_per_hub(personas):
    make_referral(personas.participant_a)
    make_referral(personas.participant_a, "business-support-helpline")
    a2 = make_referral(personas.participant_a2)
    make_referral(personas.participant_b)  # hub B's
    services.referral_status_set(referral=a2, status="contacted", by=personas.hub_a_admin)
    counts = {
        row.title: (row.counts, row.total) for row in selectors.referral_counts(personas.hub_a)
    }
    assert counts == {
        "Business Support Helpline": (
            {"new": 1, "contacted": 0, "referred": 0, "not_taken_up": 0},
            1,
        ),
        "Help to Grow: Management": (
            {"new": 1, "contacted": 1, "referred": 0, "not_taken_up": 0},
            2,
        ),
    }
    event = AuditEvent.objects.get(object_type="alumni.referral", action="update")
    assert event.actor == personas.hub_a_admin


def test_the_hub_follows_a_referral_up(client, personas):
    referral = make_referral(personas.participant_a)
    client.force_login(personas.hub_a_admin)
    url = reverse(
        "hub:referral",
        kwargs={"hub": "hub-a", "code": referral.participant.code, "scheme": referral.scheme.key},
    )
    refused = client.post(url, {"status": "lost"})
    assert refused.status_code == 400 and "Choose where the referral is now" in refused.text
    assert client.post(url, {"status": "referred"})["Location"] == reverse(
        "hub:referrals", kwargs={"hub": "hub-a"}
    )
    referral.refresh_from_db()
    assert referral.status == "referred" and referral.updated_by == personas.hub_a_admin
    listing = client.get(reverse("hub:referrals", kwargs={"hub": "hub-a"}))
    assert personas.participant_a.full_name in listing.text
    client.force_login(personas.hub_b_admin)
    assert client.get(url).status_code == 404
    client.force_login(personas.hub_a_admin)
    client.get(url)
    assert AuditEvent.objects.filter(  # who saw the person's referral
        action="view", actor=personas.hub_a_admin, object_id=str(referral.participant_id)
    ).exists()
