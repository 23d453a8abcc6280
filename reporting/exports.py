"""Downloads of the returns (XLSX, CSV, PDF) and the evaluator's baseline export.

A small exporter per format (identifier, name, `render()`), a registry, and one Celery
task (`reporting.export_tasks.export_build`) that builds the file and keeps it in an
`ExportFile` row for the user who asked (after pretix's exports). The bytes are
written in the same transaction that marks the row complete, so an export that dies
half-way leaves no "complete" status and no partial file, and a second run of the task
finds the row complete and leaves it (docs/security.md §27). At download the view checks
again that the user may still see what the file holds (docs/security.md §6).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cohorts.models import CohortMembership
from participants.models import SurveyInstrument, SurveyKind, SurveyResponse
from peernet import access, pdf
from peernet.models import Programme
from peernet.privacy.pseudonyms import evaluator_pseudonym
from reporting import kpi, national, national_charts, sheets
from reporting.models import ExportFile, ExportStatus

# docs/security.md §17: how the CSV keeps a cell from being read as a formula (its tests use it).
from reporting.sheets import neutralise as neutralise

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


def _number(value: Any) -> Any:
    """Figures stored as text ("12.5") become Decimals, so the sheet holds numbers."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _when(moment: dt.datetime | None) -> str:
    return f"{sheets.uk_time(moment):%Y-%m-%d %H:%M:%S}" if moment else ""


# --- the exporters ----------------------------------------------------------------------


class Exporter:
    identifier: ClassVar[str]
    name: ClassVar[str]
    extension: ClassVar[str]
    content_type: ClassVar[str]

    def __init__(self, export: ExportFile) -> None:
        self.export = export
        self.params = export.params
        self.user = export.requested_by

    @classmethod
    def allowed(cls, user: Any, params: dict[str, Any]) -> bool:
        raise NotImplementedError

    def filename(self) -> str:
        raise NotImplementedError

    def render(self, progress: Progress) -> bytes:
        raise NotImplementedError


class ReturnExporter(Exporter):
    """The return for one month: national, one cluster or one hub (params: area, key,
    month as YYYY-MM), from the hubs' latest submitted versions."""

    @classmethod
    def allowed(cls, user: Any, params: dict[str, Any]) -> bool:
        # The national roles: any area they may see. A hub's administrators: their own
        # hub's return (issue 15), the same file BEIS would get for that hub.
        if not access.may_see_national(user) and not (
            params.get("area") == "hub" and access.may_download_hub_return(user, params)
        ):
            return False
        try:
            access.area_for(user, params.get("area", ""), params.get("key", ""))
        except Http404:  # the area is gone, or not theirs
            return False
        return True

    def load(self) -> None:
        self.now = timezone.now()
        self.programme = Programme.current()
        self.months = national.programme_months(self.programme)
        month = national.month_in(self.params.get("month"), self.months)
        if month is None:
            raise ValueError(f"{self.params.get('month')!r} is not a month of the programme.")
        self.month = month
        self.area = access.area_for(self.user, self.params["area"], self.params.get("key", ""))
        self.rows = national.return_table(self.area.hubs, self.month, self.now)

    def filename(self) -> str:
        area = self.params["area"] + (f"-{self.params['key']}" if self.params.get("key") else "")
        return f"peer-networks-return-{area}-{self.params['month']}.{self.extension}"

    # The Return sheet: identifying columns, then the figure ids in kpi.FIGURE_IDS order.
    LEADING = ("level", "cluster", "hub", "hub_name", "status", "version", "submitted_at")
    LEADING_LABELS = (
        "Level",
        "Cluster",
        "Hub",
        "Hub name",
        "Status",
        "Version",
        "Submitted at (UK time)",
    )

    def header(self) -> list[str]:
        return [*self.LEADING, *kpi.FIGURE_IDS]

    def labels(self) -> list[str]:
        """The label row under the ids: what each column holds, in words (kpi.LABELS)."""
        return [*self.LEADING_LABELS, *(kpi.LABELS[figure] for figure in kpi.FIGURE_IDS)]

    def return_rows(self) -> Iterable[list[Any]]:
        """Typed values: the version a number, `submitted_at` a datetime, the figures
        numbers; each format writes them its own way."""
        for row in self.rows:
            version = row.version
            yield [
                row.level,
                row.cluster.key if row.cluster else "",
                row.hub.key if row.hub else "",
                row.name,
                row.status,
                version.version if version else None,
                version.submitted_at if version else None,
                *(_number(value) for value in row.values()),
            ]


