"""The attendance register (K8): the service and the page."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rules import Outcome, run_rules
from sessions.attendance.services import AttendanceRow, session_record_attendance
from sessions.models import Attendance, GroupSession, SessionStatus
from tests.factories import (
    local,
    make_cohort_member,
    make_eligible,
    make_member,
    make_participant,
    make_session,
)

pytestmark = pytest.mark.django_db

AFTER = local("2021-10-05T13:00")  # the session below has started (and ended)


@pytest.fixture
def world(personas):
    """cohort_a with three members expected at a 3-hour session; one who left before it
    and one who joins after it are not."""
    p = personas
    p.bea = make_eligible(make_participant(p.hub_a, p.programme, first_name="Bea"))
    p.cal = make_eligible(make_participant(p.hub_a, p.programme, first_name="Cal"))
    make_member(p.cohort_a, p.bea)
    make_member(p.cohort_a, p.cal)
    make_cohort_member(p.cohort_a, first_name="Gone", left=dt.date(2021, 9, 1))
    make_cohort_member(p.cohort_a, first_name="Late", joined=dt.date(2021, 10, 6))
    p.session = make_session(p.cohort_a, "2021-10-05T09:30", hours=Decimal("3"))
    p.url = reverse("facilitation:attendance", kwargs={"hub": p.hub_a.key, "code": p.session.code})
    return p


def _judged(session):
    return (
        GroupSession.objects.select_related("cohort__programme")
        .prefetch_related("cohort__memberships__participant", "attendance")
        .get(pk=session.pk)
    )


def _k8(session):
    (result,) = run_rules(_judged(session), ["K8"], as_of=AFTER)
    return result


def _rows(world):
    """Everyone expected, present for the session's 3 hours."""
    return [
        AttendanceRow(participant.code, "present", Decimal("3"))
        for participant in (world.participant_a, world.bea, world.cal)
    ]


def _post_data(world, **values):
    data = {"participant": [str(p.code) for p in (world.participant_a, world.bea, world.cal)]}
    for participant in (world.participant_a, world.bea, world.cal):
        data[f"presence-{participant.code}"] = "present"
        data[f"hours-{participant.code}"] = "3"
    data.update(values)
    return data


# --- the service ----------------------------------------------------------------------


def test_recording_everyone_marks_the_session_delivered_and_k8_passes(world):
    rows = _rows(world)
    rows[1] = AttendanceRow(world.bea.code, "present", Decimal("2.5"))  # arrived late
    rows[2] = AttendanceRow(world.cal.code, "apologies", Decimal("0"))
    session_record_attendance(session=world.session, rows=rows, by=world.facilitator, as_of=AFTER)

    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.DELIVERED
    got = {
        a.participant_id: (a.present, a.apologies, a.hours)
        for a in Attendance.objects.filter(session=world.session)
    }
    assert got == {
        world.participant_a.pk: (True, False, Decimal("3")),
        world.bea.pk: (True, False, Decimal("2.5")),
        world.cal.pk: (False, True, Decimal("0")),
    }
    assert _k8(world.session).outcome == Outcome.PASS


def test_saving_again_updates_the_rows_without_duplicates_and_is_audited(world, caplog):
    session_record_attendance(
        session=world.session, rows=_rows(world), by=world.facilitator, as_of=AFTER
    )
    rows = _rows(world)
    rows[0] = AttendanceRow(world.participant_a.code, "absent", Decimal("0"))
    with caplog.at_level(logging.INFO, logger="peernet.audit"):
        session_record_attendance(
            session=world.session, rows=rows, by=world.hub_a_admin, as_of=AFTER
        )

    assert Attendance.objects.filter(session=world.session).count() == 3
    row = Attendance.objects.get(session=world.session, participant=world.participant_a)
    assert (row.present, row.hours) == (False, Decimal("0"))
    (record,) = [r for r in caplog.records if r.name == "peernet.audit"]
    assert record.user_id == world.hub_a_admin.pk and record.session_id == world.session.pk
    assert record.changes == [
        {
            "participant": world.participant_a.pk,
            "was": (True, False, Decimal("3.00")),
            "now": (False, False, Decimal("0")),
        }
    ]


