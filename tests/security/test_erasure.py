"""Subject access (docs/security.md §22) and erasure (docs/security.md §23) of one participant."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from participants.models import EqualityData, SurveyInvitation, SurveyResponse
from peernet import privacy
from peernet.models import AuditEvent
from reporting.models import Finding
from sessions.models import ActionCard, ActionPlan, Attendance, Complaint, FacilitatorNote
from tests.security.conftest import STORY

pytestmark = pytest.mark.django_db


# --- subject access -----------------------------------------------------------------------


def test_the_json_export_holds_every_kind_of_record_about_them(client, rich):
    client.force_login(rich.p.hub_a_admin)
    response = client.get(reverse("privacy:export-json", kwargs={"code": rich.person.code}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    records = document["records"]
    # Every participant entry of the registry that is installed has a section.
    assert set(records) == {e.model for e in privacy.participant_entries()}
    assert records["participants.Participant"]["rows"][0]["email"] == "jordan@quill.example"
    assert records["participants.Business"]["rows"][0]["name"] == "Quill Widgets Ltd"
    assert records["delivery.Attendance"]["rows"][0]["hours"] == "2.50"
    assert records["delivery.ActionCard"]["rows"][0]["actions"] == "Call the bank"
    assert records["participants.SurveyResponse"]["rows"][0]["answers"]["story"] == STORY
    assert records["participants.EqualityData"]["rows"][0]["gender"] == "female"
    assert [c["key"] for c in records["delivery.Complaint"]["rows"]] == [
        "c-1",
        "c-2",
    ]
    # Another participant's records are not in it.
    assert "participant_a2" not in json.dumps(document)
    other = rich.p.participant_a2.email
    assert other not in response.content.decode()


def test_every_export_is_audited(client, rich):
    client.force_login(rich.p.coordinator)
    for name in ("export-json", "export-pdf"):
        client.get(reverse(f"privacy:{name}", kwargs={"code": rich.person.code}))
    events = AuditEvent.objects.filter(
        action="export", object_type="participants.participant", object_id=str(rich.person.pk)
    ).order_by("pk")
    assert [e.summary for e in events] == [
        "Subject access export (JSON)",
        "Subject access export (PDF)",
    ]
    assert {e.actor_email for e in events} == {rich.p.coordinator.email}
    assert {e.hub_id for e in events} == {rich.p.hub_a.pk}


def test_the_pdf_export_is_readable(client, rich):
    client.force_login(rich.p.hub_a_admin)
    response = client.get(reverse("privacy:export-pdf", kwargs={"code": rich.person.code}))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Jordan Quill" in text
    assert "Call the bank" in text
    assert "jordan@quill.example" in text


# --- erasure --------------------------------------------------------------------------------


def _erase(rich, reason="Asked to be forgotten on 1 March"):
    return privacy.erase_participant(rich.person, rich.p.hub_a_admin, reason)


def test_erasure_replaces_identifiers_and_erases_free_text(rich):
    _erase(rich)
    person = rich.person
    person.refresh_from_db()
    short = person.code.hex[:12]
    assert (person.first_name, person.last_name) == ("Erased", f"participant {short}")
    assert person.email == f"erased-{short}@erased.invalid"
    assert (person.phone, person.job_title) == ("", "")
    assert person.key == f"erased-{short}"
    assert person.eligibility_notes == privacy.ERASED
    business = person.business
    business.refresh_from_db()
    assert business.name.startswith("Erased business ")
    assert (business.company_number, business.postcode) == ("", "")
    # The numbers stay.
    assert (business.employees, business.turnover) == (20, Decimal("1500000.00"))
    card = ActionCard.objects.get(participant=person)
    assert (card.actions, card.report_back) == (privacy.ERASED, "")
    assert ActionPlan.objects.get(participant=person).goal == privacy.ERASED
    response = SurveyResponse.objects.get(participant=person)
    assert response.answers == {"story": privacy.ERASED, "score": 4}
    assert SurveyInvitation.objects.get(participant=person).draft == {}
    note = FacilitatorNote.objects.get(session=rich.session)
    name = f"Erased participant {short}"
    assert note.issues_brought == f"{name} raised late payments; Sam raised hiring."
    assert note.actions_agreed == "Everyone to test one idea."
    mine = Complaint.objects.get(pk=rich.complaint.pk)
    assert (mine.received_from, mine.summary) == (name, privacy.ERASED)
    other = Complaint.objects.get(pk=rich.other_complaint.pk)
    assert other.summary == f"The room was cold; {name} left early."
    assert other.received_from == "A facilitator"
    finding = Finding.objects.get(participant=person)
    assert finding.subject_name == name
    assert "Quill" not in finding.sentence
    exception = person.eligibility_exceptions.get()
    assert exception.details == privacy.ERASED
    assert exception.agreed_by == "The hub manager"
    outcome = person.eligibility_outcomes.get()
    assert "Quill" not in outcome.sentence
    # Kept: attendance hours, equality answers (now about nobody).
    assert Attendance.objects.get(participant=person).hours == Decimal("2.50")
    assert EqualityData.objects.get(participant=person).gender == "female"


def test_nothing_identifying_is_left_anywhere_in_the_export(client, rich):
    _erase(rich)
    client.force_login(rich.p.coordinator)
    content = client.get(
        reverse("privacy:export-json", kwargs={"code": rich.person.code})
    ).content.decode()
    for identifier in ("Jordan", "Quill", "jordan@quill.example", "0161 496 0000", "01234567"):
        assert identifier.lower() not in content.lower(), identifier


def test_erasure_is_audited_without_the_erased_data(rich):
    _erase(rich)
    (event,) = AuditEvent.objects.filter(action="erase")
    assert event.object_id == str(rich.person.pk)
    assert event.actor_email == rich.p.hub_a_admin.email
    assert event.after["reason"] == "Asked to be forgotten on 1 March"
    assert "Quill" not in json.dumps(event.after) + event.summary


def test_erasing_twice_changes_nothing_more(rich):
    _erase(rich)
    rich.person.refresh_from_db()
    business_name = rich.person.business.name
    before = json.dumps(
        privacy.subject_access_document(rich.person, by=None, at=rich.session.starts_at)["records"],
        sort_keys=True,
        default=str,
    )
    _erase(rich)
    rich.person.refresh_from_db()
    after = json.dumps(
        privacy.subject_access_document(rich.person, by=None, at=rich.session.starts_at)["records"],
        sort_keys=True,
        default=str,
    )
    # Only the second erase event is new in the audit section.
    assert _without_audit(before) == _without_audit(after)
    assert rich.person.business.name == business_name
    assert AuditEvent.objects.filter(action="erase").count() == 1


def _without_audit(text: str) -> dict:
    records = json.loads(text)
    records.pop("peernet.AuditEvent", None)
    return records


def test_a_shared_business_keeps_its_name_until_its_last_participant_is_erased(rich):
    from tests.factories import make_participant

    colleague = make_participant(rich.p.hub_a, rich.p.programme, business=rich.person.business)
    _erase(rich)
    rich.person.business.refresh_from_db()
    assert rich.person.business.name == "Quill Widgets Ltd"
    privacy.erase_participant(colleague, rich.p.coordinator, "Asked too")
    rich.person.business.refresh_from_db()
    assert rich.person.business.name.startswith("Erased business ")


def test_a_reason_is_required(rich):
    with pytest.raises(privacy.ErasureRefused):
        privacy.erase_participant(rich.person, rich.p.coordinator, "   ")
    rich.person.refresh_from_db()
    assert rich.person.first_name == "Jordan"


# --- the confirmation page ------------------------------------------------------------------


def test_the_page_erases_only_when_the_code_is_typed(client, rich):
    client.force_login(rich.p.hub_a_admin)
    url = reverse("privacy:erase", kwargs={"code": rich.person.code})
    wrong = client.post(url, {"confirm_code": "not-the-code", "reason": "Asked"})
    assert wrong.status_code == 200
    assert "The code you typed does not match" in wrong.content.decode()
    rich.person.refresh_from_db()
    assert rich.person.first_name == "Jordan"
    missing = client.post(url, {"confirm_code": str(rich.person.code), "reason": ""})
    assert "Enter why their data is being erased" in missing.content.decode()
    done = client.post(
        url, {"confirm_code": f" {str(rich.person.code).upper()} ", "reason": "Art 17"}
    )
    assert done.status_code == 302
    rich.person.refresh_from_db()
    assert rich.person.first_name == "Erased"
    # Once erased, the page says so and offers nothing to do.
    again = client.get(url)
    assert again.status_code == 302


def test_the_hub_participant_page_links_to_the_privacy_page_and_is_audited(client, rich):
    client.force_login(rich.p.hub_a_admin)
    page = client.get(reverse("hub:participant", kwargs={"hub": "hub-a", "code": rich.person.code}))
    assert (
        reverse("privacy:participant", kwargs={"code": rich.person.code}) in page.content.decode()
    )
    (event,) = AuditEvent.objects.filter(action="view")
    assert (event.object_type, event.object_id) == ("participants.participant", str(rich.person.pk))
    assert event.actor_email == rich.p.hub_a_admin.email
    assert event.hub_id == rich.p.hub_a.pk
