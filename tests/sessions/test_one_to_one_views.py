"""One-to-one pages (issue 6): the provider's workspace shows only their participants,
with hours against the minimum and the deadlines; logging a session shows the rules'
sentences when it refuses; the hub assigns, refers, records a refusal and records hours
from existing programmes (marked as such); the Participant Action Record PDF renders and
its text holds the hours by route."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from peernet.models import AuditEvent, Role
from sessions import tasks
from sessions.models import (
    Attendance,
    OneToOneDecline,
    OneToOneReferral,
    OneToOneRoute,
    OneToOneSession,
    SessionStatus,
)
from sessions.one_to_one.services import action_plan_save
from tests.factories import (
    Personas,
    local,
    make_eligible,
    make_member,
    make_one_to_one,
    make_participant,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

DELIVERED = SessionStatus.DELIVERED


@pytest.fixture
def p(personas: Personas) -> Personas:
    """participant_a attended cohort A's first session on 1 June 2021; the final one is
    on 30 November 2021."""
    first = make_session(personas.cohort_a, "2021-06-01T09:30", status=DELIVERED)
    make_session(personas.cohort_a, "2021-11-30T09:30")
    Attendance.objects.create(
        session=first, participant=personas.participant_a, present=True, hours=Decimal(3)
    )
    return personas


def _participant_url(name: str, p: Personas, **extra) -> str:
    return reverse(
        f"one_to_one:{name}", kwargs={"hub": "hub-a", "code": p.participant_a.code, **extra}
    )


def _hub_url(name: str, p: Personas) -> str:
    return reverse(f"hub:{name}", kwargs={"hub": "hub-a", "code": p.participant_a.code})


def _log_form(**values) -> dict:
    form = {
        "status": "scheduled",
        "day_0": "24",
        "day_1": "6",
        "day_2": "2021",
        "start_time": "14:00",
        "duration_hours": "1",
        "duration_minutes": "15",
        "mode": "video",
        "platform": "Teams",
        "route": "programme",
        "existing_programme": "",
        "evidence": "",
        "nature_of_support": "",
        "actions_agreed": "",
    }
    form.update(values)
    return form


# --- the workspace ----------------------------------------------------------------------


def test_the_provider_sees_only_their_participants(client, p):
    other_provider = make_user(Role.ONE_TO_ONE_PROVIDER, hub=p.hub_a)
    p.participant_a2.one_to_one_provider = other_provider
    p.participant_a2.save(update_fields=["one_to_one_provider"])
    make_one_to_one(p.participant_a, p.provider, hours=Decimal("1.49"), status=DELIVERED)
    client.force_login(p.provider)
    response = client.get(reverse("one_to_one:home"))
    page = response.content.decode()
    assert p.participant_a.full_name in page
    assert p.participant_a2.full_name not in page
    assert p.participant_b.full_name not in page
    assert "1.49 of 3.5 hours delivered" in page
    assert "2.01 hours to schedule" in page
    assert (
        "Not before the end of the participant&#x27;s first group session on 1 June 2021, at 12:30."
        in page
    )
    assert "by 30 December 2021." in page
    assert "By the end of the delivery window on 31 March 2022." in page


def test_the_home_page_says_shared_deadlines_once(client, p):
    """Three participants of one cohort share O3 and O4: said once above the table, not
    three times; O2 (after their own first session) stays in each row. A fourth, of
    another cohort, keeps its own O3 in its row."""
    for _ in range(2):
        person = make_eligible(
            make_participant(p.hub_a, p.programme, one_to_one_provider=p.provider)
        )
        make_member(p.cohort_a, person)
    client.force_login(p.provider)
    page = client.get(reverse("one_to_one:home")).content.decode()
    window = "By the end of the delivery window on 31 March 2022."
    o3 = "by 30 December 2021."
    assert page.count(window) == 1 and page.count(o3) == 1
    shared = page[page.index('id="shared-deadlines"') : page.index("<table")]
    assert window in shared and o3 in shared
    assert page.count("(O2)") == 3 and page.count("(O3)") == 1

    other = make_eligible(make_participant(p.hub_a, p.programme, one_to_one_provider=p.provider))
    make_member(p.cohort_a2, other)
    make_session(p.cohort_a2, "2021-06-08T09:30")
    page = client.get(reverse("one_to_one:home")).content.decode()
    shared = page[page.index('id="shared-deadlines"') : page.index("<table")]
    assert window in shared and o3 not in shared
    assert page.count(window) == 1 and page.count(o3) == 3


def test_the_home_page_queries_do_not_grow_with_participants(
    client, p, django_assert_max_num_queries
):
    client.force_login(p.provider)
    with django_assert_max_num_queries(30) as before:
        client.get(reverse("one_to_one:home"))
    for _ in range(4):
        person = make_eligible(
            make_participant(p.hub_a, p.programme, one_to_one_provider=p.provider)
        )
        make_member(p.cohort_a, person)
        make_one_to_one(person, p.provider, status=DELIVERED)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("one_to_one:home"))
    assert response.content.decode().count("1.5 of 3.5 hours delivered") == 4


# --- logging a session --------------------------------------------------------------------


def _assert_log_refused(client, p, form: dict, sentence: str) -> None:
    """The provider's log form refuses `form` with the rule's `sentence`; nothing is written."""
    client.force_login(p.provider)
    response = client.post(_participant_url("log", p), form)
    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert not OneToOneSession.objects.exists()


@time_machine.travel(local("2021-05-20T12:00"), tick=False)
def test_o2_the_sentence_is_shown_and_nothing_is_written(client, p):
    _assert_log_refused(
        client,
        p,
        _log_form(day_0="1", start_time="09:00"),
        "The one-to-one session at 09:00 on 1 June 2021 is before the end of the "
        "participant&#x27;s first group session; one-to-one support begins only after it. (O2)",
    )


@time_machine.travel(local("2021-05-20T12:00"), tick=False)
def test_the_rules_sentences_as_the_provider_types(client, p):
    """The log form's live check (static/js/one-to-one-check.js) asks O2–O4 of the date
    and time typed so far, and writes nothing."""
    client.force_login(p.provider)
    url = _participant_url("check", p)
    assert client.get(url).json() == {"results": []}  # no date yet
    refused = client.get(url, {"day_0": "1", "day_1": "6", "day_2": "2021", "start_time": "09:30"})
    assert refused.json()["results"][0] == {
        "rule": "O2",
        "outcome": "fail",
        "sentence": "The one-to-one session at 09:30 on 1 June 2021 is before the end of the "
        "participant's first group session; one-to-one support begins only after it.",
    }
    late = client.get(url, {"day_0": "31", "day_1": "12", "day_2": "2021", "start_time": "00:00"})
    assert [(r["rule"], r["outcome"]) for r in late.json()["results"]] == [
        ("O2", "pass"),
        ("O3", "warn"),
        ("O4", "pass"),
    ]
    after = client.get(url, {"day_0": "1", "day_1": "4", "day_2": "2022", "start_time": "09:00"})
    assert ("O4", "fail") in [(r["rule"], r["outcome"]) for r in after.json()["results"]]
    assert not OneToOneSession.objects.exists()


@time_machine.travel(local("2022-04-05T12:00"), tick=False)
def test_o4_a_session_after_the_window_is_refused(client, p):
    _assert_log_refused(
        client,
        p,
        _log_form(status="delivered", day_0="1", day_1="4", day_2="2022"),
        "The one-to-one session on 1 April 2022 is after the delivery window ended on "
        "31 March 2022. (O4)",
    )


@time_machine.travel(local("2021-06-24T09:00"), tick=False)
def test_delivered_hours_for_today_are_accepted_whatever_the_hour_now(client, p):
    """Logged at 09:00, a session held today at 14:00 is today's: the rule refuses later
    days, not later hours."""
    client.force_login(p.provider)
    response = client.post(_participant_url("log", p), _log_form(status="delivered"))
    assert response.status_code == 302
    session = OneToOneSession.objects.get()
    assert (session.status, session.starts_at) == (DELIVERED, local("2021-06-24T14:00"))


@time_machine.travel(local("2021-06-24T23:30"), tick=False)
def test_delivered_hours_for_tomorrow_are_refused(client, p):
    _assert_log_refused(
        client,
        p,
        _log_form(status="delivered", day_0="25", start_time="00:30"),
        "A session that has taken place must be today or in the past",
    )


@time_machine.travel(local("2021-06-20T12:00"), tick=False)
def test_booking_a_session_stores_decimal_hours_and_queues_the_invite(
    client, p, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(
        tasks.joining_instructions_send_for_one_to_one,
        "apply_async",  # as the outbox publishes it after the commit (peernet.outbox)
        lambda args, kwargs: queued.append(*args),
    )
    client.force_login(p.provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_participant_url("log", p), _log_form())
    assert response.status_code == 302
    session = OneToOneSession.objects.get()
    assert (
        session.starts_at,
        session.hours,
        session.mode,
        session.platform,
        session.route,
        session.provider,
        session.recorded_by,
    ) == (
        local("2021-06-24T14:00"),
        Decimal("1.25"),
        "video",
        "Teams",
        OneToOneRoute.PROGRAMME,
        p.provider,
        p.provider,
    )
    assert queued == [session.pk]


@time_machine.travel(local("2021-06-20T12:00"), tick=False)
def test_an_existing_programme_session_names_it(client, p):
    client.force_login(p.provider)
    response = client.post(_participant_url("log", p), _log_form(route="existing"))
    assert response.status_code == 400
    assert "Enter the name of the existing programme" in response.content.decode()
    assert not OneToOneSession.objects.exists()


@time_machine.travel(local("2021-07-05T12:00"), tick=False)
def test_a_delivered_existing_programme_session_needs_its_evidence(client, p):
    """O1: hours through an existing programme count only with evidence; a booked one has
    none yet, so only a delivered one needs it."""
    existing = {"route": "existing", "existing_programme": "Made Smarter", "day_1": "7"}
    client.force_login(p.provider)
    refused = client.post(
        _participant_url("log", p), _log_form(status="delivered", day_0="1", **existing)
    )
    assert refused.status_code == 400
    assert "Enter the evidence of the support from the programme" in refused.content.decode()
    assert not OneToOneSession.objects.exists()
    booked = client.post(_participant_url("log", p), _log_form(day_0="20", **existing))
    assert booked.status_code == 302
    assert OneToOneSession.objects.get().status == SessionStatus.SCHEDULED


@time_machine.travel(local("2021-06-20T12:00"), tick=False)
def test_the_provider_records_how_a_session_went(client, p):
    session = make_one_to_one(p.participant_a, p.provider, starts_at=local("2021-06-10T14:00"))
    client.force_login(p.provider)
    url = _participant_url("session", p, key=session.key)
    response = client.post(
        url,
        {
            "status": "delivered",
            "duration_hours": "1",
            "duration_minutes": "45",
            "nature_of_support": "Pricing review",
            "actions_agreed": "Raise prices 5%",
            "evidence": "",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.hours, session.actions_agreed) == (
        DELIVERED,
        Decimal("1.75"),
        "Raise prices 5%",
    )


# --- the hub's side ----------------------------------------------------------------------


@time_machine.travel(local("2021-07-05T12:00"), tick=False)
def test_the_hub_assigns_refers_and_records_a_refusal(client, p):
    client.force_login(p.hub_a_admin)
    other = make_user(Role.ONE_TO_ONE_PROVIDER, hub=p.hub_a, name="Kwame Mensah")
    response = client.post(_hub_url("one-to-one", p), {"provider": str(other.pk)})
    assert response.status_code == 302
    p.participant_a.refresh_from_db()
    assert p.participant_a.one_to_one_provider == other

    elsewhere = make_user(Role.ONE_TO_ONE_PROVIDER, hub=p.hub_b)
    response = client.post(_hub_url("one-to-one", p), {"provider": str(elsewhere.pk)})
    assert response.status_code == 400
    p.participant_a.refresh_from_db()
    assert p.participant_a.one_to_one_provider == other

    response = client.post(
        _hub_url("one-to-one-referral", p),
        {
            "programme_name": "Made Smarter",
            "nature_of_support": "Digital roadmap",
            "contact": "Priya Shah",
            "referred_on_0": "1",
            "referred_on_1": "7",
            "referred_on_2": "2021",
        },
    )
    assert response.status_code == 302
    assert OneToOneReferral.objects.get().programme_name == "Made Smarter"

    response = client.post(
        _hub_url("one-to-one-decline", p),
        {"declined_on_0": "5", "declined_on_1": "7", "declined_on_2": "2021", "note": ""},
    )
    assert response.status_code == 302
    assert OneToOneDecline.objects.get().declined_on == dt.date(2021, 7, 5)
    page = client.get(_hub_url("one-to-one", p)).content.decode()
    assert "declined one-to-one support on 5 July 2021 (O8)" in page


@time_machine.travel(local("2021-07-05T12:00"), tick=False)
def test_the_hub_records_existing_programme_hours_marked_as_such(client, p):
    client.force_login(p.hub_a_admin)
    response = client.post(
        _hub_url("one-to-one-external-hours", p),
        {
            "existing_programme": "Made Smarter",
            "day_0": "1",
            "day_1": "7",
            "day_2": "2021",
            "start_time": "10:00",
            "duration_hours": "1",
            "duration_minutes": "30",
            "nature_of_support": "Digital roadmap session",
            "evidence": "Confirmation email",
        },
    )
    assert response.status_code == 302
    entry = OneToOneSession.objects.get()
    assert (entry.route, entry.entered_by_hub, entry.status, entry.provider, entry.hours) == (
        OneToOneRoute.EXISTING,
        True,
        DELIVERED,
        None,
        Decimal("1.50"),
    )
    page = client.get(_hub_url("one-to-one", p)).content.decode()
    assert "Recorded by the hub" in page
    assert "(of which 1.5 recorded by the hub)" in page


# --- the Participant Action Record ---------------------------------------------------------


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("who", ["provider", "hub"])
def test_the_action_record_pdf_holds_the_hours_by_route(client, p, who):
    make_one_to_one(
        p.participant_a,
        p.provider,
        starts_at=local("2021-06-10T14:00"),
        hours=Decimal("2"),
        status=DELIVERED,
        nature_of_support="Cash-flow planning",
        actions_agreed="Build a 13-week forecast",
    )
    make_one_to_one(
        p.participant_a,
        None,
        starts_at=local("2021-07-01T10:00"),
        hours=Decimal("1.49"),
        status=DELIVERED,
        route=OneToOneRoute.EXISTING,
        existing_programme="Made Smarter",
        nature_of_support="Digital roadmap",
        entered_by_hub=True,
    )
    action_plan_save(
        participant=p.participant_a,
        agreed_on=dt.date(2021, 6, 8),
        by=p.provider,
        today=dt.date(2021, 6, 8),
        goal="Double export sales",
        reality="",
        options="",
        way_forward="Meet two distributors",
        tactics="",
        habits="",
    )
    if who == "provider":
        client.force_login(p.provider)
        url = _participant_url("action-record", p)
    else:
        client.force_login(p.hub_a_admin)
        url = _hub_url("one-to-one-action-record", p)
    text = _pdf_text(client.get(url))
    assert AuditEvent.objects.filter(
        action="export", summary="Participant Action Record (PDF)"
    ).exists()
    assert "Participant Action Record" in text
    assert p.participant_a.full_name in text
    assert "Delivered by the programme 2.0 hours" in text
    assert "Through existing local programmes (of which 1.49 hours recorded by the hub)" in text
    assert "1.49 hours" in text
    assert "Total 3.49 of 3.5 hours" in text
    assert "Double export sales" in text
    assert "Meet two distributors" in text
    assert "Build a 13-week forecast" in text


def test_markup_in_free_text_is_escaped(client, p):
    markup = "<script>alert(1)</script>"
    make_one_to_one(
        p.participant_a,
        p.provider,
        status=DELIVERED,
        nature_of_support=markup,
        actions_agreed=markup,
    )
    OneToOneReferral.objects.create(
        participant=p.participant_a,
        programme_name=markup,
        nature_of_support=markup,
        contact=markup,
        referred_on=dt.date(2021, 7, 1),
    )
    for user, url in (
        (p.provider, _participant_url("participant", p)),
        (p.hub_a_admin, _hub_url("one-to-one", p)),
    ):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert markup not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


class _RollBack(Exception):
    pass


@contextmanager
def _rolled_back():
    """Each hypothesis example inside a savepoint that is undone."""
    try:
        with transaction.atomic():
            yield
            raise _RollBack
    except _RollBack:
        pass


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hours=st.one_of(st.integers(-3, 12).map(str), st.text(max_size=4)),
    minutes=st.one_of(st.sampled_from(["0", "15", "30", "45"]), st.text(max_size=3)),
    day=st.one_of(st.integers(-1, 40).map(str), st.text(max_size=3)),
    start=st.one_of(st.sampled_from(["09:00", "14:30", "23:59", "24:00"]), st.text(max_size=6)),
    status=st.sampled_from(["scheduled", "delivered", "", "bogus"]),
    route=st.sampled_from(["programme", "existing", "x"]),
    text=st.text(max_size=40),
)
def test_random_input_only_ever_gets_an_answer(
    client, p, hours, minutes, day, start, status, route, text
):
    """docs/security.md §19: the log form answers random input with errors (400) or a saved
    session (302), and what it saves has hours above 0 and a provider or a programme."""
    client.force_login(p.provider)
    form = _log_form(
        duration_hours=hours,
        duration_minutes=minutes,
        day_0=day,
        start_time=start,
        status=status,
        route=route,
        existing_programme=text if route == "existing" else "",
        nature_of_support=text,
    )
    with time_machine.travel(local("2021-06-20T12:00"), tick=False), _rolled_back():
        response = client.post(_participant_url("log", p), form)
        assert response.status_code in (302, 400)
        saved = list(OneToOneSession.objects.all())
        assert len(saved) == (1 if response.status_code == 302 else 0)
        for session in saved:
            assert session.hours > 0
            assert session.route in OneToOneRoute.values
            assert session.provider is not None or session.existing_programme.strip()


def test_the_provider_sees_the_participants_contact_details(client, p):
    """To follow up: the email and, when held, the phone, as links; viewing is recorded."""
    p.participant_a.phone = "07700 900456"
    p.participant_a.save(update_fields=["phone"])
    client.force_login(p.provider)
    page = client.get(_participant_url("participant", p)).content.decode()
    contact = page[
        page.index('id="contact-details"') : page.index("</dl>", page.index('id="contact-details"'))
    ]
    assert f'href="mailto:{p.participant_a.email}">{p.participant_a.email}</a>' in contact
    assert 'href="tel:07700900456">07700 900456</a>' in contact
    # Another provider's participant stays out of reach (404).
    client.force_login(make_user(Role.ONE_TO_ONE_PROVIDER, hub=p.hub_a))
    assert client.get(_participant_url("participant", p)).status_code == 404
