"""Downloads built in process (the real worker is in test_export_worker.py): formula cells
neutralised in the CSV and typed as text in the XLSX (docs/security.md §17), a file for its
requester only and only while they may still see it (docs/security.md §6), a failure half-way
leaves no complete status and no bytes, and a second run gives the same one file
(docs/security.md §27); the evaluator's baseline export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils.crypto import salted_hmac
from openpyxl import load_workbook

from participants.models import SurveyInstrument, SurveyKind, SurveyResponse
from peernet.models import AuditAction, AuditEvent, Role, RoleAssignment
from peernet.privacy import evaluator_pseudonym
from reporting import exports, kpi
from reporting.models import ExportFile, ExportStatus
from tests.factories import local, make_participant, make_return_version, make_user

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2021, 10, 1)
NATIONAL_OCTOBER = {"area": "national", "key": "", "month": "2021-10"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+44 161", "'+44 161"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        ("Manchester", "Manchester"),
        (-2, -2),  # a number is a number, not a formula
        (None, None),
    ],
)
def test_neutralise(value, shown):
    assert exports.neutralise(value) == shown


def build(user, kind: str, params: dict) -> ExportFile:
    """Ask as the view does (the task runs in process after commit) and read it back."""
    export = exports.export_request(user=user, kind=kind, params=params)
    exports.export_run(export.pk)  # what the task would do; idempotent
    export.refresh_from_db()
    return export


@pytest.fixture
def october(personas):
    personas.hub_a.name = '=HYPERLINK("http://evil")'
    personas.hub_a.save()
    make_return_version(
        personas.hub_a,
        OCTOBER,
        local("2021-11-05T10:00"),
        figures={"started_cumulative": 12, "registrations_month": 7},
        breakdowns={"gender": {"female": 3, "male": 6}},
        narrative="-ve month: @everyone worked hard",
    )
    make_return_version(
        personas.hub_b,
        OCTOBER,
        local("2021-11-09T10:00"),
        figures={"started_cumulative": 5, "registrations_month": 2},
        breakdowns={"gender": {"female": 1, "male": 0}},
    )
    return personas


def test_csv_is_the_return_sheet_with_formulas_neutralised(october):
    export = build(october.funder, "return-csv", NATIONAL_OCTOBER)
    assert export.status == ExportStatus.COMPLETE and export.progress == 100
    assert bytes(export.content).startswith(b"\xef\xbb\xbf")  # the BOM: UTF-8 for Excel
    rows = list(csv.reader(io.StringIO(bytes(export.content).decode("utf-8-sig"))))
    assert rows[0] == [*exports.ReturnExporter.LEADING, *kpi.FIGURE_IDS]
    by_hub = {row[2] or row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_hub) == {"hub-a", "hub-b", "cluster", "national"}
    assert by_hub["hub-a"]["hub_name"] == '\'=HYPERLINK("http://evil")'
    assert by_hub["hub-a"]["status"] == "on_time" and by_hub["hub-b"]["status"] == "late"
    assert by_hub["national"]["started_cumulative"] == "17"
    assert by_hub["national"]["registrations_month"] == "9"
    assert [row[0] for row in rows[1:]] == ["hub", "cluster", "hub", "cluster", "national"]
    assert export.filename == "peer-networks-return-national-2021-10.csv"


def test_xlsx_has_its_four_sheets(october):
    export = build(october.evaluator, "return-xlsx", {**NATIONAL_OCTOBER})
    book = load_workbook(io.BytesIO(bytes(export.content)))
    assert book.sheetnames == ["Return", "Breakdowns", "Narrative", "Definitions"]
    sheet = book["Return"]
    header = [c.value for c in sheet[1]]
    assert header[len(exports.ReturnExporter.LEADING) :] == kpi.FIGURE_IDS
    # Row 2 holds the columns' labels; the figures start on row 3.
    assert (
        sheet.cell(row=2, column=header.index("started_cumulative") + 1).value
        == (kpi.LABELS["started_cumulative"])
    )
    values = {row[2] or row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    column = header.index("started_cumulative")
    assert values["national"][column] == 17 and values["hub-a"][column] == 12
    # In the XLSX, formula-like text is a text cell (never a formula), shown as written.
    assert values["hub-a"][3] == '=HYPERLINK("http://evil")'
    assert sheet.cell(row=3, column=4).data_type == "s"
    # Equality counts of 1 to 4 are suppressed in every row, the national total's too; and
    # with them the other count of the row, or the total (started so far) less it would
    # give them away.
    breakdowns = {
        (r[0], r[2] or "", r[3], r[4]): r[5]
        for r in book["Breakdowns"].iter_rows(min_row=2, values_only=True)
    }
    assert breakdowns[("hub", "hub-a", "gender", "female")] == "suppressed"
    assert breakdowns[("hub", "hub-a", "gender", "male")] == "suppressed"
    assert breakdowns[("national", "", "gender", "female")] == "suppressed"
    assert breakdowns[("national", "", "gender", "male")] == "suppressed"
    narratives = {r[0]: r for r in book["Narrative"].iter_rows(min_row=2, values_only=True)}
    assert narratives["hub-a"][-1] == "-ve month: @everyone worked hard"
    assert narratives["hub-b"][-1] == "A steady month."
    definitions = {
        row[0]: row[-1] for row in book["Definitions"].iter_rows(min_row=2, values_only=True)
    }
    assert definitions["started_cumulative"] == kpi.DEFINITIONS["started_cumulative"]
    # Every column of the Return sheet, and every breakdown, is defined (docs/returns.md).
    assert set(header) <= set(definitions)
    for breakdown in kpi.BREAKDOWN_IDS:
        assert definitions[f"breakdown: {breakdown}"] == kpi.BREAKDOWN_DEFINITIONS[breakdown]
    assert "suppressed" in definitions


def test_a_cluster_or_hub_export_holds_only_its_hubs(october):
    export = build(
        october.funder, "return-csv", {"area": "cluster", "key": "midlands", "month": "2021-10"}
    )
    rows = list(csv.reader(io.StringIO(bytes(export.content).decode("utf-8-sig"))))
    assert [(r[0], r[2]) for r in rows[1:]] == [("hub", "hub-b"), ("cluster", ""), ("national", "")]
    export = build(
        october.funder, "return-csv", {"area": "hub", "key": "hub-a", "month": "2021-10"}
    )
    rows = list(csv.reader(io.StringIO(bytes(export.content).decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:] if r[0] == "hub"] == ["hub-a"]


def test_an_export_that_fails_half_way_leaves_no_file(october, monkeypatch):
    def dies(self, progress):
        progress(50)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(exports.ReturnXlsx, "render", dies)
    export = build(october.funder, "return-xlsx", NATIONAL_OCTOBER)
    assert export.status == ExportStatus.FAILED
    assert export.content is None and export.completed_at is None
    assert export.progress == 50 and export.error == "RuntimeError"
    assert not ExportFile.objects.filter(status=ExportStatus.COMPLETE).exists()


def test_running_the_task_twice_gives_one_file(october):
    export = build(october.funder, "return-csv", NATIONAL_OCTOBER)
    first = (bytes(export.content), export.completed_at)
    assert exports.export_run(export.pk) == ExportStatus.COMPLETE
    export.refresh_from_db()
    assert (bytes(export.content), export.completed_at) == first
    assert ExportFile.objects.count() == 1


def test_the_file_is_served_to_its_requester_only(client, october):
    export = build(october.funder, "return-csv", NATIONAL_OCTOBER)
    url = reverse("national:export-download", kwargs={"pk": export.pk})

    client.force_login(october.funder)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="peer-networks-return-national-2021-10.csv"'
    )
    assert response.content == bytes(export.content)
    assert "no-store" in response["Cache-Control"]

    status_url = reverse("national:export", kwargs={"pk": export.pk})
    assert status_url in client.get(reverse("national:exports")).content.decode()

    # Someone else with the same role, and the coordinator, cannot have it by its id, nor
    # see it in their list.
    for other in (make_user(Role.FUNDER), october.coordinator):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(status_url).status_code == 404
        assert status_url not in client.get(reverse("national:exports")).content.decode()


def test_a_requester_whose_role_was_removed_gets_a_404(client, october):
    export = build(october.evaluator, "return-csv", NATIONAL_OCTOBER)
    url = reverse("national:export-download", kwargs={"pk": export.pk})
    client.force_login(october.evaluator)
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=october.evaluator).delete()
    assert client.get(url).status_code == 404


def test_asking_for_a_download_and_watching_it(client, october):
    client.force_login(october.funder)
    response = client.post(
        reverse("national:export-new"), {"kind": "return-xlsx", **NATIONAL_OCTOBER}
    )
    export = ExportFile.objects.get()
    assert response["Location"] == reverse("national:export", kwargs={"pk": export.pk})
    assert export.params == NATIONAL_OCTOBER and export.requested_by == october.funder
    # In the test the task waits for a commit that never comes: the page refreshes itself
    # (no script), unless asked not to.
    waiting = client.get(response["Location"])
    assert waiting["Refresh"] == "3" and "0% done" in waiting.content.decode()
    assert "Stop checking automatically" in waiting.content.decode()
    still = client.get(response["Location"], {"refresh": "off"})
    assert "Refresh" not in still and "Check again" in still.content.decode()
    exports.export_run(export.pk)
    ready = client.get(response["Location"])
    assert "Refresh" not in ready
    page = ready.content.decode()
    assert reverse("national:export-download", kwargs={"pk": export.pk}) in page
    assert "<script>" not in page
    # Another hub's key, an unknown format or a month left out: nothing is made.
    for bad in (
        {"kind": "return-csv", "area": "hub", "key": "nowhere", "month": "2021-10"},
        {"kind": "everything", **NATIONAL_OCTOBER},
        {"kind": "return-csv", "area": "national", "key": "", "month": ""},
        {"kind": "return-csv", "area": "national", "key": "", "month": "2030-01"},
    ):
        assert client.post(reverse("national:export-new"), bad).status_code == 404
    assert ExportFile.objects.count() == 1


# --- the evaluator's baseline export ---------------------------------------------------------


@pytest.fixture
def baselines(personas):
    instrument = SurveyInstrument.objects.create(
        kind=SurveyKind.BASELINE,
        version=900,
        title="Baseline (test)",
        active=False,
        questions=[
            {"key": "confidence", "text": "How confident?", "type": "scale", "min": 1, "max": 5},
            {"key": "hopes", "text": "What do you hope for?", "type": "text"},
        ],
    )
    participant = personas.participant_a
    participant.phone = "07700 900123"
    participant.save()
    SurveyResponse.objects.create(
        participant=participant,
        instrument=instrument,
        kind=SurveyKind.BASELINE,
        completed=dt.date(2021, 6, 2),
        answers={"confidence": 4, "hopes": f"To work with {participant.first_name}"},
    )
    other = make_participant(personas.hub_b, personas.programme)
    other.business.employees, other.business.turnover = None, 36_000_000
    other.business.save()
    SurveyResponse.objects.create(
        participant=other,
        instrument=instrument,
        kind=SurveyKind.BASELINE,
        completed=dt.date(2021, 6, 3),
        answers={"confidence": 2},
    )
    return personas, participant, other


def test_the_baseline_export_is_pseudonymous_and_fixed(baselines):
    personas, participant, other = baselines
    export = build(personas.evaluator, "baseline-xlsx", {})
    assert export.status == ExportStatus.COMPLETE
    book = load_workbook(io.BytesIO(bytes(export.content)))
    assert book.sheetnames == ["README", "Baseline"]
    rows = list(book["Baseline"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:7] == [
        "pseudonym",
        "hub",
        "cohort",
        "sector",
        "employees_band",
        "turnover_band",
        "baseline_completed",
    ]
    assert "answer_confidence" in header and "answer_hopes" not in header  # free text left out
    data = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    expected = (
        "P-"
        + salted_hmac(
            "peernet.evaluator-pseudonym", str(participant.code), algorithm="sha256"
        ).hexdigest()[:16]
    )
    assert expected == evaluator_pseudonym(participant.code)
    mine = data[expected]
    assert mine["hub"] == "hub-a" and mine["cohort"] == personas.cohort_a.key
    assert (mine["sector"], mine["employees_band"], mine["turnover_band"]) == (
        "C",
        "10-49",
        "£1m-£4.9m",
    )
    # A date cell (openpyxl reads one as a datetime at midnight).
    assert (mine["baseline_completed"].date(), mine["answer_confidence"]) == (
        dt.date(2021, 6, 2),
        4,
    )
    theirs = data[evaluator_pseudonym(other.code)]
    assert (theirs["employees_band"], theirs["turnover_band"]) == ("not known", "£5m-£36m")
    # Stable: the same pseudonym in a second export.
    again = load_workbook(io.BytesIO(bytes(build(personas.evaluator, "baseline-xlsx", {}).content)))
    assert {r[0] for r in again["Baseline"].iter_rows(min_row=2, values_only=True)} == set(data)
    # Nothing that names anyone, anywhere in the workbook.
    text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    for person in (participant, other):
        for identifier in (person.last_name, person.email, person.business.name, str(person.code)):
            assert identifier not in text
    assert "07700" not in text
    readme = [r[0] for r in book["README"].iter_rows(values_only=True) if r and r[0]]
    assert "pseudonym" in readme and "answer_confidence" in readme


def test_beis_cannot_ask_for_the_baseline_export(client, baselines):
    personas = baselines[0]
    client.force_login(personas.funder)
    assert client.post(reverse("national:export-new"), {"kind": "baseline-xlsx"}).status_code == 404
    assert "baseline" not in client.get(reverse("national:exports")).content.decode().lower()
    client.force_login(personas.evaluator)
    response = client.post(reverse("national:export-new"), {"kind": "baseline-xlsx"})
    assert response.status_code == 302
    # A baseline file of the evaluator's is theirs alone: the coordinator cannot have it.
    export = ExportFile.objects.get(kind="baseline-xlsx")
    client.force_login(personas.coordinator)
    assert client.get(reverse("national:export", kwargs={"pk": export.pk})).status_code == 404


def test_downloading_the_baseline_export_is_audited(client, baselines):
    personas = baselines[0]
    export = build(personas.evaluator, "baseline-xlsx", {})
    client.force_login(personas.evaluator)
    response = client.get(reverse("national:export-download", kwargs={"pk": export.pk}))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == personas.evaluator
    assert (event.object_type, event.object_id) == ("reporting.exportfile", str(export.pk))
