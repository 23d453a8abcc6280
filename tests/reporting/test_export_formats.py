"""The downloads as their real clients open them (issue 22): the XLSX files through
openpyxl and pandas (typed numbers, dates and datetimes, fitted column widths, bold frozen
header rows, an autofilter on every table sheet, text cells typed as text rather than
prefixed with an apostrophe), the CSVs as Excel reads them (UTF-8 with a byte-order mark,
formula-like text still neutralised), and the return's PDF (tagged, titled, every table
cell inside the page)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from participants.models import SurveyInstrument, SurveyKind, SurveyResponse
from reporting import exports, kpi, sheets
from reporting.models import ExportFile
from tests.factories import local, make_participant, make_return_version
from tests.pdfs import assert_accessible_pdf, lay_out

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2021, 10, 1)
NATIONAL_OCTOBER = {"area": "national", "key": "", "month": "2021-10"}
LONG_NAME = "Greater Cambridge Greater Peterborough Growth Hub"
# What a spreadsheet holds for 10:00 on 5 November 2021 in London: the clock, no zone.
SUBMITTED_A = local("2021-11-05T10:00").replace(tzinfo=None)


def build(user, kind: str, params: dict) -> bytes:
    export = exports.export_request(user=user, kind=kind, params=params)
    exports.export_run(export.pk)
    export.refresh_from_db()
    assert export.content is not None, export.error
    return bytes(export.content)


@pytest.fixture
def october(personas):
    """Two hubs' Octobers: a hub name that looks like a formula, another long and
    accented, every figure large, a narrative on several lines."""
    personas.hub_a.name = '=HYPERLINK("http://evil")'
    personas.hub_a.save()
    personas.hub_b.name = f"{LONG_NAME} (Zoë’s)"
    personas.hub_b.save()
    big = dict.fromkeys(kpi.FIGURE_IDS, 123_456)
    make_return_version(
        personas.hub_a,
        OCTOBER,
        local("2021-11-05T10:00"),
        figures=big | {"started_cumulative": 12, "started_vs_target_pct": "66.7"},
        breakdowns={"gender": {"female": 3, "male": 6}},
        narrative="-ve month: @everyone worked hard.\nSecond line.",
    )
    make_return_version(
        personas.hub_b,
        OCTOBER,
        local("2021-11-09T10:00"),
        figures=big | {"started_cumulative": 5},
        breakdowns={"gender": {"female": 10, "male": 12}, "sector": {"C": 10, "G": 12}},
    )
    return personas


def _widths(sheet) -> dict[str, float]:
    return {
        get_column_letter(c): sheet.column_dimensions[get_column_letter(c)].width
        for c in range(1, sheet.max_column + 1)
    }


def assert_table_sheet(sheet, header_rows: int = 1) -> None:
    """Bold header row(s), frozen below them, an autofilter from the last header row over
    every row and column, every column fitted (no default width)."""
    last = get_column_letter(sheet.max_column)
    assert sheet.auto_filter.ref == f"A{header_rows}:{last}{sheet.max_row}", sheet.title
    assert sheet.freeze_panes.endswith(str(header_rows + 1)), sheet.title
    for row in sheet.iter_rows(min_row=1, max_row=header_rows):
        assert all(cell.font.b for cell in row if cell.value is not None), sheet.title
    for letter, width in _widths(sheet).items():
        assert width is not None and sheets.MIN_WIDTH <= width <= 100, (sheet.title, letter)


def test_the_return_workbook_opens_as_an_analyst_expects(october):
    content = build(october.evaluator, "return-xlsx", NATIONAL_OCTOBER)
    book = load_workbook(io.BytesIO(content))
    for name in ("Breakdowns", "Narrative", "Definitions"):
        assert_table_sheet(book[name])

    # The Return sheet: ids in row 1, their labels (kpi.LABELS) in row 2, both bold and
    # frozen with the hub's name beside the figures, the filter on the label row.
    sheet = book["Return"]
    assert_table_sheet(sheet, header_rows=2)
    assert sheet.freeze_panes == "E3"
    header = [c.value for c in sheet[1]]
    labels = dict(zip(header, (c.value for c in sheet[2]), strict=True))
    assert header == [*exports.ReturnExporter.LEADING, *kpi.FIGURE_IDS]
    assert all(labels[f] == kpi.LABELS[f] for f in kpi.FIGURE_IDS)
    assert labels["submitted_at"] == "Submitted at (UK time)"

    cells = {row[2].value or row[0].value: row for row in sheet.iter_rows(min_row=3)}
    hub_a = {name: cells["hub-a"][i] for i, name in enumerate(header)}
    # Text stays text, shown as written: no apostrophe, and never a formula.
    assert (hub_a["hub_name"].value, hub_a["hub_name"].data_type) == (
        '=HYPERLINK("http://evil")',
        "s",
    )
    # A datetime (UK time, with a format), numbers as numbers.
    assert hub_a["submitted_at"].value == SUBMITTED_A
    assert hub_a["submitted_at"].is_date
    assert hub_a["submitted_at"].number_format == sheets.DATETIME_FORMAT
    assert (hub_a["version"].value, hub_a["started_cumulative"].value) == (1, 12)
    assert hub_a["started_vs_target_pct"].data_type == "n"
    # Fitted widths: the long hub name widens its column; a short one stays narrow.
    widths = _widths(sheet)
    assert widths[get_column_letter(header.index("hub_name") + 1)] >= len(LONG_NAME) + 8
    assert widths[get_column_letter(header.index("level") + 1)] <= 15

    # pandas, as an analyst reads it: the ids as columns, the label row skipped.
    frame = pd.read_excel(io.BytesIO(content), sheet_name="Return", header=0, skiprows=[1])
    assert list(frame.columns) == header
    assert pd.api.types.is_datetime64_any_dtype(frame["submitted_at"])
    assert pd.api.types.is_numeric_dtype(frame["started_cumulative"])
    assert pd.api.types.is_numeric_dtype(frame["version"])
    national = frame.set_index("level").loc["national"]
    assert national["started_cumulative"] == 17
    assert frame.loc[frame["hub"] == "hub-b", "hub_name"].item() == f"{LONG_NAME} (Zoë’s)"

    narrative = pd.read_excel(io.BytesIO(content), sheet_name="Narrative")
    assert pd.api.types.is_datetime64_any_dtype(narrative["submitted_at"])
    assert narrative.set_index("hub").loc["hub-a", "narrative"].startswith("-ve month")
    breakdowns = pd.read_excel(io.BytesIO(content), sheet_name="Breakdowns")
    hub_b = breakdowns[(breakdowns["hub"] == "hub-b") & (breakdowns["breakdown"] == "sector")]
    assert sorted(hub_b["count"].tolist()) == [10, 12]
    definitions = pd.read_excel(io.BytesIO(content), sheet_name="Definitions").set_index("id")
    assert definitions.loc["started_cumulative", "label"] == kpi.LABELS["started_cumulative"]


def test_the_baseline_export_has_real_dates_and_numbers(personas):
    instrument = SurveyInstrument.objects.create(
        kind=SurveyKind.BASELINE,
        version=901,
        title="Baseline (test)",
        active=False,
        questions=[{"key": "confidence", "text": "How confident?", "type": "scale"}],
    )
    for participant, day, score in (
        (personas.participant_a, dt.date(2021, 6, 2), 4),
        (make_participant(personas.hub_b, personas.programme), dt.date(2021, 6, 3), 2),
    ):
        SurveyResponse.objects.create(
            participant=participant,
            instrument=instrument,
            kind=SurveyKind.BASELINE,
            completed=day,
            answers={"confidence": score},
        )
    content = build(personas.evaluator, "baseline-xlsx", {})
    book = load_workbook(io.BytesIO(content))
    sheet = book["Baseline"]
    assert_table_sheet(sheet)
    header = [c.value for c in sheet[1]]
    first = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    assert first["baseline_completed"].is_date
    assert first["baseline_completed"].number_format == sheets.DATE_FORMAT
    assert first["answer_confidence"].data_type == "n"
    readme = book["README"]
    assert readme["A1"].font.b and readme.column_dimensions["B"].width >= 60

    frame = pd.read_excel(io.BytesIO(content), sheet_name="Baseline")
    assert pd.api.types.is_datetime64_any_dtype(frame["baseline_completed"])
    assert pd.api.types.is_integer_dtype(frame["answer_confidence"])
    assert sorted(frame["baseline_completed"].dt.date) == [dt.date(2021, 6, 2), dt.date(2021, 6, 3)]


def test_the_csvs_open_in_excel_with_accents_and_stay_neutralised(client, october):
    content = build(october.funder, "return-csv", NATIONAL_OCTOBER)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads UTF-8
    assert content.count(b"\xef\xbb\xbf") == 1 and b"\r\n" in content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    by_hub = {row[2] or row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_hub["hub-a"]["hub_name"] == '\'=HYPERLINK("http://evil")'  # docs/security.md §17
    assert by_hub["hub-b"]["hub_name"] == f"{LONG_NAME} (Zoë’s)"
    assert by_hub["hub-a"]["submitted_at"] == "2021-11-05 10:00:00"
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    assert list(frame.columns)[0] == "level"
    assert frame.set_index("level").loc["national", "started_cumulative"] == 17

    # The hub's evaluator list, for Excel too.
    participant = october.participant_a
    participant.first_name = "Zoë"
    participant.save()
    client.force_login(october.hub_a_admin)
    response = client.get(reverse("hub:survey-evaluator-list-csv", kwargs={"hub": "hub-a"}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[0] == "pseudonym"

    # And the registration import template, as before, through the same writer.
    template = client.get(
        reverse("hub:registrations-import-template", kwargs={"hub": "hub-a", "kind": "csv"})
    )
    assert template.content.startswith(b"\xef\xbb\xbf")
    xlsx = client.get(
        reverse("hub:registrations-import-template", kwargs={"hub": "hub-a", "kind": "xlsx"})
    )
    assert_table_sheet(load_workbook(io.BytesIO(xlsx.content)).worksheets[0])


@pytest.mark.parametrize(
    ("value", "csv_cell"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Zoë", "Zoë"),
        (dt.date(2021, 6, 2), "2021-06-02"),
        (local("2021-11-05T10:00"), "2021-11-05 10:00:00"),
        (-2, "-2"),  # a number is a number, not a formula
        (None, ""),
    ],
)
def test_a_cell_in_csv_and_in_xlsx(value, csv_cell):
    """The CSV neutralises formula-like text with an apostrophe; the XLSX types the same
    text as text, which is never a formula, so it shows the words as written."""
    [[cell_text]] = csv.reader(io.StringIO(sheets.csv_bytes([[value]]).decode("utf-8-sig")))
    assert cell_text == csv_cell
    from openpyxl import Workbook

    book = Workbook()
    sheets.table(book.active, ["value"], [[value]])
    cell = load_workbook(io.BytesIO(sheets.workbook_bytes(book))).active["A2"]
    if isinstance(value, str):
        assert (cell.value, cell.data_type) == (value, "s")
    elif isinstance(value, dt.datetime):
        assert cell.value == SUBMITTED_A and cell.is_date
    elif isinstance(value, dt.date):
        assert cell.value.date() == value and cell.is_date
    else:
        assert cell.value == value


def test_the_return_pdf_is_tagged_and_fits_the_page(october):
    content = build(october.funder, "return-pdf", NATIONAL_OCTOBER)
    reader = assert_accessible_pdf(content, "Peer Networks return: National, October 2021")
    text = " ".join(page.extract_text() for page in reader.pages)
    # The charts have titles, and their figures as tables.
    assert "Participants started over the programme year" in text
    assert "Returns submitted over the programme year" in text
    # The hubs' table heads its columns with labels, not ids.
    assert kpi.LABELS["one_to_one_minimum_met_cumulative"] in " ".join(text.split())

    export = ExportFile.objects.create(
        kind="return-pdf", params=NATIONAL_OCTOBER, requested_by=october.funder
    )
    exporter = exports.ReturnPdf(export)
    exporter.load()
    layout = lay_out(exporter.html())
    assert layout.cells > 50
    assert layout.beyond == []
    assert layout.warnings == []  # WeasyPrint understood every style
