"""The public registration form: the start page with the privacy notice first (C2), then the
questions, then check your answers, which alone writes; spam-resistant."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants.models import Business, Participant
from participants.views import ANSWERS_KEPT
from peernet.models import AuditEvent, Programme, RuleWarning
from peernet.privacy.retention import retention_apply
from tests.factories import make_hub, registration_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _urls(hub_key: str) -> tuple[str, str, str]:
    return (
        reverse("public:register", kwargs={"hub": hub_key}),
        reverse("public:register-details", kwargs={"hub": hub_key}),
        reverse("public:register-done", kwargs={"hub": hub_key}),
    )


def _check_url(hub_key: str) -> str:
    return reverse("public:register-check", kwargs={"hub": hub_key})


def _send(client, hub_key: str, data: dict[str, str], **extra: str):
    """The questions answered with `data` (on to check your answers), then "Accept and
    send": the second response."""
    _, details, _ = _urls(hub_key)
    answered = client.post(details, data, **extra)
    assert answered.status_code == 302, answered.content.decode()[:3000]
    assert answered["Location"] == _check_url(hub_key)
    return client.post(_check_url(hub_key), **extra)


def _acknowledge(client, hub_key: str) -> None:
    notice, details, _ = _urls(hub_key)
    response = client.post(notice, {"acknowledged": "on"})
    assert response.status_code == 302
    assert response["Location"] == details


def test_notice_page_shows_the_privacy_notice(client, personas):
    personas.hub_a.privacy_notice_url = "https://hub-a.example.org/privacy"
    personas.hub_a.save()
    notice, _, _ = _urls("hub-a")
    response = client.get(notice)
    assert response.status_code == 200
    content = response.content.decode()
    assert "https://hub-a.example.org/privacy" in content
    assert 'name="acknowledged"' in content
    assert 'name="business_name"' not in content


def test_unknown_hub_is_404(client, personas):
    response = client.get(reverse("public:register", kwargs={"hub": "nowhere"}))
    assert response.status_code == 404


def test_details_need_the_acknowledgement_first(client, personas):
    notice, details, _ = _urls("hub-a")
    assert client.get(details)["Location"] == notice
    before = Participant.objects.count()
    response = client.post(details, registration_form())
    assert response.status_code == 302 and response["Location"] == notice
    assert Participant.objects.count() == before


def test_acknowledgement_unticked_is_an_error(client, personas):
    notice, _, _ = _urls("hub-a")
    response = client.post(notice, {})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_acknowledged">Confirm that you have read the privacy notice' in content


def test_good_registration_creates_business_and_participant(client, personas, mailoutbox):
    _acknowledge(client, "hub-a")
    _, details, done = _urls("hub-a")
    response = client.get(details)
    assert response.status_code == 200
    assert "Somewhere else" in response.content.decode()
    businesses, participants = Business.objects.count(), Participant.objects.count()

    response = client.post(details, registration_form())
    # On to check your answers: nothing written yet.
    assert response.status_code == 302 and response["Location"] == _check_url("hub-a")
    assert (Business.objects.count(), Participant.objects.count()) == (businesses, participants)
    assert mailoutbox == []

    response = client.post(_check_url("hub-a"))

    assert response.status_code == 302 and response["Location"] == done
    assert Business.objects.count() == businesses + 1
    assert Participant.objects.count() == participants + 1
    person = Participant.objects.get(email="priya@example.org")
    assert person.hub == personas.hub_a
    assert person.privacy_notice_acknowledged is not None
    assert person.privacy_notice_acknowledged <= person.registered
    assert person.key.startswith("p-")
    assert person.senior_decision_maker and person.aspiration_to_improve
    assert not person.previous_year_participant
    business = person.business
    assert business.key.startswith("b-")
    assert business.turnover == 1500000 and business.employees == 20
    assert business.postcode == "M1 1AA" and business.local_authority == "Salford"
    assert business.exporter is True and business.scale_up_potential is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["priya@example.org"]
    assert personas.hub_a.name in mailoutbox[0].body

    page = client.get(done)
    assert page.status_code == 200
    assert "Registration received" in page.content.decode()
    assert "Someone else from your business" not in page.content.decode()


