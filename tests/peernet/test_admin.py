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


# --- the admin reads, the pages write (issue 15) ------------------------------------------

# What the admin may change, and why: the programme's structure and the people who sign
# in, which no page manages. Every change there is audited (peernet.admin.AuditedMixin).
EDITABLE = {
    "peernet.Programme": "the programme's rule parameters",
    "peernet.Cluster": "the programme's structure",
    "peernet.Hub": "the programme's structure",
    "peernet.DeliveryPartner": "the hubs' delivery partners",
    "peernet.User": "accounts (hub staff are invited from the hub's Staff pages)",
    "peernet.RoleAssignment": "the national roles",
    "delivery.Topic": "the BEIS topic list",
}


def test_the_admin_changes_only_reference_data_and_audits_it(rf, personas):
    from peernet.admin import AuditedMixin

    boss = personas.coordinator
    boss.is_staff = boss.is_superuser = True
    request = rf.get("/admin/")
    request.user = boss
    bypasses = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        writes = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if label in EDITABLE:
            assert isinstance(model_admin, AuditedMixin), f"{label}'s admin must audit"
        elif writes:
            bypasses.append(label)
    assert not bypasses, (
        "These admins can write past the pages' services (their rules and audit): make "
        f"them read only (peernet.admin.ScopedAdmin or ReadOnlyAdmin): {bypasses}"
    )
    assert not sorted(
        set(EDITABLE) - {f"{m._meta.app_label}.{m.__name__}" for m in admin.site._registry}
    )


def test_a_hub_changed_in_the_admin_is_audited(superuser_client):
    from peernet.models import AuditEvent, Hub

    hub = Hub.objects.get(key="hub-a")
    url = reverse("admin:peernet_hub_change", args=[hub.pk])
    page = superuser_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "name": "Hub A renamed",
            "delivery_partners-TOTAL_FORMS": "0",
            "delivery_partners-INITIAL_FORMS": "0",
        }
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(summary="Hub changed in the admin")
    assert "name" in event.after["fields"]
    assert event.hub_id == hub.pk


def test_a_participant_cannot_be_changed_in_the_admin(superuser_client):
    from participants.models import Participant

    person = Participant.objects.filter(hub__key="hub-a").first()
    url = reverse("admin:participants_participant_change", args=[person.pk])
    assert superuser_client.get(url).status_code == 200  # read, audited as a view
    response = superuser_client.post(url, {"first_name": "Changed"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.first_name != "Changed"
