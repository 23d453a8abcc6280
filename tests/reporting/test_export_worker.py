"""The downloads (XLSX, CSV, PDF) asked for through the national pages and built by a
real Celery worker on Redis, then opened and checked."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import kpi
from reporting.models import ExportFile, ExportStatus
from tests.celery_worker import celery_worker, not_eager  # noqa: F401 (fixture)
from tests.factories import local, make_personas, make_return_version

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

OCTOBER = {"area": "national", "key": "", "month": "2021-10"}


def finished(pk: int) -> ExportFile | None:
    export = ExportFile.objects.get(pk=pk)
    return export if export.status in (ExportStatus.COMPLETE, ExportStatus.FAILED) else None


def test_xlsx_csv_and_pdf_built_by_a_real_worker(client, not_eager, tmp_path):  # noqa: F811
    personas = make_personas()
    make_return_version(
        personas.hub_a,
        dt.date(2021, 10, 1),
        local("2021-11-05T10:00"),
        figures={"started_cumulative": 123, "registrations_cumulative": 456, "target": 150},
        narrative="Hub A's October narrative.",
    )
    make_return_version(
        personas.hub_b,
        dt.date(2021, 10, 1),
        local("2021-11-06T10:00"),
        figures={"started_cumulative": 77, "registrations_cumulative": 44, "target": 150},
        narrative="Hub B's October narrative.",
    )
    client.force_login(personas.funder)
    files = {}
    with celery_worker(tmp_path) as worker:
        for kind in ("return-xlsx", "return-csv", "return-pdf"):
            response = client.post(reverse("national:export-new"), {"kind": kind, **OCTOBER})
            assert response.status_code == 302
            pk = int(response["Location"].rstrip("/").split("/")[-1])
            export = worker.wait_for(lambda pk=pk: finished(pk), f"the {kind} export")
            assert export.status == ExportStatus.COMPLETE, export.error
            download = client.get(reverse("national:export-download", kwargs={"pk": pk}))
            assert download.status_code == 200
            files[kind] = download.content
        assert "reporting.export_tasks.export_build" in worker.log()

    book = load_workbook(io.BytesIO(files["return-xlsx"]))
    assert book.sheetnames == ["Return", "Breakdowns", "Narrative", "Definitions"]
    header = [c.value for c in book["Return"][1]]
    assert header[-len(kpi.FIGURE_IDS) :] == kpi.FIGURE_IDS
    national = [r for r in book["Return"].iter_rows(values_only=True) if r[0] == "national"][0]
    assert national[header.index("started_cumulative")] == 200
    assert national[header.index("started_vs_target_pct")] == pytest.approx(66.7)

    rows = list(csv.reader(io.StringIO(files["return-csv"].decode("utf-8-sig"))))
    assert rows[0] == header
    assert dict(zip(rows[0], rows[-1], strict=True))["registrations_cumulative"] == "500"

    pdf = PdfReader(io.BytesIO(files["return-pdf"]))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "National, October 2021" in text
    for figure, value in (("started_cumulative", "200"), ("registrations_cumulative", "500")):
        # The headline figures are named by their labels (kpi.LABELS).
        line = next(line for line in text.splitlines() if line.startswith(kpi.LABELS[figure]))
        assert value in line, line
    assert "Hub A's October narrative." in text and "Hub B's October narrative." in text