def test_somewhere_else_needs_the_local_authority(client, personas):
    _acknowledge(client, "hub-a")
    _, details, _ = _urls("hub-a")
    before = Participant.objects.count()
    response = client.post(details, registration_form(local_authority="elsewhere"))
    assert "Enter the local authority of the trading address" in response.content.decode()
    assert Participant.objects.count() == before
    response = _send(
        client,
        "hub-a",
        registration_form(local_authority="elsewhere", other_local_authority="Leeds"),
    )
    assert response.status_code == 302
    assert Participant.objects.get(email="priya@example.org").business.local_authority == "Leeds"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("business_name", "", "Enter the business name"),
        ("turnover", "lots", "Enter the turnover as a number, like 250000"),
        ("turnover", "-5", "Enter the turnover as a number, like 250000"),
        ("employees", "twelve", "Enter the number of employees as a whole number, like 12"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("postcode", "nowhere", "Enter a real postcode, like SW1A 1AA"),
        ("local_authority", "Atlantis", "Select the local authority of the trading address"),
        ("sector", "Z", "Select the business&#x27;s sector"),
        ("trading_since_1", "13", "must be a real date"),
        ("trading_since_2", "", "as a day, month and year, like 27 3 2019"),
    ],
)
def test_bad_input_gets_govuk_messages_and_writes_nothing(
    client, personas, mailoutbox, field, value, message
):
    _acknowledge(client, "hub-a")
    _, details, _ = _urls("hub-a")
    counts = Business.objects.count(), Participant.objects.count()
    response = client.post(details, registration_form(**{field: value}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert message in content
    assert (Business.objects.count(), Participant.objects.count()) == counts
    assert mailoutbox == []


def test_error_summary_links_to_the_field(client, personas):
    _acknowledge(client, "hub-a")
    _, details, _ = _urls("hub-a")
    content = client.post(details, registration_form(turnover="lots")).content.decode()
    assert '<a href="#id_turnover">Enter the turnover as a number, like 250000</a>' in content
    assert 'id="id_turnover"' in content
    content = client.post(details, registration_form(trading_since_2="")).content.decode()
    assert '<a href="#id_trading_since_0">' in content  # a date links to its first box


def test_honeypot_looks_accepted_but_saves_nothing(client, personas, mailoutbox):
    _acknowledge(client, "hub-a")
    _, details, done = _urls("hub-a")
    counts = Business.objects.count(), Participant.objects.count()
    response = client.post(details, registration_form(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == done
    assert client.get(done).status_code == 200
    assert (Business.objects.count(), Participant.objects.count()) == counts
    assert mailoutbox == []


def test_honeypot_is_hidden_from_people_and_screen_readers(client, personas):
    _acknowledge(client, "hub-a")
    _, details, _ = _urls("hub-a")
    content = client.get(details).content.decode()
    assert '<div hidden aria-hidden="true">' in content
    assert 'name="website"' in content


def test_rate_limit_kicks_in_on_the_sixth_post(client, personas):
    # Registrations sent ("Accept and send") are counted; answering writes nothing.
    _acknowledge(client, "hub-a")
    for n in range(5):
        response = _send(
            client, "hub-a", registration_form(email=f"person{n}@example.org", company_number="")
        )
        assert response.status_code == 302
    before = Participant.objects.count()
    response = _send(
        client,
        "hub-a",
        registration_form(email="sixth@example.org", company_number=""),
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 429
    assert Participant.objects.count() == before
    # A spoofed X-Forwarded-For does not get round it.
    response = client.post(_check_url("hub-a"), HTTP_X_FORWARDED_FOR="10.9.8.7")
    assert response.status_code == 429
    assert Participant.objects.count() == before
    # Another address is not limited: the answers kept are sent from there.
    response = client.post(_check_url("hub-a"), REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302
    assert Participant.objects.filter(email="sixth@example.org").exists()


def test_the_count_is_shared_with_every_other_process(client, personas):
    # A restart or another web process reads the same count: it lives in Redis
    # (settings.CACHES from CACHE_URL), not in this process's memory.
    _acknowledge(client, "hub-a")
    _, details, _ = _urls("hub-a")
    for n in range(3):
        _send(client, "hub-a", registration_form(email=f"person{n}@example.org", company_number=""))
    other_process = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.core.cache import cache; print(cache.get('registration-rate:127.0.0.1'))",
        ],
        cwd=settings.BASE_DIR,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert other_process.stdout.strip() == "3"


def test_second_registration_from_the_same_company_flags_e9(client, personas):
    _acknowledge(client, "hub-a")
    _, details, done = _urls("hub-a")
    assert _send(client, "hub-a", registration_form()).status_code == 302
    response = _send(
        client,
        "hub-a",
        registration_form(first_name="Sam", email="sam@example.org", company_number="1234567"),
    )
    assert response.status_code == 302
    sam = Participant.objects.get(email="sam@example.org")
    priya = Participant.objects.get(email="priya@example.org")
    assert sam.business_id == priya.business_id  # matched by company number (zero-padded)
    assert "Someone else from your business" in client.get(done).content.decode()
    warning = RuleWarning.objects.get(subject_kind="participant", subject_id=sam.pk)
    assert warning.rule == "E9" and warning.action == "participant_register"
    assert "Acme Widgets Ltd" in warning.sentence


def test_markup_in_names_is_escaped_in_the_email_and_pages(client, personas, mailoutbox):
    _acknowledge(client, "hub-a")
    _, details, _ = _urls("hub-a")
    response = client.post(
        details, registration_form(business_name="", first_name="<script>x</script>")
    )
    content = response.content.decode()
    assert "<script>x</script>" not in content
    assert "&lt;script&gt;x&lt;/script&gt;" in content


# --- a registration taken by the hub's staff (issue 15) -----------------------------------


def _staff_url(hub_key: str = "hub-a") -> str:
    return reverse("hub:registration-new", kwargs={"hub": hub_key})


def _staff_form(**overrides: str) -> dict[str, str]:
    return registration_form(
        acknowledged_on_0="2",
        acknowledged_on_1="5",
        acknowledged_on_2="2021",
        email="phoned.in@example.org",
        **overrides,
    )


def test_the_hub_adds_a_registration_with_the_same_rules(client, personas, mailoutbox):
    from peernet.models import AuditEvent

    client.force_login(personas.hub_a_admin)
    assert "Add a registration" in client.get(_staff_url()).content.decode()
    before = Participant.objects.count()
    response = client.post(_staff_url(), _staff_form())
    assert response.status_code == 302
    person = Participant.objects.get(email="phoned.in@example.org")
    assert response["Location"] == reverse(
        "hub:participant", kwargs={"hub": "hub-a", "code": person.code}
    )
    assert Participant.objects.count() == before + 1
    assert (person.hub, person.privacy_notice_acknowledged) == (
        personas.hub_a,
        dt.date(2021, 5, 2),
    )
    event = AuditEvent.objects.get(object_id=str(person.pk), action="create")
    assert event.actor == personas.hub_a_admin
    assert event.summary == "Registration taken by the hub"
    assert mailoutbox == []  # the hub took it: no confirmation email


def test_a_registration_without_the_privacy_notice_date_is_refused(client, personas):
    client.force_login(personas.hub_a_admin)
    before = Participant.objects.count()
    form = _staff_form()
    for part in ("acknowledged_on_0", "acknowledged_on_1", "acknowledged_on_2"):
        form[part] = ""
    response = client.post(_staff_url(), form)
    assert response.status_code == 400
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert "Enter the date they acknowledged the privacy notice" in text
    assert Participant.objects.count() == before


def test_another_hubs_administrator_cannot_add_to_this_hub(client, personas):
    client.force_login(personas.hub_b_admin)
    assert client.get(_staff_url()).status_code == 404
    assert client.post(_staff_url(), _staff_form()).status_code == 404
    assert not Participant.objects.filter(email="phoned.in@example.org").exists()


# --- a registration corrected by the hub (issue 15) ---------------------------------------


def _edit_url(person) -> str:
    return reverse("hub:participant-edit", kwargs={"hub": person.hub.key, "code": person.code})


def _as_shown(client, person) -> dict[str, str]:
    """The correction form's fields as the page fills them, ready to post back."""
    from participants.forms import CorrectionForm, registration_initial

    form = CorrectionForm(hub=person.hub, initial=registration_initial(person))
    data: dict[str, str] = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if name == "trading_since":
            data.update({"trading_since_0": str(value.day), "trading_since_1": str(value.month)})
            data["trading_since_2"] = str(value.year)
        elif value is not None:
            data[name] = str(value)
    return data


def test_the_hub_corrects_a_registration_audited_and_judged_again(client, personas):
    from peernet.models import AuditEvent, RuleWarning

    person = personas.participant_a2
    client.force_login(personas.hub_a_admin)
    assert "Correct the registration" in client.get(_edit_url(person)).content.decode()
    data = _as_shown(client, person)
    data.update(email="alex.corrected@example.org", employees="3", postcode="M1 1AA")
    response = client.post(_edit_url(person), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.email == "alex.corrected@example.org"
    assert person.business.employees == 3
    event = AuditEvent.objects.filter(
        object_id=str(person.pk), summary="Registration corrected"
    ).get()
    assert event.after == {"participant": ["email"], "business": ["postcode", "employees"]}
    # E3 now fails: recorded for the hub, and shown.
    assert RuleWarning.objects.filter(
        subject_id=person.pk, rule="E3", action="participant_correct"
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "E3: " in page


def test_bad_input_changes_nothing(client, personas):
    person = personas.participant_a2
    client.force_login(personas.hub_a_admin)
    data = _as_shown(client, person)
    data.update(email="not an email", employees="many", postcode="M1 1AA")
    response = client.post(_edit_url(person), data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    person.refresh_from_db()
    assert person.email != "not an email"


def test_a_business_shared_with_another_hub_is_the_coordinators_to_correct(client, personas):
    person = personas.participant_a  # its business also has a hub B registration
    person.business.postcode = "M1 1AA"
    person.business.save(update_fields=["postcode"])
    client.force_login(personas.hub_a_admin)
    data = _as_shown(client, person)
    data.update(employees="99")
    response = client.post(_edit_url(person), data)
    assert "only the national coordinator can correct" in response.content.decode()
    person.business.refresh_from_db()
    assert person.business.employees != 99
    # The person's own details are theirs to correct.
    data = _as_shown(client, person)
    data.update(phone="0161 111 2222")
    assert client.post(_edit_url(person), data).status_code == 302
    client.force_login(personas.hub_b_admin)
    assert client.get(_edit_url(person)).status_code == 404


def _seen(page: str) -> str:
    match = re.search(r'name="seen" value="([^"]+)"', page)
    assert match, "the edit page carries what it showed"
    return match.group(1)


def test_two_administrators_editing_at_once_the_second_is_told_what_changed(client, personas):
    """Both open the form; the first saves a new email address; the second, saving a new
    phone number, is refused and told the first's change, field by field; nothing of
    theirs is saved until they save again from the page as it now stands."""
    from django.test import Client

    person = personas.participant_a2
    person.business.postcode = "M1 1AA"  # the form asks for one
    person.business.save(update_fields=["postcode"])
    first, second = client, Client()
    first.force_login(personas.hub_a_admin)
    second.force_login(personas.coordinator)
    first_data = {
        **_as_shown(first, person),
        "seen": _seen(first.get(_edit_url(person)).content.decode()),
    }
    second_data = {
        **_as_shown(second, person),
        "seen": _seen(second.get(_edit_url(person)).content.decode()),
    }
    old_email, old_phone = person.email, person.phone

    first_data["email"] = "first.editor@example.org"
    assert first.post(_edit_url(person), first_data).status_code == 302

    second_data["phone"] = "0161 000 0000"
    refused = second.post(_edit_url(person), second_data)
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "Someone else saved" in page
    assert f"“{old_email}” is now “first.editor@example.org”" in page
    person.refresh_from_db()
    assert (person.email, person.phone) == ("first.editor@example.org", old_phone)

    # From the page as it now stands (its new "seen"), the second saves; the email kept.
    again = {**_as_shown(second, person), "phone": "0161 000 0000", "seen": _seen(page)}
    assert second.post(_edit_url(person), again).status_code == 302
    person.refresh_from_db()
    assert (person.email, person.phone) == ("first.editor@example.org", "0161 000 0000")


def test_a_forged_seen_field_is_refused(client, personas):
    person = personas.participant_a2
    person.business.postcode = "M1 1AA"  # the form asks for one
    person.business.save(update_fields=["postcode"])
    client.force_login(personas.hub_a_admin)
    data = {**_as_shown(client, person), "seen": "forged", "phone": "0161 000 0000"}
    response = client.post(_edit_url(person), data)
    assert response.status_code == 400
    assert "The page was changed on its way back" in html.unescape(response.content.decode())
    person.refresh_from_db()
    assert person.phone != "0161 000 0000"


# --- the start page, check your answers (issue 18) ----------------------------------------


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.mark.parametrize("method", ["get", "post"])
def test_before_any_programme_is_set_up_the_start_page_says_registration_is_not_open(
    client, method
):
    make_hub("hub-z", name="Zed Growth Hub")
    assert not Programme.objects.exists()
    page = getattr(client, method)(_urls("hub-z")[0], {"acknowledged": "on"})
    assert page.status_code == 200
    text = _text(page)
    assert "Registration is not open yet" in text and "Zed Growth Hub" in text
    assert "Start now" not in text
    assert not client.session.get("registration_privacy_acknowledged")


def test_the_start_page_says_who_can_take_part_before_asking_anything(client, personas):
    page = client.get(_urls("hub-a")[0])
    text = _text(page)
    for words in (
        "at least 2 of these 3 tests: no more than 250 employees, a turnover of no more than "
        "£36,000,000, and a balance sheet total of no more than £18,000,000",
        "trading for at least 12 months",
        "at least 5 employees on PAYE",
        "a turnover of at least £100,000 a year",
        "You want to improve how your business performs",
        "You are a senior decision maker in the business",
        "You did not take part in Peer Networks last year",
        "It helps, but is not needed, if: Your business has the potential to scale up",
        "You join a group of up to 11 business leaders",
        "meets for 18 hours in all, in sessions of 2 to 3 hours",
        "at least 3.5 hours of one-to-one support",
        "You sign the Participant Charter",
    ):
        assert words in text, words
    # The criteria come before the one question (the privacy notice), and no rule's ID shows.
    assert text.index("Who can take part") < text.index("I have read the privacy notice")
    assert not re.search(r"\b[ECKO][0-9]{1,2}\b", text)
    assert "Start now" in text


def test_the_criteria_are_the_programmes_own_numbers(client, personas):
    programme = Programme.current()
    programme.min_paye_employees, programme.one_to_one_hours = 4, 6
    programme.save(update_fields=["min_paye_employees", "one_to_one_hours"])
    text = _text(client.get(_urls("hub-a")[0]))
    assert "at least 4 employees on PAYE" in text and "at least 5 employees" not in text
    assert "at least 6 hours of one-to-one support" in text


def _answered(client, **overrides: str) -> None:
    _acknowledge(client, "hub-a")
    response = client.post(_urls("hub-a")[1], registration_form(**overrides))
    assert response.status_code == 302 and response["Location"] == _check_url("hub-a")


def test_check_your_answers_shows_them_and_writes_nothing(client, personas, mailoutbox):
    counts = Business.objects.count(), Participant.objects.count()
    _answered(client, local_authority="elsewhere", other_local_authority="Leeds")
    page = client.get(_check_url("hub-a"))
    assert page.status_code == 200
    text = _text(page)
    for question, answer in (
        ("Business name", "Acme Widgets Ltd"),
        ("Company number", "01234567"),
        ("Local authority", "Leeds"),
        ("Started trading", "1 March 2015"),
        ("Turnover", "£1,500,000"),
        ("Exports or could export", "Yes"),
        ("Potential to scale up", "No"),
        ("Name", "Priya Patel"),
        ("Senior decision maker", "Yes"),
        ("Took part last year", "No"),
    ):
        assert f"{question} {answer} Change" in text, question
    details = _urls("hub-a")[1]
    content = page.content.decode()
    assert f'href="{details}#id_turnover"' in content
    assert f'href="{details}#id_trading_since_0"' in content
    assert f'href="{details}#id_exporter_1"' in content
    assert "Accept and send" in text
    assert (Business.objects.count(), Participant.objects.count()) == counts
    assert mailoutbox == []
    # Nothing the person could change travels in the page: the answers stay in the session.
    form = content.split("Accept and send")[0].split("<form")[-1]
    assert re.findall(r'<input type="hidden" name="([^"]+)"', form) == ["csrfmiddlewaretoken"]


def test_change_goes_back_with_the_answers_kept(client, personas):
    _answered(client, business_name="Acme Gadgets Ltd", has_company_number="no", company_number="")
    page = client.get(_urls("hub-a")[1]).content.decode()
    assert 'value="Acme Gadgets Ltd"' in page
    assert re.search(r'id="id_exporter_1"\s+value="yes"\s+checked', page)
    assert re.search(r'id="id_has_company_number_2"\s+value="no"\s+checked', page)
    assert "govuk-error-summary" not in page
    # A changed answer replaces the one kept; the check page shows it.
    client.post(_urls("hub-a")[1], registration_form(business_name="Acme Gizmos Ltd"))
    assert "Business name Acme Gizmos Ltd" in _text(client.get(_check_url("hub-a")))


def test_without_answers_kept_check_sends_back_to_the_start(client, personas, mailoutbox):
    before = Participant.objects.count()
    _acknowledge(client, "hub-a")
    for response in (client.get(_check_url("hub-a")), client.post(_check_url("hub-a"))):
        assert response.status_code == 302 and response["Location"] == _urls("hub-a")[0]
    page = client.get(_urls("hub-a")[0])
    assert "Your answers were not kept" in _text(page)
    assert Participant.objects.count() == before and mailoutbox == []


def test_answers_kept_too_long_are_not_sent(client, personas, mailoutbox):
    _answered(client)
    session = client.session
    kept = session["registration_answers"]
    saved = dt.datetime.fromisoformat(kept["hub-a"]["saved"])
    kept["hub-a"]["saved"] = (saved - ANSWERS_KEPT - dt.timedelta(minutes=1)).isoformat()
    session["registration_answers"] = kept
    session.save()
    before = Participant.objects.count()
    response = client.post(_check_url("hub-a"))
    assert response.status_code == 302 and response["Location"] == _urls("hub-a")[0]
    assert "Your answers were not kept" in _text(client.get(response["Location"]))
    assert Participant.objects.count() == before and mailoutbox == []
    # Nor are they shown again on the questions page.
    assert 'value="Acme Widgets Ltd"' not in client.get(_urls("hub-a")[1]).content.decode()


@pytest.mark.parametrize(
    "tampered",
    [
        {"employees": "many"},
        {"senior_decision_maker": "on"},
        {"has_company_number": "yes", "company_number": ""},
        {"local_authority": "Atlantis"},
    ],
)
def test_answers_changed_in_the_session_are_checked_again_and_not_sent(
    client, personas, mailoutbox, tampered
):
    _answered(client)
    session = client.session
    kept = session["registration_answers"]
    kept["hub-a"]["data"].update(tampered)
    session["registration_answers"] = kept
    session.save()
    before = Business.objects.count(), Participant.objects.count()
    response = client.post(_check_url("hub-a"))
    assert response.status_code == 302 and response["Location"] == _urls("hub-a")[0]
    assert "Some of your answers could not be used" in _text(client.get(response["Location"]))
    assert (Business.objects.count(), Participant.objects.count()) == before
    assert mailoutbox == []


def test_the_acknowledgement_lost_sends_back_to_the_start(client, personas):
    _answered(client)
    session = client.session
    del session["registration_privacy_acknowledged"]
    session.save()
    before = Participant.objects.count()
    response = client.post(_check_url("hub-a"))
    assert response["Location"] == _urls("hub-a")[0]
    assert Participant.objects.count() == before


def test_sent_twice_one_registration(client, personas, mailoutbox):
    _answered(client)
    session_before = dict(client.session["registration_answers"])
    before = Participant.objects.count()
    first = client.post(_check_url("hub-a"))
    second = client.post(_check_url("hub-a"))  # the button pressed again
    done = _urls("hub-a")[2]
    assert first["Location"] == second["Location"] == done
    assert Participant.objects.count() == before + 1
    assert len(mailoutbox) == 1
    person = Participant.objects.get(email="priya@example.org")
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="create").count() == 1
    # Sent at once from two tabs, both holding the answers: the claim lets one through.
    session = client.session
    session["registration_answers"] = session_before
    session.save()
    third = client.post(_check_url("hub-a"))
    assert third["Location"] == done
    assert Participant.objects.count() == before + 1 and len(mailoutbox) == 1


def test_the_honeypot_on_the_questions_page_keeps_nothing(client, personas):
    _acknowledge(client, "hub-a")
    client.post(_urls("hub-a")[1], registration_form(website="http://spam.example"))
    assert "hub-a" not in client.session.get("registration_answers", {})


def test_answers_left_in_an_ended_session_are_deleted(client, personas):
    _answered(client)  # and never sent
    ended = client.session.session_key
    other = Client()
    _answered(other)
    live = other.session.session_key
    Session.objects.filter(session_key=ended).update(
        expire_date=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    retention_apply()
    assert not Session.objects.filter(session_key=ended).exists()
    assert Session.objects.filter(session_key=live).exists()
