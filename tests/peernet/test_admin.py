"""Every model has a working admin page: list, search, filters and the add form."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_one_to_one, make_personas, make_session

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)
DOMAIN_APPS = {"peernet", "participants", "cohorts", "delivery", "reporting"}


def test_every_domain_model_is_registered():
    from django.apps import apps

    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for app_label in DOMAIN_APPS
        for model in apps.get_app_config(app_label).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


@pytest.fixture
def superuser_client(client):
    personas = make_personas()
    make_session(personas.cohort_a)
    make_one_to_one(personas.participant_a, personas.provider)
    personas.coordinator.is_staff = personas.coordinator.is_superuser = True
    personas.coordinator.save()
    client.force_login(personas.coordinator)
    return client


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_search_and_add_pages_load(superuser_client, app_label, model_name):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = superuser_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 0
    model_admin = response.context["cl"].model_admin
    if model_admin.search_fields:
        assert superuser_client.get(changelist, {"q": "Smith"}).status_code == 200
    add = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code in {200, 403}  # 403 where adding by hand is refused


def test_staff_user_who_is_not_superuser_sees_only_their_hub(client):
    personas = make_personas()
    admin_a = personas.hub_a_admin
    admin_a.is_staff = True
    admin_a.save()
    from django.contrib.auth.models import Permission

    admin_a.user_permissions.add(Permission.objects.get(codename="view_participant"))
    client.force_login(admin_a)
    response = client.get(reverse("admin:participants_participant_changelist"))
    assert response.status_code == 200
    shown = {participant.key for participant in response.context["cl"].result_list}
    assert shown == {personas.participant_a.key, personas.participant_a2.key}
