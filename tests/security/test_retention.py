"""docs/security.md §24: each kind of record declares how long it is kept; the nightly job
(peernet.tasks.retention_apply, in the beat schedule) applies it, and running it twice
does nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from participants.models import SurveyInvitation
from peernet import privacy
from peernet.celery import app
from peernet.models import AuditEvent
from peernet.tasks import retention_apply
from reporting.models import ExportFile, Finding

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_beat_runs_it_nightly():
    entry = app.conf.beat_schedule["retention-apply"]
    assert entry["task"] == "peernet.tasks.retention_apply"


def _export(personas, at):
    with time_machine.travel(at, tick=False):
        return ExportFile.objects.create(kind="return-csv", requested_by=personas.coordinator)


def test_export_files_go_after_30_days(personas):
    requested = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
    export = _export(personas, requested)
    with time_machine.travel(requested + dt.timedelta(days=30), tick=False):
        assert retention_apply() == {}  # exactly 30 days: still kept
        assert ExportFile.objects.filter(pk=export.pk).exists()
    with time_machine.travel(requested + dt.timedelta(days=30, seconds=1), tick=False):
        assert retention_apply() == {"reporting.ExportFile": 1}
        assert not ExportFile.objects.filter(pk=export.pk).exists()
        assert retention_apply() == {}  # idempotent


def test_invitations_go_a_year_after_they_expire(rich):
    invitation = SurveyInvitation.objects.get(participant=rich.person)  # expires 1 Aug 2021
    with time_machine.travel(dt.datetime(2022, 7, 31, tzinfo=UTC), tick=False):
        retention_apply()
        assert SurveyInvitation.objects.filter(pk=invitation.pk).exists()
    with time_machine.travel(dt.datetime(2022, 8, 2, tzinfo=UTC), tick=False):
        done = retention_apply()
        assert done["participants.SurveyInvitation"] == 1
    # The response stays (only the link goes).
    assert rich.person.survey_responses.count() == 1


def test_resolved_findings_go_after_two_years_and_open_ones_stay(rich):
    finding = Finding.objects.get(participant=rich.person)
    resolved = Finding.objects.create(
        hub=finding.hub,
        participant=rich.person,
        rule="O2",
        subject_kind="participant",
        subject_id=rich.person.pk,
        subject_name="x",
        outcome="warn",
        sentence="x",
        first_found=dt.datetime(2021, 7, 1, tzinfo=UTC),
        last_found=dt.datetime(2021, 7, 2, tzinfo=UTC),
        resolved=dt.datetime(2021, 7, 3, tzinfo=UTC),
    )
    with time_machine.travel(dt.datetime(2023, 7, 4, tzinfo=UTC), tick=False):
        retention_apply()
    assert not Finding.objects.filter(pk=resolved.pk).exists()
    assert Finding.objects.filter(pk=finding.pk).exists()  # still open


def test_participants_are_erased_seven_years_after_their_programme_year(rich):
    # The programme year ends on 31 March 2022.
    with time_machine.travel(dt.datetime(2029, 3, 31, 12, tzinfo=UTC), tick=False):
        done = retention_apply()
        assert "participants.Participant" not in done
    rich.person.refresh_from_db()
    assert rich.person.first_name == "Jordan"
    with time_machine.travel(dt.datetime(2029, 4, 1, 12, tzinfo=UTC), tick=False):
        done = retention_apply()
        # All four personas' participants are of that year.
        assert done["participants.Participant"] == 4
        assert retention_apply() == {}
    rich.person.refresh_from_db()
    assert privacy.is_erased(rich.person)
    assert AuditEvent.objects.filter(action="erase").count() == 4
    applied = AuditEvent.objects.filter(action="retention").order_by("pk").last()
    assert applied.after["participants.Participant"] == 4


def test_audit_events_go_after_seven_years(personas):
    kept = AuditEvent.objects.create(action="login", summary="kept")
    old = AuditEvent.objects.create(
        action="login", summary="old", at=dt.datetime(2018, 1, 1, tzinfo=UTC)
    )
    with time_machine.travel(dt.datetime(2025, 1, 2, tzinfo=UTC), tick=False):
        assert retention_apply()["peernet.AuditEvent"] == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


def test_every_registry_entry_declares_its_retention():
    for entry in privacy.REGISTRY:
        assert entry.retention.period, entry.model