class ReturnCsv(ReturnExporter):
    identifier = "return-csv"
    name = "CSV (the Return sheet)"
    extension = "csv"
    content_type = sheets.CSV_CONTENT_TYPE

    def render(self, progress: Progress) -> bytes:
        self.load()
        progress(50)
        return sheets.csv_bytes([self.header(), *self.return_rows()])


class ReturnXlsx(ReturnExporter):
    identifier = "return-xlsx"
    name = "Excel workbook (XLSX)"
    extension = "xlsx"
    content_type = sheets.XLSX_CONTENT_TYPE

    def render(self, progress: Progress) -> bytes:

        self.load()
        progress(30)
        book = Workbook()
        sheet = book.active
        sheet.title = "Return"
        # Ids first (what a program reads), their labels beneath (what a person reads),
        # the hub's name and the ids before it frozen beside the figures.
        sheet_labels = self.labels()
        sheets.table(
            sheet,
            self.header(),
            self.return_rows(),
            labels=sheet_labels,
            frozen_columns=self.LEADING.index("hub_name") + 1,
        )
        progress(50)

        sheets.table(
            book.create_sheet("Breakdowns"),
            ["level", "cluster", "hub", "breakdown", "category", "count"],
            (
                [
                    row.level,
                    row.cluster.key if row.cluster else "",
                    row.hub.key if row.hub else "",
                    name,
                    category,
                    _number(count),
                ]
                for row in self.rows
                for name, categories in row.shown_breakdowns().items()
                if isinstance(categories, dict)
                for category, count in categories.items()
            ),
        )
        progress(70)

        sheets.table(
            book.create_sheet("Narrative"),
            ["hub", "hub_name", "version", "submitted_at", "reason", "narrative"],
            (
                [
                    row.hub.key,
                    row.name,
                    row.version.version,
                    row.version.submitted_at,
                    row.version.reason,
                    row.version.narrative,
                ]
                for row in self.rows
                if row.version is not None
            ),
            frozen_columns=2,
            max_width=80,
        )

        label_of = dict(zip(self.header(), sheet_labels, strict=True))
        sheets.table(
            book.create_sheet("Definitions"),
            ["id", "label", "definition"],
            [
                *([column, label_of[column], words] for column, words in LEADING_DEFINITIONS),
                *(
                    [figure, kpi.LABELS[figure], kpi.DEFINITIONS.get(figure, "")]
                    for figure in kpi.FIGURE_IDS
                ),
                *(
                    [f"breakdown: {breakdown}", "", words]
                    for breakdown, words in kpi.BREAKDOWN_DEFINITIONS.items()
                ),
                *([note, "", words] for note, words in DEFINITION_NOTES),
            ],
            frozen_columns=1,
            max_width=100,
        )
        progress(90)
        return sheets.workbook_bytes(book)


# The Return sheet's columns before the figures (ReturnExporter.LEADING), in its order.
LEADING_DEFINITIONS = (
    ("level", "hub, cluster (the subtotal of the hubs above it) or national (every hub)."),
    ("cluster", "The cluster's key (docs/scenario-format.md); empty in the national row."),
    ("hub", "The hub's key (docs/scenario-format.md); empty in cluster and national rows."),
    ("hub_name", "The hub's name; '<cluster> (cluster)' or 'National total' in total rows."),
    ("status", "The hub's return status for the month (see 'status' below)."),
    ("version", "The submitted version the row holds (1, then 2 for a resubmission, ...)."),
    ("submitted_at", "When that version was submitted, Europe/London."),
)

