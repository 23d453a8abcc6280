"""The published JSON Schema of the scenario format: valid, closed, and in step with the
models' vocabularies, lengths and seeded topics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models
from jsonschema import Draft202012Validator

from cohorts.models import Cohort
from participants.models import (
    AgeBand,
    Business,
    Disability,
    EligibilityException,
    EthnicGroup,
    Gender,
    Participant,
    Sector,
    SurveyKind,
)
from peernet.models import Cluster, DeliveryPartner, Hub, Programme, Role, User
from reporting.scenario import SCHEMA
from reporting.scenario.exporter import RULES
from sessions.models import GroupSession, OneToOneRoute, OneToOneSession, SessionStatus, Topic

PROPERTIES = SCHEMA["properties"]


def items(section: str) -> dict[str, Any]:
    return PROPERTIES[section]["items"]["properties"]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def objects(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object schema inside `schema`."""
    if isinstance(schema, dict):
        if "properties" in schema:
            yield schema
        for value in schema.values():
            yield from objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from objects(value)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_object_is_closed_so_an_unknown_field_is_an_error():
    closed = list(objects(SCHEMA))

    assert len(closed) > 20
    assert [o for o in closed if o.get("additionalProperties") is not False] == []


SESSION = items("cohorts")["sessions"]["items"]["properties"]
EQUALITY = items("participants")["equality"]["properties"]


@pytest.mark.parametrize(
    ("schema", "choices"),
    [
        (items("users")["roles"]["items"]["properties"]["role"], Role.values),
        (SESSION["status"], SessionStatus.values),
        (items("one_to_ones")["status"], SessionStatus.values),
        (items("one_to_ones")["route"], OneToOneRoute.values),
        (items("surveys")["kind"], SurveyKind.values),
        (items("businesses")["sector"], [*Sector.values, None]),
        (EQUALITY["gender"], [*Gender.values, None]),
        (EQUALITY["ethnic_group"], [*EthnicGroup.values, None]),
        (EQUALITY["age_band"], [*AgeBand.values, None]),
        (EQUALITY["disability"], [*Disability.values, None]),
        (items("delivery_partners")["service"], DeliveryPartner.Service.values),
        (
            items("participants")["eligibility"]["properties"]["exceptions"]["items"]["properties"][
                "rule"
            ],
            EligibilityException.Rule.values,
        ),
    ],
)
def test_vocabularies_are_the_models_choices(schema, choices):
    assert schema["enum"] == choices


@pytest.mark.django_db
def test_topic_keys_are_the_seeded_topics():
    enum = SESSION["topics"]["items"]["enum"]

    assert sorted(enum) == sorted(Topic.objects.values_list("key", flat=True))
    assert {"finance", "covid-19", "net-zero", "carbon-footprint"} <= set(enum)


def test_programme_rules_are_the_programme_records_parameters():
    rules = PROPERTIES["programme"]["properties"]["rules"]["properties"]
    parameters = {
        field.name
        for field in Programme._meta.get_fields()
        if isinstance(field, models.Field) and field.has_default()
    }

    assert list(rules) == RULES
    assert set(rules) == parameters


def _length(section: str, name: str, nested: str | None = None) -> int | None:
    properties = items(section)
    if nested is not None:
        properties = properties[nested]["items"]["properties"]
    return resolve(properties[name]).get("maxLength")


@pytest.mark.parametrize(
    ("section", "name", "model", "field"),
    [
        ("clusters", "key", Cluster, "key"),
        ("clusters", "name", Cluster, "name"),
        ("hubs", "name", Hub, "name"),
        ("hubs", "lep", Hub, "lep"),
        ("hubs", "privacy_notice_url", Hub, "privacy_notice_url"),
        ("delivery_partners", "name", DeliveryPartner, "name"),
        ("users", "email", User, "email"),
        ("users", "name", User, "name"),
        ("businesses", "name", Business, "name"),
        ("businesses", "company_number", Business, "company_number"),
        ("businesses", "local_authority", Business, "local_authority"),
        ("businesses", "postcode", Business, "postcode"),
        ("participants", "first_name", Participant, "first_name"),
        ("participants", "last_name", Participant, "last_name"),
        ("participants", "email", Participant, "email"),
        ("participants", "phone", Participant, "phone"),
        ("participants", "job_title", Participant, "job_title"),
        ("participants", "charter_version", Participant, "charter_version"),
        ("cohorts", "name", Cohort, "name"),
        ("one_to_ones", "existing_programme", OneToOneSession, "existing_programme"),
        ("one_to_ones", "key", OneToOneSession, "key"),
    ],
)
def test_text_lengths_are_the_columns_lengths(section, name, model, field):
    # PostgreSQL refuses a value longer than its column, SQLite does not: the schema
    # catches it on both, with a path.
    assert _length(section, name) == model._meta.get_field(field).max_length


def test_session_lengths_are_the_columns_lengths():
    assert resolve(SESSION["key"])["maxLength"] == GroupSession._meta.get_field("key").max_length
    assert SESSION["location"]["maxLength"] == GroupSession._meta.get_field("location").max_length


def test_schema_is_published_at_a_url(client):
    response = client.get("/scenario/schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    published = response.json()
    assert published == SCHEMA
    assert "participants" in published["properties"]
