"""The breach register: the ICO is told within 72 hours of discovery, or the decision not
to and its reason are recorded; past 72 hours undecided is overdue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from peernet.models import AuditEvent, Breach

pytestmark = pytest.mark.django_db
UTC = dt.UTC
FOUND = dt.datetime(2021, 10, 5, 9, 0, tzinfo=UTC)


def _breach(**values):
    return Breach.objects.create(
        discovered_at=FOUND,
        description="Sent to the wrong hub",
        data_affected="12 emails",
        **values,
    )


def test_the_72_hour_clock():
    breach = _breach()
    assert breach.report_due == dt.datetime(2021, 10, 8, 9, 0, tzinfo=UTC)
    assert not breach.overdue(breach.report_due)
    assert breach.overdue(breach.report_due + dt.timedelta(seconds=1))
    assert not breach.overdue(FOUND + dt.timedelta(hours=71, minutes=59, seconds=59))


def test_a_report_on_time_or_late_and_a_decision_not_to_report():
    on_time = _breach(reported_to_ico_at=FOUND + dt.timedelta(hours=72))
    late = _breach(reported_to_ico_at=FOUND + dt.timedelta(hours=72, seconds=1))
    decided = _breach(not_reported_reason="Encrypted laptop, key not lost")
    far_later = FOUND + dt.timedelta(days=30)
    assert not on_time.overdue(far_later)
    assert late.overdue(far_later)
    assert not decided.overdue(far_later)


def test_the_list_shows_overdue(client, personas):
    _breach()
    client.force_login(personas.coordinator)
    with time_machine.travel(FOUND + dt.timedelta(hours=73), tick=False):
        content = client.get(reverse("privacy:breaches")).content.decode()
    assert "Overdue" in content
    assert "8 Oct 2021 10:00" in content  # 09:00 UTC is 10:00 in London (BST)


def test_recording_a_breach_and_its_decision(client, personas):
    client.force_login(personas.coordinator)
    with time_machine.travel(FOUND + dt.timedelta(hours=2), tick=False):
        response = client.post(
            reverse("privacy:breach-new"),
            {
                "discovered_at": "2021-10-05 10:00",
                "description": "A list went to the wrong hub",
                "data_affected": "Names of 12 participants",
                "hubs": [personas.hub_a.pk],
            },
        )
        assert response.status_code == 302
        breach = Breach.objects.get()
        assert breach.discovered_at == FOUND  # 10:00 London is 09:00 UTC
        assert list(breach.hubs.all()) == [personas.hub_a]
        url = reverse("privacy:breach", kwargs={"reference": breach.reference})
        missing = client.post(url, {"decision": "not_reported", "reason": " "})
        assert "Enter why it was not reported to the ICO" in missing.content.decode()
        early = client.post(url, {"decision": "reported", "reported_at": "2021-10-05 09:59"})
        assert "must be after it was discovered" in early.content.decode()
        done = client.post(url, {"decision": "reported", "reported_at": "2021-10-05 10:30"})
        assert done.status_code == 302
    breach.refresh_from_db()
    assert breach.reported_to_ico_at == FOUND + dt.timedelta(minutes=30)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "summary")) == [
        ("create", "Breach recorded"),
        ("update", "Breach decision recorded"),
    ]


def test_a_breach_in_the_future_or_without_a_description_is_refused(client, personas):
    client.force_login(personas.coordinator)
    with time_machine.travel(FOUND, tick=False):
        response = client.post(
            reverse("privacy:breach-new"),
            {"discovered_at": "2021-10-06 10:00", "description": "", "data_affected": "x"},
        )
    content = response.content.decode()
    assert "must be in the past" in content and "Enter what happened" in content
    assert not Breach.objects.exists()