DEFINITION_NOTES = (
    (
        "source",
        "Every hub row holds the hub's latest submitted version for the month; a hub "
        "that has submitted nothing has its status and no figures (never figures computed "
        "afresh).",
    ),
    (
        "cluster and national rows",
        "The sums of the submitted hub rows above them: rates and means are "
        "recomputed from the summed numerators and denominators, never averaged.",
    ),
    (
        "status",
        "not_yet_due: the month has not ended; due: ended, due date not passed, nothing "
        "submitted; on_time: first submitted by 23:59:59 Europe/London on the due day "
        "(M1); late: first submitted after it; missing: nothing submitted by then.",
    ),
    (
        "completeness",
        "Hubs submitted ÷ hubs expected (every hub, every month of the delivery window); "
        "over the year, the months whose due date has passed.",
    ),
    ("timeliness", "Hubs submitted on time ÷ hubs expected, as completeness."),
    (
        "suppressed",
        "In every row (hub, cluster, national), an equality breakdown (gender, ethnic "
        "group, age band, disability) count from 1 to 4 is suppressed, and so are as many "
        "other counts as it takes for none to be worked out from the row's total "
        "(participants started to date), a cluster's or the nation's sum, or any other download or "
        "page (docs/security.md §7). A suppressed count can be of any size, 0 included; the "
        "same counts are suppressed in every download of the month.",
    ),
    (
        "cells",
        "In this workbook every text cell is stored as text, so no spreadsheet reads it as "
        "a formula; numbers are numbers and times are dates with times (UK time). In the "
        "CSV, text starting with =, +, -, @, a tab or a carriage return is prefixed with an "
        "apostrophe for the same reason.",
    ),
    (
        "rows 1 and 2",
        "The Return sheet's first row holds each column's id (as in this sheet and the "
        "CSV), the second its label; the data starts on row 3 (pandas: header=0, "
        "skiprows=[1]).",
    ),
)


class ReturnPdf(ReturnExporter):
    identifier = "return-pdf"
    name = "PDF report"
    extension = "pdf"
    content_type = "application/pdf"

    def render(self, progress: Progress) -> bytes:
        self.load()
        progress(20)
        html = self.html()
        progress(60)
        return pdf.pdf_from_html(html)

    def html(self) -> str:
        """The report as HTML, once loaded: a summary page (the headline figures and the
        charts, each with its data as a table), the hubs' table and the narratives."""
        area_timeliness = national.timeliness(self.area.hubs, self.months, self.programme, self.now)
        summary = next(m for m in area_timeliness.months if m.month == self.month)
        total = self.rows[-1]
        return render_to_string(
            "exports/return_pdf.html",
            {
                "area": self.area,
                "month": self.month,
                "summary": summary,
                "timeliness": area_timeliness,
                "headlines": [
                    # The definition without its period words: the label says those.
                    (
                        f,
                        kpi.LABELS[f],
                        kpi.DEFINITIONS.get(f, "").split(": ", 1)[-1],
                        total.figures.get(f),
                    )
                    for f in national.HEADLINES
                ],
                "total": total,
                "hub_rows": [r for r in self.rows if r.level == "hub"],
                "columns": [(c, kpi.LABELS[c]) for c in PDF_COLUMNS],
                "table_rows": [(r, [r.figures.get(c) for c in PDF_COLUMNS]) for r in self.rows],
                "charts": national_charts.report_charts(self.area, self, area_timeliness),
                "ranked": national.hubs_ranked(self.rows),
                "generated": _when(self.now),
            },
        )


# The hub table of the PDF: the columns a page can hold.
PDF_COLUMNS = (
    "registrations_month",
    "started_month",
    "started_cumulative",
    "target",
    "started_vs_target_pct",
    "cohorts_completed_cumulative",
    "one_to_one_minimum_met_cumulative",
    "dropped_out_cumulative",
)


# --- the evaluator's baseline export ---------------------------------------------------------

BASELINE_FIELDS = (
    (
        "pseudonym",
        "A stable pseudonymous id: an HMAC-SHA256 of the participant's public code with a "
        "key derived from the deployment's secret. The same participant has the same "
        "pseudonym in every file that carries one (this export and the hubs' completers "
        "lists), so the files join on it; it cannot be turned back into a name.",
    ),
    ("hub", "The hub's key (scenario format)."),
    ("cohort", "The key of the participant's latest cohort, if allocated."),
    ("sector", "The business's SIC 2007 section (A to U), blank if not known."),
    (
        "employees_band",
        "The business's PAYE employees, banded as the return's breakdown: 5-9, 10-49, "
        "50-249, 250+; none recorded, or fewer than 5, is not known.",
    ),
    (
        "turnover_band",
        "The business's turnover, banded as the return's breakdown: £100k-£499k, "
        "£500k-£999k, £1m-£4.9m, £5m-£36m (with £36m), over £36m; none recorded, or "
        "under £100k, is not known.",
    ),
    ("baseline_completed", "The date the baseline survey was completed (a date cell)."),
)
BASELINE_NOT_INCLUDED = (
    "Not included, by agreement: names, email addresses, phone numbers, job titles, "
    "business names and numbers, postcodes, equality data, and free-text answers (which "
    "may name people)."
)
ANSWER_TYPES = ("scale", "choice", "yes_no")  # free text is left out: it may name people