@pytest.mark.parametrize(
    ("presence", "hours", "words"),
    [
        ("present", "0", "must be more than 0"),
        ("present", "3.5", "must be 3.0 or fewer"),
        ("absent", "1", "must be 0 when absent"),
        ("maybe", "0", "present or absent"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(world, presence, hours, words):
    rows = _rows(world)
    rows[2] = AttendanceRow(world.cal.code, presence, Decimal(hours))
    with pytest.raises(ValidationError, match=words):
        session_record_attendance(
            session=world.session, rows=rows, by=world.facilitator, as_of=AFTER
        )
    assert not Attendance.objects.exists()
    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.SCHEDULED


def test_someone_from_another_cohort_is_refused(world):
    rows = [*_rows(world), AttendanceRow(world.participant_a2.code, "present", Decimal("3"))]
    with pytest.raises(ValidationError, match="not a member of this cohort"):
        session_record_attendance(
            session=world.session, rows=rows, by=world.facilitator, as_of=AFTER
        )
    assert not Attendance.objects.exists()


def test_a_missing_member_is_refused(world):
    with pytest.raises(ValidationError, match="Record attendance for"):
        session_record_attendance(
            session=world.session, rows=_rows(world)[:2], by=world.facilitator, as_of=AFTER
        )
    assert not Attendance.objects.exists()


def test_a_session_in_the_future_is_refused(world):
    with pytest.raises(ValidationError, match="has not started yet"):
        session_record_attendance(
            session=world.session,
            rows=_rows(world),
            by=world.facilitator,
            as_of=local("2021-10-05T09:00"),
        )
    assert not Attendance.objects.exists()


# --- the page -------------------------------------------------------------------------


def _names(html):
    return re.findall(r'<th scope="row" class="govuk-table__header">\s*(.*?)\s*</th>', html, re.S)


def _checked(html, participant):
    """The value of the radio checked in the participant's row, or None."""
    found = re.search(
        rf'name="presence-{participant.code}" type="radio" value="(\w+)" checked', html
    )
    return found.group(1) if found else None


def test_the_register_is_a_table_with_no_answer_given(client, world):
    client.force_login(world.facilitator)
    html = client.get(world.url).content.decode()
    names = [world.participant_a.full_name, world.bea.full_name, world.cal.full_name]
    assert sorted(_names(html)) == sorted(names)
    assert "Gone" not in html and "Late " not in html
    assert 'id="register"' in html and "The register (3 members)" in html
    for participant in (world.participant_a, world.bea, world.cal):
        # Three radios a row, none chosen; an empty hours box.
        assert html.count(f'name="presence-{participant.code}" type="radio"') == 3
        assert _checked(html, participant) is None
        assert f'name="hours-{participant.code}" type="text"' in html
        assert re.search(rf'id="id_hours-{participant.code}"[^>]*value=""', html)
    assert " checked" not in html


def test_a_register_not_answered_for_everyone_is_refused_row_by_row(client, world):
    client.force_login(world.facilitator)
    data = _post_data(world)
    del data[f"presence-{world.bea.code}"], data[f"presence-{world.cal.code}"]
    response = client.post(world.url, data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = _summary(html)
    for participant in (world.bea, world.cal):
        assert f'href="#id_presence-{participant.code}_1"' in summary
        assert f"Choose whether {participant.full_name} was present or absent" in summary
        # The error stands in the member's own row, above their radios.
        assert f'id="id_presence-{participant.code}-error"' in html
        assert f'id="id_presence-{participant.code}_1"' in html
    assert f"Choose whether {world.participant_a.full_name}" not in summary
    # What was answered is kept.
    assert _checked(html, world.participant_a) == "present"
    assert not Attendance.objects.exists()


def test_saving_everyone_present_records_the_sessions_hours(client, world):
    client.force_login(world.facilitator)
    response = client.post(world.url, _post_data(world))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "facilitation:session", kwargs={"hub": world.hub_a.key, "code": world.session.code}
    )
    assert (
        sorted(Attendance.objects.values_list("present", "hours")) == [(True, Decimal("3.00"))] * 3
    )
    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.DELIVERED
    assert _k8(world.session).outcome == Outcome.PASS


def test_a_late_arrival_and_an_apology(client, world):
    client.force_login(world.facilitator)
    data = _post_data(
        world,
        **{
            f"hours-{world.bea.code}": "2.5",
            f"presence-{world.cal.code}": "apologies",
            f"hours-{world.cal.code}": "3",  # ignored: absent is 0 hours
        },
    )
    assert client.post(world.url, data).status_code == 302
    assert Attendance.objects.get(participant=world.bea).hours == Decimal("2.5")
    cal = Attendance.objects.get(participant=world.cal)
    assert (cal.present, cal.apologies, cal.hours) == (False, True, Decimal("0"))
    # The page shows what was recorded.
    html = client.get(world.url).content.decode()
    assert re.search(rf'id="id_hours-{world.bea.code}"[^>]*value="2.5"', html)
    assert _checked(html, world.bea) == "present"
    assert _checked(html, world.cal) == "apologies"


def test_re_saving_updates_without_duplicates(client, world):
    client.force_login(world.facilitator)
    client.post(world.url, _post_data(world))
    client.post(world.url, _post_data(world, **{f"hours-{world.bea.code}": "2"}))
    assert Attendance.objects.count() == 3
    assert Attendance.objects.get(participant=world.bea).hours == Decimal("2")


def _summary(html):
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return summary.group(0)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "must be more than 0 when present"),
        ("3.5", "must be 3.0 or fewer, the session&#x27;s length"),
        ("", "Enter the hours"),
        ("lots", "must be a number, like 2.5"),
    ],
)
def test_bad_hours_show_a_gov_uk_error_and_write_nothing(client, world, hours, message):
    client.force_login(world.facilitator)
    response = client.post(world.url, _post_data(world, **{f"hours-{world.bea.code}": hours}))
    assert response.status_code == 400
    html = response.content.decode()
    summary = _summary(html)
    assert f'href="#id_hours-{world.bea.code}"' in summary
    assert message in summary
    assert f'id="id_hours-{world.bea.code}"' in html
    assert "govuk-input--error" in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    assert not Attendance.objects.exists()


