"""A hub's administrators download their own return as submitted, in XLSX, CSV and PDF
(issue 15), through the same exporters and the same async build as BEIS's downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import exports
from reporting.models import ExportFile
from tests.factories import local, make_return_version
from tests.pages import HUB_OUTSIDERS

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2021, 10, 1)


@pytest.fixture
def submitted(personas):
    make_return_version(
        personas.hub_a,
        OCTOBER,
        local("2021-11-05T10:00"),
        figures={"started_cumulative": 12, "registrations_month": 7},
        narrative="A good month for Hub A.",
    )
    return personas


def _ask(client, personas, kind: str):
    url = reverse("hub:return-download", kwargs={"hub": "hub-a", "month": "2021-10"})
    response = client.post(url, {"kind": kind})
    assert response.status_code == 302
    export = ExportFile.objects.get(kind=kind)
    assert response["Location"] == reverse(
        "hub:return-export", kwargs={"hub": "hub-a", "month": "2021-10", "pk": export.pk}
    )
    assert export.params == {"area": "hub", "key": "hub-a", "month": "2021-10"}
    exports.export_run(export.pk)  # what the worker does after commit
    page = client.get(response["Location"]).content.decode()
    assert "Your download is ready" in page
    file_url = reverse(
        "hub:return-export-file", kwargs={"hub": "hub-a", "month": "2021-10", "pk": export.pk}
    )
    assert file_url in page
    download = client.get(file_url)
    assert download.status_code == 200
    return download


def test_the_hub_downloads_its_return_in_each_format(client, submitted):
    p = submitted
    client.force_login(p.hub_a_admin)
    page = client.get(reverse("hub:return", kwargs={"hub": "hub-a", "month": "2021-10"}))
    assert "Download the return as submitted" in page.content.decode()

    xlsx = _ask(client, p, "return-xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["Return"].iter_rows(values_only=True))
    header = list(rows[0])
    hub_row = next(r for r in rows[1:] if r[header.index("hub")] == "hub-a")
    assert hub_row[header.index("started_cumulative")] == 12
    assert not any(r[header.index("hub")] == "hub-b" for r in rows[1:])  # its own only

    text = _ask(client, p, "return-csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[1][table[0].index("registrations_month")] == "7"

    pdf = _ask(client, p, "return-pdf")
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "A good month for Hub A." in words


def test_another_hub_and_other_roles_get_a_404(client, submitted):
    p = submitted
    client.force_login(p.hub_a_admin)
    response = client.post(
        reverse("hub:return-download", kwargs={"hub": "hub-a", "month": "2021-10"}),
        {"kind": "return-csv"},
    )
    export = ExportFile.objects.get()
    exports.export_run(export.pk)
    for who in HUB_OUTSIDERS:
        client.force_login(getattr(p, who))
        assert client.get(response["Location"]).status_code == 404, who
        file_url = reverse(
            "hub:return-export-file", kwargs={"hub": "hub-a", "month": "2021-10", "pk": export.pk}
        )
        assert client.get(file_url).status_code == 404, who
    # The hub B administrator asking for hub A's return through their own area: 404.
    client.force_login(p.hub_b_admin)
    sneaky = client.post(
        reverse("hub:return-download", kwargs={"hub": "hub-b", "month": "2021-10"}),
        {"kind": "not-a-format"},
    )
    assert sneaky.status_code == 404
    assert ExportFile.objects.count() == 1


def test_the_baseline_export_is_not_a_hub_download(client, submitted):
    client.force_login(submitted.hub_a_admin)
    response = client.post(
        reverse("hub:return-download", kwargs={"hub": "hub-a", "month": "2021-10"}),
        {"kind": "baseline-xlsx"},
    )
    assert response.status_code == 404
    assert not ExportFile.objects.exists()
