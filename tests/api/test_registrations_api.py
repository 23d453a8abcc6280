"""POST /api/v1/hubs/<hub>/registrations/ (docs/api.md "Writing registrations"): the
hub's registration form as JSON, with its rules and messages (C2 included), idempotent by
the client's key, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from api.models import ApiRegistration
from participants.models import Business, Participant
from peernet.models import AuditEvent
from tests.factories import Personas, make_api_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/hubs/hub-a/registrations/"


def details(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "acknowledged_on": "2021-05-02",
        "business_name": "Acme Widgets Ltd",
        "company_number": "01234567",
        "postcode": "m1 1aa",
        "local_authority": "Salford",
        "sector": "C",
        "trading_since": "2015-03-01",
        "employees": 20,
        "turnover": "£1,500,000",
        "balance_sheet_total": 600000,
        "exporter": True,
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "priya.crm@example.org",
        "phone": "0161 000 0000",
        "job_title": "Managing director",
        "senior_decision_maker": True,
        "aspiration_to_improve": True,
    }
    body.update(overrides)
    return body


def post(client, user, body, key: str = "crm-1001"):
    # A program sends no CSRF token: the API does not ask for one (the token is the proof).
    client = Client(enforce_csrf_checks=True)
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=make_api_token(user),
        HTTP_IDEMPOTENCY_KEY=key,
    )


def counts() -> tuple[int, int, int]:
    return Participant.objects.count(), Business.objects.count(), ApiRegistration.objects.count()


def test_a_registration_is_recorded_as_the_hubs(client, personas: Personas):
    answer = post(client, personas.hub_a_admin, details())
    assert answer.status_code == 201, answer.content
    person = Participant.objects.get(email="priya.crm@example.org")
    assert answer.json() == {
        "participant": str(person.code),
        "eligibility_status": "pending",
        "e9": None,
        "replayed": False,
    }
    assert person.hub == personas.hub_a
    assert person.privacy_notice_acknowledged == dt.date(2021, 5, 2)
    assert person.business.postcode == "M1 1AA" and person.business.employees == 20
    event = AuditEvent.objects.get(object_id=str(person.pk), action="create")
    assert event.actor == personas.hub_a_admin
    assert AuditEvent.objects.filter(object_type="api.call", action="create").count() == 1


def test_the_same_key_again_answers_the_same_and_writes_nothing(client, personas):
    first = post(client, personas.hub_a_admin, details())
    before = counts()
    again = post(client, personas.hub_a_admin, details())
    assert again.status_code == 201
    assert again.json() == {**first.json(), "replayed": True}
    assert counts() == before


def test_the_same_key_with_other_details_is_refused(client, personas):
    post(client, personas.hub_a_admin, details())
    before = counts()
    answer = post(client, personas.hub_a_admin, details(first_name="Someone"))
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(
        "Idempotency-Key: this key was used for another registration"
    )
    assert counts() == before


def test_the_forms_messages_by_field_and_nothing_written(client, personas):
    before = counts()
    answer = post(
        client,
        personas.hub_a_admin,
        details(first_name="", postcode="nowhere", employees="lots", trading_since="2015-02-30"),
    )
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors == {
        "postcode": ["Enter a real postcode, like SW1A 1AA"],
        "trading_since": ["The date the business started trading must be a real date"],
        "employees": ["Enter the number of employees as a whole number, like 12"],
        "first_name": ["Enter your first name"],
    }
    assert answer.json()["detail"].startswith("The registration was not recorded: ")
    assert counts() == before


def test_c2_the_privacy_notice_comes_first(client, personas):
    before = counts()
    answer = post(client, personas.hub_a_admin, details(acknowledged_on="2999-01-01"))
    assert answer.status_code == 400
    assert answer.json()["errors"] == {
        "acknowledged_on": [
            "The date they acknowledged the privacy notice must be today or in the past"
        ]
    }
    missing = post(client, personas.hub_a_admin, details(acknowledged_on=""), key="crm-2")
    assert missing.json()["errors"]["acknowledged_on"] == [
        "Enter the date they acknowledged the privacy notice as a day, month and year, "
        "like 27 3 2019"
    ]
    assert counts() == before


def test_another_hubs_administrator_and_beis_get_a_404(client, personas):
    before = counts()
    assert post(client, personas.hub_b_admin, details()).status_code == 404
    assert post(client, personas.funder, details()).status_code == 404
    assert counts() == before


def test_a_key_is_required(client, personas):
    answer = client.post(
        URL,
        details(),
        content_type="application/json",
        HTTP_AUTHORIZATION=make_api_token(personas.hub_a_admin),
    )
    assert answer.status_code == 422
    assert Participant.objects.filter(email="priya.crm@example.org").count() == 0
