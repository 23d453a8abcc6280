"""The subject access PDF (docs/security.md §22) is written for the person it is about (issue
22): their records under headings addressed to them, readable labels rather than field
names, no internal ids, dates in words, survey answers as question and answer; tagged
(PDF/UA-1), titled, every table cell inside the page. The Participant Action Record, the
other PDF a participant is handed, is held to the same."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from peernet import privacy
from peernet.privacy_views import subject_access_html
from sessions.action_record import action_record_html
from sessions.models import ActionPlan, OneToOneSession
from tests.factories import local, make_one_to_one
from tests.pdfs import assert_accessible_pdf, lay_out

pytestmark = pytest.mark.django_db


def _text(reader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_subject_access_pdf_is_written_for_the_person(client, rich):
    person = rich.person
    client.force_login(rich.p.hub_a_admin)
    response = client.get(reverse("privacy:export-pdf", kwargs={"code": person.code}))
    assert response.status_code == 200
    reader = assert_accessible_pdf(
        response.content, f"Your personal data held by {rich.p.hub_a.name}"
    )
    text = _text(reader)
    assert "Dear Jordan," in text
    # Headings addressed to them, labels in words.
    for words in (
        "Your details",
        "Your survey answers",
        "Who has seen or changed your record",
        "Email address jordan@quill.example",
        "Phone number 0161 496 0000",
        "Kept: 7 years after the end of your programme year, then erased with your record.",
    ):
        assert words in text, words
    # Dates in words, times in UK time.
    assert "1 July 2021" in text and "2021-07-01" not in text
    # Survey answers as question and answer, the scale with its number.
    assert "Exit (test): your answers" in text
    assert "Tell us Jordan Quill told us about Quill Widgets' cash flow." in text
    assert "Score 4" in text
    assert "answers_" not in text and '{"' not in text
    # No field names, no internal ids, keys or codes.
    for internal in ("first_name", "eligibility_notes", "participant_id", "object_id"):
        assert internal not in text, internal
    assert str(person.code) not in text and person.key not in text
    for row_id in (person.pk, rich.session.pk, rich.one_to_one.pk, rich.complaint.pk):
        assert not re.search(rf"\bID {row_id}\b", text)
    assert "c-1" not in text  # the complaint's key

    layout = lay_out(subject_access_html(person, at=local("2021-08-01T10:00")))
    assert layout.cells > 40
    assert layout.beyond == []
    assert layout.warnings == []  # WeasyPrint understood every style


def test_every_record_is_in_the_readable_copy(rich):
    """The PDF leaves nothing out that the JSON export holds: the same sections, the
    same number of records in each."""
    sections = privacy.subject_access_readable(rich.person)
    document = privacy.subject_access_sections(rich.person)
    assert [len(s.records) for s in sections] == [len(s.rows) for s in document]
    titles = {s.title for s in sections}
    assert {"Your details", "Your business", "Your action plan"} <= titles
    details = dict(sections[0].records[0].facts)
    assert details["First name"] == "Jordan"
    assert details["A senior decision maker in the business"] in ("Yes", "No")
    assert "ID" not in details and "Code" not in details and "Key" not in details


def test_the_action_record_pdf_is_tagged_and_fits(client, personas):
    person = personas.participant_a
    for day in range(1, 9):  # enough sessions for the table to run onto a second page
        make_one_to_one(
            person,
            personas.provider,
            starts_at=local(f"2021-06-{day:02d}T14:00"),
            hours=Decimal("0.5"),
            status="delivered",
            nature_of_support="Cash-flow planning with a thirteen-week rolling forecast " * 4,
            actions_agreed="https://example.org/a-very-long-link-without-any-spaces-at-all" * 2,
        )
    ActionPlan.objects.create(
        participant=person, goal="Double exports", agreed_on=dt.date(2021, 6, 5)
    )
    assert OneToOneSession.objects.filter(participant=person).count() == 8
    client.force_login(personas.provider)
    response = client.get(
        reverse("one_to_one:action-record", kwargs={"hub": "hub-a", "code": person.code})
    )
    assert response.status_code == 200
    reader = assert_accessible_pdf(
        response.content, f"Participant Action Record – {person.full_name}"
    )
    assert len(reader.pages) >= 3
    # The sessions' table runs over two pages, its header row repeated on the second.
    for page in reader.pages[:2]:
        assert "Date Route Hours Support given and actions agreed" in page.extract_text()
    html = action_record_html(person, as_of=local("2021-07-01T12:00"))
    layout = lay_out(html)
    assert layout.cells > 30
    assert layout.beyond == []
    assert layout.warnings == []  # WeasyPrint understood every style
