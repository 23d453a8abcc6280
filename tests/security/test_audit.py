"""The audit trail (docs/security.md §21): who changed what, who viewed or exported personal
data; the application cannot rewrite it, and neither can SQL (a PostgreSQL trigger)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from peernet import audit
from peernet.models import AuditEvent, AuditTrailIsAppendOnly
from sessions.attendance.services import AttendanceRow, session_record_attendance
from tests.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(personas):
    return audit.record(
        personas.hub_a_admin,
        "view",
        personas.participant_a,
        summary="Participant page viewed",
    )


def test_record_keeps_who_what_and_where(personas, event):
    event.refresh_from_db()
    assert event.actor_id == personas.hub_a_admin.pk
    assert event.actor_email == personas.hub_a_admin.email
    assert (event.action, event.object_type) == ("view", "participants.participant")
    assert event.object_id == str(personas.participant_a.pk)
    assert event.hub_id == personas.hub_a.pk


def test_the_one_line_api_for_exports(personas):
    event = audit.record(personas.coordinator, "export", obj=None, hub=personas.hub_b, summary="x")
    assert (event.action, event.hub_id, event.object_type) == ("export", personas.hub_b.pk, "")


def test_an_unknown_action_is_refused(personas):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record(personas.coordinator, "rewrite", summary="x")
    assert not AuditEvent.objects.exists()


def test_the_application_cannot_change_or_delete_an_event(event):
    event.summary = "Nothing happened"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing happened")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.summary == "Participant page viewed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE peernet_auditevent SET summary = 'rewritten'",
        "DELETE FROM peernet_auditevent",
    ],
)
def test_the_database_refuses_to_rewrite_the_trail(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    event.refresh_from_db()
    assert event.summary == "Participant page viewed"


def test_only_the_retention_purge_deletes_and_only_what_is_old(personas):
    old = audit.record(None, "login", summary="old")
    new = audit.record(None, "login", summary="new")
    # An event recorded long ago (inserted with its time: nothing may update one).
    ancient = AuditEvent.objects.create(
        action="login", summary="ancient", at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
    )
    deleted = audit.purge_expired(older_than=dt.datetime(2015, 1, 1, tzinfo=dt.UTC))
    assert deleted == 1
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {old.pk, new.pk}
    assert not AuditEvent.objects.filter(pk=ancient.pk).exists()
    # After the purge the trigger is armed again within the same transaction.
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM peernet_auditevent")


def test_attendance_is_audited_in_the_table_and_the_log(personas, caplog):
    session = make_session(personas.cohort_a, "2021-06-01T09:30")
    rows = [AttendanceRow(personas.participant_a.code, "present", Decimal("3"))]
    with caplog.at_level(logging.INFO, logger="peernet.audit"):
        session_record_attendance(
            session=session,
            rows=rows,
            by=personas.facilitator,
            as_of=dt.datetime(2021, 6, 1, 12, tzinfo=dt.UTC),
        )
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.object_type) == ("update", "delivery.groupsession")
    assert event.object_id == str(session.pk)
    assert event.hub_id == personas.hub_a.pk
    assert event.after == {
        "changes": [
            {"participant": personas.participant_a.pk, "was": None, "now": [True, False, "3"]}
        ]
    }
    (record,) = [r for r in caplog.records if r.name == "peernet.audit"]
    assert record.session_id == session.pk


# --- the coordinator's search page ---------------------------------------------------------


def test_the_search_filters_by_actor_action_object_and_dates(client, personas):
    at = dt.datetime(2021, 10, 5, 10, tzinfo=dt.UTC)
    AuditEvent.objects.create(
        action="view",
        actor_email="a@example.org",
        object_type="participants.participant",
        object_id="7",
        summary="first",
        at=at,
    )
    AuditEvent.objects.create(
        action="export",
        actor_email="b@example.org",
        summary="second",
        at=at + dt.timedelta(days=1),
    )
    client.force_login(personas.coordinator)
    url = reverse("privacy:audit")

    def summaries(**query):
        page = client.get(url, query).context["page"]
        return [e.summary for e in page]

    assert summaries() == ["second", "first"]
    assert summaries(actor="a@") == ["first"]
    assert summaries(action="export") == ["second"]
    assert summaries(object_type="participants.participant", object_id="7") == ["first"]
    assert summaries(date_from="2021-10-06") == ["second"]
    # The date range is London days: 2021-10-05 ends at 23:00 UTC (BST).
    assert summaries(date_to="2021-10-05") == ["first"]
    assert summaries(action="no-such-action") == []
    response = client.get(url, {"date_from": "2021-10-06", "date_to": "2021-10-05"})
    assert "The date to must be the same as or after the date from" in response.content.decode()


def test_the_search_pages_fifty_at_a_time(client, personas):
    AuditEvent.objects.bulk_create([AuditEvent(action="login", summary=f"e{n}") for n in range(51)])
    client.force_login(personas.coordinator)
    first = client.get(reverse("privacy:audit"))
    assert len(first.context["page"]) == 50
    second = client.get(reverse("privacy:audit"), {"page": 2})
    assert len(second.context["page"]) == 1


def test_a_complaint_recorded_and_closed_in_the_hub_area_is_in_the_trail(client, personas):
    client.force_login(personas.hub_a_admin)
    created = client.post(
        reverse("hub:complaint-new", kwargs={"hub": personas.hub_a.key}),
        {
            "kind": "complaint",
            "received_0": "1",
            "received_1": "9",
            "received_2": "2021",
            "received_from": "A participant",
            "summary": "The room was cold.",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    events = list(AuditEvent.objects.filter(object_type="delivery.complaint").order_by("pk"))
    assert [(e.action, e.actor_id, e.hub_id) for e in events] == [
        ("create", personas.hub_a_admin.pk, personas.hub_a.pk)
    ]
    assert "The room was cold" not in events[0].summary  # ids and names of things only
