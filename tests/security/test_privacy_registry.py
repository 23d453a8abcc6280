"""docs/security.md §22: the personal-data registry covers every model that holds personal data.

Walks every model of our apps and fails when one that looks personal (a name, email,
phone, note, answer or other free-text field, or a link to a participant or business) is
neither in `peernet.privacy.REGISTRY` nor in `NOT_PERSONAL` with a reason."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models

from peernet import privacy

OUR_APPS = ["peernet", "participants", "cohorts", "delivery", "reporting", "alumni", "api"]
PERSONAL_NAME = re.compile(
    r"(^|_)(name|email|phone|note|notes|answers|details|reason|summary|feedback|description"
    r"|text|contact|address|postcode|evidence|comment|narrative|draft|content)(_|$)"
)


def _looks_personal(model: type[models.Model]) -> list[str]:
    from participants.models import Business, Participant

    why = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.TextField | models.EmailField):
            why.append(f"{field.name} (free text)")
        elif PERSONAL_NAME.search(field.name):
            why.append(f"{field.name} (its name)")
        elif field.is_relation and field.related_model in (Participant, Business):
            why.append(f"{field.name} (links a participant)")
    return why


def _our_models() -> list[type[models.Model]]:
    return [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]


def test_every_model_that_looks_personal_is_in_the_registry():
    registered = {entry.model for entry in privacy.REGISTRY}
    missing = {
        model._meta.label: _looks_personal(model)
        for model in _our_models()
        if _looks_personal(model)
        and model._meta.label not in registered
        and model._meta.label not in privacy.NOT_PERSONAL
    }
    assert not missing, (
        "Add these models to peernet.privacy.REGISTRY (or to NOT_PERSONAL with a reason): "
        f"{missing}"
    )


def test_the_registry_names_real_fields_and_paths():
    for entry in privacy.entries():
        model = entry.model_class
        names = {f.name for f in model._meta.get_fields()}
        for name in (*entry.fields, *entry.erase_text, *entry.redact):
            assert name in names, f"{entry.model} has no field {name}"
        assert entry.retention.period
        assert entry.retention.action in ("erase", "delete", "keep")
        if entry.retention.action == "delete":
            assert entry.retention.since in names and entry.retention.keep_for


@pytest.mark.django_db
def test_every_participant_entry_can_find_a_participants_rows(personas):
    for entry in privacy.participant_entries():
        # A path that does not lead to a participant fails here, not in a request.
        list(entry.rows_for(personas.participant_a))


def test_nothing_is_both_personal_and_not():
    assert not {e.model for e in privacy.REGISTRY} & set(privacy.NOT_PERSONAL)
    assert all(reason.strip() for reason in privacy.NOT_PERSONAL.values())


def test_the_heuristic_sees_a_participant_link_and_free_text():
    from sessions.models import ActionCard, Topic

    assert "participant (links a participant)" in _looks_personal(ActionCard)
    assert "actions (free text)" in _looks_personal(ActionCard)
    assert _looks_personal(Topic) == ["name (its name)"]
