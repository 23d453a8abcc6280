"""docs/security.md §7, §25: equality answers are only shown aggregated, and a single hub's
breakdown never shows a count from 1 to 4."""

from __future__ import annotations

import pytest

from peernet.privacy import suppress_small
from tests.factories import make_cohort_member


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, "fewer than 5"), (4, "fewer than 5"), (5, 5), (11, 11)],
)
def test_suppress_small(count, shown):
    assert suppress_small(count) == shown


@pytest.mark.django_db
def test_no_staff_role_reads_equality_rows(personas):
    from participants.models import EqualityData

    EqualityData.objects.create(participant=personas.participant_a, gender="female")
    for role in ("hub_a_admin", "facilitator", "provider", "funder", "evaluator"):
        assert not EqualityData.objects.visible_to(getattr(personas, role)).exists(), role


@pytest.mark.django_db
def test_the_cohort_balance_panel_suppresses_small_gender_counts(personas):
    """K12's panel is a single hub's equality breakdown, shown beside the cohort's size:
    the 1 is suppressed, and so is the 5 (6 members less the 5 would give the 1 back)."""
    import datetime as dt

    from cohorts.models import Cohort
    from cohorts.selectors import cohort_balance
    from participants.models import EqualityData

    cohort = personas.cohort_a  # participant_a is a member
    EqualityData.objects.create(participant=personas.participant_a, gender="female")
    for _ in range(5):
        person = make_cohort_member(cohort)
        EqualityData.objects.create(participant=person, gender="male")
    judged = Cohort.objects.prefetch_related("memberships__participant__business").get(pk=cohort.pk)
    balance = cohort_balance(judged, as_of=dt.datetime(2021, 6, 1, tzinfo=dt.UTC))
    assert balance.size == 6
    assert dict(balance.genders) == {"Female": "suppressed", "Male": "suppressed"}


@pytest.mark.django_db
def test_the_admin_shows_no_ones_equality_answers(client, personas):
    from django.urls import reverse

    from participants.models import EqualityData
    from peernet.models import User

    row = EqualityData.objects.create(participant=personas.participant_a, gender="female")
    root = User.objects.create_superuser(email="root@example.org", password=None, name="Root")
    client.force_login(root)
    changelist = reverse("admin:participants_equalitydata_changelist")
    change = reverse("admin:participants_equalitydata_change", args=[row.pk])
    listed = client.get(changelist)
    assert listed.status_code == 200
    assert "female" not in listed.content.decode().lower()
    assert not listed.context["cl"].model_admin.list_filter  # no filtering by answer
    assert client.get(change).status_code == 403