def test_a_participant_of_another_cohort_in_the_post_is_refused(client, world):
    client.force_login(world.facilitator)
    data = _post_data(world)
    data["participant"] = [*data["participant"], str(world.participant_a2.code)]
    data[f"presence-{world.participant_a2.code}"] = "present"
    data[f"hours-{world.participant_a2.code}"] = "3"
    response = client.post(world.url, data)
    assert response.status_code == 400
    assert "is not in this cohort" in _summary(response.content.decode())
    assert not Attendance.objects.exists()


def test_a_session_in_the_future_says_so_and_refuses_a_post(client, world):
    future = make_session(world.cohort_a, "2031-01-07T09:30")
    url = reverse("facilitation:attendance", kwargs={"hub": world.hub_a.key, "code": future.code})
    client.force_login(world.facilitator)
    html = client.get(url).content.decode()
    assert "The session has not started yet" in html
    assert '<form method="post" novalidate>' not in html
    response = client.post(url, _post_data(world))
    assert response.status_code == 400
    assert not Attendance.objects.exists()
    future.refresh_from_db()
    assert future.status == SessionStatus.SCHEDULED


def _seen(html: str) -> str:
    match = re.search(r'name="seen" value="([^"]+)"', html)
    assert match, "the register page carries what it showed"
    return match.group(1)


def test_two_people_taking_the_register_at_once_the_second_is_told(client, world):
    """The facilitator and the hub's administrator both open the empty register; the
    first saves Bea at 2.5 hours; the second, saving everyone present for 3, is refused
    and told what the first recorded, name by name; nothing of theirs is saved until they
    save from the register as it now is."""
    from django.test import Client

    first, second = client, Client()
    first.force_login(world.facilitator)
    second.force_login(world.hub_a_admin)  # the hub's administrator may take it too
    first_seen = _seen(first.get(world.url).content.decode())
    second_seen = _seen(second.get(world.url).content.decode())

    saved = first.post(
        world.url, {**_post_data(world, **{f"hours-{world.bea.code}": "2.5"}), "seen": first_seen}
    )
    assert saved.status_code == 302
    refused = second.post(world.url, {**_post_data(world), "seen": second_seen})
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "Someone else saved the register while you were editing it" in page
    assert f"{world.bea.full_name}: “(blank)” is now “present, 2.5 hours”" in page
    assert Attendance.objects.get(participant=world.bea).hours == Decimal("2.5")

    again = second.post(world.url, {**_post_data(world), "seen": _seen(page)})
    assert again.status_code == 302
    assert Attendance.objects.get(participant=world.bea).hours == Decimal("3")
