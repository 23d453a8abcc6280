"""Bulk import of registrations: the template, the upload with its preview, the commit.

The upload is read and checked once, and the rows are kept in the session under a random
token (the file is at most 2 MB, so the session stays bounded); the confirm step names
the token, so a stale or forged confirmation finds nothing and writes nothing. The
import checks every row again before it writes, all or nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from participants import registration_import as importer
from peernet.access import hub_admin_required
from peernet.models import Hub
from reporting import sheets

_PENDING = "registration_import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            f"A CSV or XLSX file of up to {importer.MAX_BYTES // (1024 * 1024)} MB and "
            f"{importer.MAX_ROWS:,} registrations"
        ),
        error_messages={
            "required": "Select a CSV or XLSX file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV or XLSX file",
        },
    )


def _page(request: HttpRequest, hub: Hub, form: UploadForm) -> HttpResponse:
    return render(
        request,
        "participants/import_upload.html",
        {"hub": hub, "section": "registrations", "form": form, "columns": importer.COLUMNS},
    )


def _preview(
    request: HttpRequest, hub: Hub, results: list[importer.RowResult], token: str | None
) -> HttpResponse:
    errors = [problem for result in results for problem in result.errors]
    warnings = [problem for result in results for problem in result.warnings]
    return render(
        request,
        "participants/import_preview.html",
        {
            "hub": hub,
            "section": "registrations",
            "results": results,
            "errors": errors,
            "warnings": warnings,
            "rows_with_errors": sum(1 for result in results if result.errors),
            "token": token,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@hub_admin_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, request.hub, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, request.hub, form)
    try:
        rows = importer.read_rows(form.cleaned_data["file"])
    except importer.ImportFileError as refusal:
        for problem in refusal.problems:
            form.add_error("file", problem)
        return _page(request, request.hub, form)
    results = importer.validate_rows(hub=request.hub, rows=rows)
    token = None
    if not any(result.errors for result in results):
        token = secrets.token_urlsafe(24)
        request.session[_PENDING] = {"token": token, "hub": request.hub.key, "rows": rows}
    else:
        request.session.pop(_PENDING, None)
    return _preview(request, request.hub, results, token)


@login_required
@require_POST
@hub_admin_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] = request.session.get(_PENDING) or {}
    token = request.POST.get("token", "")
    if (
        not pending
        or pending.get("hub") != request.hub.key
        or not secrets.compare_digest(str(pending.get("token", "")), token)
    ):
        messages.error(
            request,
            "Nothing was imported: that upload has expired or was already imported. "
            "Upload the file again.",
        )
        return redirect("hub:registrations-import", hub=request.hub.key)
    del request.session[_PENDING]
    try:
        count = importer.import_rows(hub=request.hub, rows=pending["rows"], by=request.user)
    except importer.ImportRefused:
        # Something changed since the preview: show the rows' problems afresh.
        results = importer.validate_rows(hub=request.hub, rows=pending["rows"])
        return _preview(request, request.hub, results, None)
    messages.success(request, f"{count} registration{'s' if count != 1 else ''} imported.")
    return redirect("hub:registrations", hub=request.hub.key)


@login_required
@require_GET
@hub_admin_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    example = importer.example_row(request.hub)
    cells = [example[name] for name in importer.COLUMNS]
    if kind == "csv":
        response = HttpResponse(
            sheets.csv_bytes([importer.COLUMNS, cells]), content_type=sheets.CSV_CONTENT_TYPE
        )
    elif kind == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Registrations"
        # Every cell text, as the import reads them (docs/security.md §17: text is never a formula).
        sheets.table(sheet, importer.COLUMNS, [cells])
        response = HttpResponse(
            sheets.workbook_bytes(workbook), content_type=sheets.XLSX_CONTENT_TYPE
        )
    else:
        raise Http404("No such template.")
    response["Content-Disposition"] = f'attachment; filename="registrations-template.{kind}"'
    return response


hub_urlpatterns: list[URLPattern] = [
    path("registrations/import/", import_upload, name="registrations-import"),
    path("registrations/import/confirm/", import_confirm, name="registrations-import-confirm"),
    path(
        "registrations/import/template.<slug:kind>",
        import_template,
        name="registrations-import-template",
    ),
]