def _prefixed(condition: Q, prefix: str) -> Q:
    """A condition over a participant, rewritten to start from a row that points to one."""
    rewritten = Q()
    rewritten.connector, rewritten.negated = condition.connector, condition.negated
    rewritten.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in condition.children
    ]
    return rewritten


def _band(breakdown: str) -> Case:
    """The KPI breakdown's category in SQL, from its one definition (reporting.kpi)."""
    return Case(
        *(
            When(_prefixed(condition, "participant__"), then=Value(category))
            for category, condition in kpi.PARTICIPANT_BREAKDOWNS[breakdown]
        ),
        default=Value(kpi.NOT_KNOWN),
        output_field=CharField(),
    )


def evaluator_question_keys(kind: str) -> list[str]:
    """The keys of a survey's questions the evaluator receives answers to (ANSWER_TYPES),
    across its instruments' versions, in order."""
    keys: list[str] = []
    for instrument in SurveyInstrument.objects.filter(kind=kind).order_by("version"):
        for question in instrument.questions:
            if question.get("type") in ANSWER_TYPES and question["key"] not in keys:
                keys.append(question["key"])
    return keys


def evaluator_survey_rows(kind: str) -> Any:
    """The completed surveys of `kind` as the evaluator receives them (the baseline
    export; the API, docs/api.md): the participant's public code (for
    `evaluator_pseudonym`, never given out itself), hub and latest cohort keys, sector,
    the size bands, the date and the answers (as values: `pk` first).

    Pseudonymous and agreed fields only: the evaluator's one row-level view, so it reads
    the responses directly rather than through visible_to (which gives the aggregate-only
    roles no participant rows at all)."""
    latest_cohort = (
        CohortMembership.objects.filter(participant=OuterRef("participant"))
        .order_by("-joined")
        .values("cohort__key")[:1]
    )
    return (
        SurveyResponse.objects.filter(kind=kind)
        .annotate(
            cohort_key=Subquery(latest_cohort),
            employees_band=_band("employees_band"),
            turnover_band=_band("turnover_band"),
        )
        .values(
            "pk",
            "participant__code",
            "participant__hub__key",
            "cohort_key",
            "participant__business__sector",
            "employees_band",
            "turnover_band",
            "completed",
            "answers",
        )
    )


class BaselineXlsx(Exporter):
    identifier = "baseline-xlsx"
    name = "Evaluator's baseline export (XLSX)"
    extension = "xlsx"
    content_type = ReturnXlsx.content_type

    @classmethod
    def allowed(cls, user: Any, params: dict[str, Any]) -> bool:
        return access.may_export_baseline(user)

    def filename(self) -> str:
        return f"peer-networks-baseline-{timezone.localdate():%Y-%m-%d}.xlsx"

    def question_keys(self) -> list[str]:
        return evaluator_question_keys(SurveyKind.BASELINE)

    def render(self, progress: Progress) -> bytes:

        keys = self.question_keys()
        responses = evaluator_survey_rows(SurveyKind.BASELINE).order_by(
            "participant__hub__key", "participant_id", "completed"
        )
        progress(30)
        book = Workbook()
        readme = book.active
        readme.title = "README"
        _readme(
            readme,
            [
                ["Peer Networks: the evaluator's baseline export"],
                [f"Built {_when(timezone.now())} (Europe/London)."],
                ["One row per completed baseline survey (S1)."],
                [],
                ["column", "meaning"],
                *([column, meaning] for column, meaning in BASELINE_FIELDS),
                *([f"answer_{key}", f"The answer to baseline question '{key}'."] for key in keys),
                [],
                [BASELINE_NOT_INCLUDED],
            ],
        )

        sheets.table(
            book.create_sheet("Baseline"),
            [column for column, _ in BASELINE_FIELDS] + [f"answer_{k}" for k in keys],
            (
                [
                    evaluator_pseudonym(response["participant__code"]),
                    response["participant__hub__key"],
                    response["cohort_key"] or "",
                    response["participant__business__sector"] or "",
                    response["employees_band"],
                    response["turnover_band"],
                    response["completed"],
                    *(_cell((response["answers"] or {}).get(key)) for key in keys),
                ]
                for response in responses.iterator()
            ),
            frozen_columns=1,
        )
        progress(80)
        return sheets.workbook_bytes(book)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return str(value)


