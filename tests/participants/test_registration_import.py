"""Bulk import of registrations: template, preview with every problem, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from participants import registration_import as importer
from participants.models import Business, Participant
from peernet.models import RuleWarning
from tests.factories import make_business, make_participant
from tests.pages import HUB_OUTSIDERS

pytestmark = pytest.mark.django_db


def _url(name: str, hub: str = "hub-a", **kwargs: str) -> str:
    return reverse(f"hub:registrations-import{name}", kwargs={"hub": hub, **kwargs})


def _row(n: int, **overrides: str) -> dict[str, str]:
    row = {
        "business_name": f"Imported {n} Ltd",
        "company_number": f"{n:08d}",
        "postcode": "M1 1AA",
        "local_authority": "Salford",
        "sector": "C",
        "trading_since": "2015-03-27",
        "employees": "20",
        "turnover": "1,500,000",
        "balance_sheet_total": "600000",
        "exporter": "yes",
        "scale_up_potential": "",
        "first_name": "Person",
        "last_name": f"Number{n}",
        "email": f"person{n}@example.org",
        "phone": "",
        "job_title": "Director",
        "senior_decision_maker": "yes",
        "aspiration_to_improve": "Yes",
        "previous_year_participant": "no",
        "registered": "04/05/2021",
        "privacy_notice_acknowledged": "2021-05-04",
    }
    row.update(overrides)
    return row


def _csv(rows: list[dict[str, str]], columns=importer.COLUMNS, bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def _upload(client, content: bytes, name: str = "registrations.csv", hub: str = "hub-a"):
    return client.post(_url("", hub), {"file": SimpleUploadedFile(name, content)})


def _counts() -> tuple[int, int, int]:
    return Business.objects.count(), Participant.objects.count(), RuleWarning.objects.count()


def _token(content: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', content)
    assert match, "no confirm button"
    return match.group(1)


@pytest.fixture
def admin(client, personas):
    client.force_login(personas.hub_a_admin)
    return client


def test_the_upload_page_states_the_limits_the_importer_applies(admin):
    page = admin.get(_url("")).content.decode()
    assert f"up to 2 MB and {importer.MAX_ROWS:,} registrations" in page
    assert "up to 2 MB and 1,000 registrations" in page


def test_good_csv_previews_then_imports_every_row(admin, personas):
    before = _counts()
    response = _upload(admin, _csv([_row(1), _row(2), _row(3)]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Import 3 registrations" in content
    assert "govuk-tag--red" not in content
    assert _counts() == before  # the preview writes nothing

    response = admin.post(_url("-confirm"), {"token": _token(content)})

    assert response.status_code == 302
    assert response["Location"] == reverse("hub:registrations", kwargs={"hub": "hub-a"})
    assert Participant.objects.count() == before[1] + 3
    assert Business.objects.count() == before[0] + 3
    person = Participant.objects.get(email="person2@example.org")
    assert person.hub == personas.hub_a and person.programme == personas.programme
    assert person.registered == dt.date(2021, 5, 4)
    assert person.privacy_notice_acknowledged == dt.date(2021, 5, 4)
    assert person.senior_decision_maker and person.aspiration_to_improve
    assert not person.previous_year_participant
    business = person.business
    assert business.company_number == "00000002" and business.turnover == 1500000
    assert business.trading_since == dt.date(2015, 3, 27) and business.local_authority == "Salford"
    assert business.exporter is True and business.scale_up_potential is None

    listing = admin.get(response["Location"]).content.decode()
    assert "3 registrations imported." in listing
    assert "Person Number1" in listing and "Imported 3 Ltd" in listing

    # The token is spent: confirming again imports nothing more.
    again = admin.post(_url("-confirm"), {"token": _token(content)})
    assert again.status_code == 302 and Participant.objects.count() == before[1] + 3


def test_faulty_csv_shows_every_problem_and_writes_nothing(admin):
    rows = [
        _row(1),
        _row(2, turnover="lots"),
        _row(3, first_name=""),
        _row(4, trading_since="27 March 2015"),
        _row(5, registered="2021-05-04", privacy_notice_acknowledged="2021-05-10"),
        _row(6, email="PERSON1@example.org"),
        _row(7, exporter="maybe", registered="31/02/2021"),
    ]
    before = _counts()

    response = _upload(admin, _csv(rows))

    assert response.status_code == 200
    content = response.content.decode()
    for expected in (
        "Row 3, turnover: Enter the turnover as a number, like 250000",
        "Row 4, first_name: Enter your first name",
        "Row 5, trading_since: Enter the date the business started trading as YYYY-MM-DD",
        "Row 6: The privacy notice must be acknowledged before any further information",
        "Row 7, email: The same email address is already on row 2",
        "Row 8, exporter: Enter yes or no",
        "Row 8, registered: The date they registered must be a real date",
    ):
        assert expected in content
    assert "Nothing was imported: 6 of 7 rows have problems" in content
    assert 'name="token"' not in content
    assert _counts() == before


def test_unknown_and_missing_columns_are_named(admin):
    columns = [c for c in importer.COLUMNS if c != "postcode"] + ["favourite_colour"]
    before = _counts()
    response = _upload(admin, _csv([_row(1)], columns=columns))
    content = response.content.decode()
    assert "The header row has unknown columns: favourite_colour" in content
    assert "The header row is missing the columns: postcode" in content
    assert "govuk-error-summary" in content
    assert _counts() == before


def test_a_row_failing_at_the_service_takes_back_the_whole_import(admin, personas, monkeypatch):
    """All or nothing even when a row passes the preview and fails at the commit."""
    response = _upload(admin, _csv([_row(1), _row(2)]))
    token = _token(response.content.decode())
    before = _counts()
    original = importer.participant_register

    def register(**arguments):
        if arguments["email"] == "person2@example.org":
            from django.core.exceptions import ValidationError

            raise ValidationError("Refused for the test.")
        return original(**arguments)

    monkeypatch.setattr(importer, "participant_register", register)
    response = admin.post(_url("-confirm"), {"token": token})
    assert response.status_code == 200
    assert "Row 3: Refused for the test." in response.content.decode()
    assert _counts() == before


def test_e9_is_a_warning_not_an_error(admin, personas):
    existing = make_business(company_number="00000001")
    make_participant(personas.hub_a, personas.programme, business=existing)
    rows = [_row(1), _row(2, company_number="00000009"), _row(3, company_number="9")]
    response = _upload(admin, _csv(rows))
    content = response.content.decode()
    assert "Row 2, company_number: E9: Another registration from" in content
    assert "Row 4, company_number: E9: Another registration from Imported 2 Ltd" in content
    participants = Participant.objects.count()
    admin.post(_url("-confirm"), {"token": _token(content)})
    assert Participant.objects.count() == participants + 3
    assert Participant.objects.get(email="person1@example.org").business == existing


def test_xlsx_imports(admin):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(importer.COLUMNS))
    for n in (1, 2):
        row = _row(n, trading_since="", registered="", employees="")
        values = [row[c] for c in importer.COLUMNS]
        index = importer.COLUMNS.index
        values[index("trading_since")] = dt.datetime(2015, 3, 27)  # noqa: DTZ001 (Excel dates are naive)
        values[index("registered")] = dt.date(2021, 5, 4)
        values[index("employees")] = 20.0
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = Participant.objects.count()

    response = _upload(admin, buffer.getvalue(), name="registrations.XLSX")

    content = response.content.decode()
    assert "Import 2 registrations" in content, content
    admin.post(_url("-confirm"), {"token": _token(content)})
    assert Participant.objects.count() == before + 2
    assert Participant.objects.get(email="person1@example.org").business.employees == 20


def test_csv_without_bom_and_with_blank_lines(admin):
    content = _csv([_row(1)], bom=False) + b"\r\n,,,\r\n"
    response = _upload(admin, content)
    assert "Import 1 registration<" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"x" * (importer.MAX_BYTES + 1), "big.csv", "The file must be smaller than 2 MB"),
        (b"a,b\n", "list.txt", "The file must be a CSV or XLSX file"),
        (b"not a zip", "list.xlsx", "The file could not be read as an XLSX workbook"),
        ("é".encode("latin-1"), "list.csv", "The file must be saved as CSV UTF-8"),
    ],
)
def test_unreadable_files_are_refused(admin, content, name, message):
    before = _counts()
    response = _upload(admin, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


def test_too_many_rows_are_refused(admin, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    response = _upload(admin, _csv([_row(1), _row(2), _row(3)]))
    assert "The file has more than 2 registrations" in response.content.decode()


def test_template_downloads(admin, personas):
    response = admin.get(_url("-template", kind="csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('registrations-template.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == importer.COLUMNS and len(rows) == 2

    response = admin.get(_url("-template", kind="xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert tuple(next(sheet.iter_rows(values_only=True))) == importer.COLUMNS

    assert admin.get(_url("-template", kind="exe")).status_code == 404


def test_template_imports_as_it_stands(admin):
    template = admin.get(_url("-template", kind="csv")).content
    response = _upload(admin, template)
    assert "Import 1 registration<" in response.content.decode()


def test_upload_page_links_the_templates(admin):
    response = admin.get(_url(""))
    assert response.status_code == 200
    content = response.content.decode()
    assert _url("-template", kind="csv") in content and _url("-template", kind="xlsx") in content


def test_no_file_is_an_error(admin):
    response = admin.post(_url(""), {})
    assert "Select a CSV or XLSX file" in response.content.decode()


def test_cells_are_escaped_in_the_preview(admin):
    response = _upload(admin, _csv([_row(1, first_name="<script>alert(1)</script>")]))
    content = response.content.decode()
    assert "<script>alert(1)" not in content and "&lt;script&gt;" in content


@pytest.mark.parametrize("role", HUB_OUTSIDERS)
def test_pages_are_404_for_others(client, personas, role):
    client.force_login(getattr(personas, role))
    assert client.get(_url("")).status_code == 404
    assert client.get(_url("-template", kind="csv")).status_code == 404
    assert _upload(client, _csv([_row(1)])).status_code == 404
    assert client.post(_url("-confirm"), {"token": "x"}).status_code == 404


def test_pages_redirect_anonymous_to_login(client, personas):
    for response in (client.get(_url("")), client.post(_url("-confirm"), {"token": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_tampered_or_unknown_token_writes_nothing(admin, personas):
    _upload(admin, _csv([_row(1)]))
    before = _counts()
    for token in ("", "forged", "x" * 32):
        response = admin.post(_url("-confirm"), {"token": token})
        assert response.status_code == 302 and response["Location"] == _url("")
    assert _counts() == before


def test_a_pending_import_is_not_committed_in_another_hub(client, personas):
    """The coordinator's upload for hub A cannot be confirmed into hub B."""
    client.force_login(personas.coordinator)
    token = _token(_upload(client, _csv([_row(1)])).content.decode())
    before = _counts()
    response = client.post(_url("-confirm", hub="hub-b"), {"token": token})
    assert response.status_code == 302
    assert _counts() == before


def test_the_registrations_list_links_to_the_import(client, personas):
    client.force_login(personas.hub_a_admin)
    html = client.get(reverse("hub:registrations", kwargs={"hub": personas.hub_a.key})).content
    assert reverse("hub:registrations-import", kwargs={"hub": personas.hub_a.key}) in html.decode()