def _readme(sheet: Any, lines: list[list[str]]) -> None:
    """A sheet of prose: the title bold, the column names bold, the meanings wrapped in a
    wide second column (the long notes in the first column, wrapped across both)."""

    for number, values in enumerate(lines, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheets.put(sheet, number, column, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if number == 1 or values == ["column", "meaning"]:
                cell.font = Font(bold=True, size=14 if number == 1 else 11)
        if len(values) == 1 and len(values[0]) > 40:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=2)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100


EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter for exporter in (ReturnXlsx, ReturnCsv, ReturnPdf, BaselineXlsx)
}


def may_download(user: Any, export: ExportFile) -> bool:
    """docs/security.md §6, asked again at every download: the user still may see what it holds."""
    exporter = EXPORTERS.get(export.kind)
    return exporter is not None and exporter.allowed(user, export.params)


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, user: Any, kind: str, params: dict[str, Any]) -> ExportFile:
    """Record what was asked for and build it after commit, on a worker."""

    export = ExportFile.objects.create(kind=kind, params=params, requested_by=user)
    # Here, not at the top: the task module imports this one for export_run.
    from reporting.export_tasks import export_build

    export_build.delay_on_commit(export.pk)
    return export


def export_run(export_id: int) -> str:
    """Build one export; safe to run twice (a complete row is left as it is)."""
    with transaction.atomic():
        export = (
            ExportFile.objects.select_for_update().select_related("requested_by").get(pk=export_id)
        )
        if export.status == ExportStatus.COMPLETE:
            return export.status
        export.status = ExportStatus.RUNNING
        export.progress = 5
        export.error = ""
        export.save(update_fields=["status", "progress", "error"])
    exporter = EXPORTERS[export.kind](export)

    def progress(percent: int) -> None:
        ExportFile.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            progress=percent
        )

    try:
        content = exporter.render(progress)
        filename = exporter.filename()
    except Exception as exc:
        logger.exception("Export %s (%s) failed", export_id, export.kind)
        ExportFile.objects.filter(pk=export_id).exclude(status=ExportStatus.COMPLETE).update(
            status=ExportStatus.FAILED, error=type(exc).__name__
        )
        return ExportStatus.FAILED
    name = _file_name(export_id, filename)
    with transaction.atomic():
        # The row's lock makes a second run (a redelivered task) wait, then find it done.
        export = ExportFile.objects.select_for_update().get(pk=export_id)
        if export.status == ExportStatus.COMPLETE:  # another run finished first: keep it
            return export.status
        # The whole file under its one name (a run that died part-way left at most this
        # file, replaced here), then the row names it.
        default_storage.delete(name)
        export.file.name = default_storage.save(name, ContentFile(content))
        export.status = ExportStatus.COMPLETE
        export.progress = 100
        export.filename = filename
        export.content_type = exporter.content_type
        export.completed_at = timezone.now()
        export.save()
    return export.status


def csv_download(rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    """A small table made on the spot (a chart's figures) as a CSV attachment, written
    as every CSV download is (`reporting.sheets`)."""
    response = HttpResponse(sheets.csv_bytes(rows), content_type=sheets.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_name(export_id: int, filename: str) -> str:
    """The export's one file name in the storage: its id and a key made from it with the
    service's secret, so no one can guess another's."""
    key = salted_hmac("reporting.export-file", str(export_id)).hexdigest()[:32]
    return f"exports/{export_id}-{key}{Path(filename).suffix}"
