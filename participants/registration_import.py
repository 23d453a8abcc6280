"""Bulk import of registrations from a CSV or XLSX file (hubs arrive with existing lists).

Three steps: `read_rows` turns the upload into plain text rows (refusing oversized files
and wrong headers), `validate_rows` reports every row's problems, and `import_rows`
records them all, or nothing (docs/security.md §20).

The rules are the public form's and the service's, not a copy: each row is put through
`RegistrationForm` (field rules and GOV.UK messages) and then, in a transaction that is
rolled back, through `participant_register` (C2, and E9 as a warning) — so the preview
says exactly what the import would do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError  # noqa: S405 (only the exception)

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from participants.forms import ELSEWHERE, RegistrationForm, posted_answers
from participants.models import Sector
from participants.services import participant_register
from peernet.models import Hub, User

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
# Each row goes through participant_register inside the web request (about 13 s per
# 1,000 rows measured here): larger lists are split until the import runs as a task.
MAX_ROWS = 1000
MAX_COLUMNS = 100  # a header wider than this is not one of ours
ROW = "_row"  # each row's key holding its line in the file (the header is row 1)

# The file's columns, in the template's order: the one place they are named.
COLUMNS: tuple[str, ...] = (
    "business_name",
    "company_number",
    "postcode",
    "local_authority",
    "sector",
    "trading_since",
    "employees",
    "turnover",
    "balance_sheet_total",
    "exporter",
    "scale_up_potential",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "senior_decision_maker",
    "aspiration_to_improve",
    "previous_year_participant",
    "registered",
    "privacy_notice_acknowledged",
)
YES_NO = (
    "exporter",
    "scale_up_potential",
    "senior_decision_maker",
    "aspiration_to_improve",
    "previous_year_participant",
)
# Blank means "not known" for these business facts, and "no" for the declarations.
UNKNOWN_WHEN_BLANK = ("exporter", "scale_up_potential")
DATES = {
    "registered": "the date they registered",
    "privacy_notice_acknowledged": "the date the privacy notice was acknowledged",
}


def example_row(hub: Hub) -> dict[str, str]:
    """The template's example row (fixed text; the hub's first local authority)."""
    areas = list(hub.local_authorities or [])
    return {
        "business_name": "Example Engineering Ltd",
        "company_number": "01234567",
        "postcode": "M1 1AA",
        "local_authority": areas[0] if areas else "",
        "sector": "C",
        "trading_since": "2015-03-27",
        "employees": "20",
        "turnover": "1500000",
        "balance_sheet_total": "600000",
        "exporter": "yes",
        "scale_up_potential": "no",
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@example.org",
        "phone": "0161 496 0000",
        "job_title": "Managing director",
        "senior_decision_maker": "yes",
        "aspiration_to_improve": "yes",
        "previous_year_participant": "no",
        "registered": "2021-05-04",
        "privacy_notice_acknowledged": "2021-05-04",
    }


# --- reading the file ---------------------------------------------------------------------


class ImportFileError(Exception):
    """The file cannot be read as a list of registrations; `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read_rows(upload: UploadedFile) -> list[dict[str, Any]]:
    """The rows of a CSV (UTF-8, with or without a BOM) or XLSX file as text by column,
    each with its line number under ROW. Blank lines are skipped."""
    name = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFileError([f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB"])
    if not name.endswith((".csv", ".xlsx")):
        raise ImportFileError(["The file must be a CSV or XLSX file"])
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError([f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB"])
    lines = _csv_lines(data) if name.endswith(".csv") else _xlsx_lines(data)
    return _rows(lines)


def _csv_lines(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            ["The file must be saved as CSV UTF-8 (in Excel: Save as, then CSV UTF-8)"]
        ) from None
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise ImportFileError([f"The file could not be read as CSV: {exc}"]) from None


def _xlsx_lines(data: bytes) -> Any:

    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError)
    problem = ["The file could not be read as an XLSX workbook"]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable:
        raise ImportFileError(problem) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [_cell(value) for value in values]
    except (*unreadable, IndexError, ParseError):
        raise ImportFileError(problem) from None
    finally:
        workbook.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(lines: Any) -> list[dict[str, Any]]:
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        cells = [cell.strip() for cell in line]
        if header is None:
            header = _header(cells)
            continue
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(
                [f"The file has more than {MAX_ROWS:,} registrations: split it into smaller files"]
            )
        extra = [cell for cell in cells[len(header) :] if cell]
        if extra:
            raise ImportFileError([f"Row {number} has more cells than the header row has columns"])
        row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
        row.update(zip(header, cells, strict=False))
        row[ROW] = number
        rows.append(row)
    if header is None:
        raise ImportFileError(["The file is empty: start from the template"])
    if not rows:
        raise ImportFileError(["The file has a header row but no registrations"])
    return rows


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    problems = []
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        problems.append(
            "The header row has unknown columns: " + ", ".join(n or "(blank)" for n in unknown)
        )
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        problems.append("The header row is missing the columns: " + ", ".join(missing))
    repeated = sorted({name for name in names if names.count(name) > 1 and name})
    if repeated:
        problems.append("The header row names these columns more than once: " + ", ".join(repeated))
    if problems:
        raise ImportFileError(problems)
    return names


# --- validating the rows ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class RowResult:
    row: int
    values: dict[str, str]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    arguments: dict[str, Any] | None = None  # participant_register's, when the row is good

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(Problem(self.row, column, message))

    def warn(self, column: str | None, message: str) -> None:
        self.warnings.append(Problem(self.row, column, message))


class ImportRefused(Exception):
    """Nothing was imported; `problems` lists every row's errors."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_SECTORS = {
    **{code.lower(): code for code in Sector.values},
    **{label.lower(): code for code, label in Sector.choices},
    **{label.split(" — ", 1)[-1].lower(): code for code, label in Sector.choices},
}


def _date_parts(value: str) -> tuple[str, str, str] | None:
    """(day, month, year) from YYYY-MM-DD or DD/MM/YYYY; None for any other shape."""
    if match := _ISO.match(value):
        year, month, day = match.groups()
        return day, month, year
    if match := _UK.match(value):
        day, month, year = match.groups()
        return day, month, year
    return None


def _date(result: RowResult, column: str, what: str) -> dt.date | None:
    value = result.values[column]
    if not value:
        result.error(column, f"Enter {what}")
        return None
    parts = _date_parts(value)
    if parts is None:
        result.error(column, f"Enter {what} as YYYY-MM-DD or DD/MM/YYYY, like 2021-05-04")
        return None
    day, month, year = (int(part) for part in parts)
    try:
        day_ = dt.date(year, month, day)
    except ValueError:
        result.error(column, f"{what.capitalize()} must be a real date")
        return None
    if day_.year < 1800:
        result.error(column, f"{what.capitalize()} must be a real date")
        return None
    if day_ > timezone.localdate():
        result.error(column, f"{what.capitalize()} must be today or in the past")
        return None
    return day_


def _form_data(result: RowResult, hub: Hub) -> dict[str, str]:
    """The row as the public form's POST data."""
    values = result.values
    data = {
        name: values[name]
        for name in COLUMNS
        if name not in YES_NO and name not in DATES and name != "trading_since"
    }
    areas = {area.lower(): area for area in hub.local_authorities or []}
    area = values["local_authority"]
    if area and area.lower() in areas:
        data["local_authority"] = areas[area.lower()]
    elif area:  # out of the hub's area: recorded, and E6 asks about it at the decision
        data["local_authority"], data["other_local_authority"] = ELSEWHERE, area
    data["sector"] = _SECTORS.get(values["sector"].lower(), values["sector"])
    yes = set()
    for name in YES_NO:
        answer = values[name].lower()
        if answer in _YES:
            yes.add(name)
        elif answer not in _NO:
            result.error(name, "Enter yes or no")
    trading_since = values["trading_since"]
    parts = _date_parts(trading_since) if trading_since else ("", "", "")
    if parts is None:
        result.error(
            "trading_since",
            "Enter the date the business started trading as YYYY-MM-DD or DD/MM/YYYY, "
            "like 2015-03-27",
        )
        parts = ("", "", "")
        data["_trading_since_reported"] = "yes"
    for index, part in enumerate(parts):
        data[f"trading_since_{index}"] = part
    return posted_answers(data, yes=yes)


def _check_row(result: RowResult, hub: Hub) -> None:
    data = _form_data(result, hub)
    form = RegistrationForm(data, hub=hub)
    valid = form.is_valid()
    for name, messages in form.errors.items():
        if name == "trading_since" and "_trading_since_reported" in data:
            continue  # the shape of the date is already reported
        column = {"other_local_authority": "local_authority", "__all__": None}.get(name, name)
        for message in messages:
            result.error(column, message)
    registered = _date(result, "registered", DATES["registered"])
    acknowledged = _date(
        result, "privacy_notice_acknowledged", DATES["privacy_notice_acknowledged"]
    )
    if valid and not result.errors and registered and acknowledged:
        arguments = form.service_arguments()
        for name in UNKNOWN_WHEN_BLANK:
            if not result.values[name]:
                arguments[name] = None
        result.arguments = {
            **arguments,
            "registered_on": registered,
            "privacy_notice_acknowledged_on": acknowledged,
        }


def _check(hub: Hub, rows: list[dict[str, Any]]) -> list[RowResult]:
    """Each row through the public form's rules, and duplicates within the file."""
    results = []
    emails: dict[str, int] = {}
    for row in rows:
        result = RowResult(
            row=int(row[ROW]), values={name: str(row.get(name, "")) for name in COLUMNS}
        )
        _check_row(result, hub)
        email = result.values["email"].strip().lower()
        if email in emails:
            result.error("email", f"The same email address is already on row {emails[email]}")
            result.arguments = None
        elif email:
            emails[email] = result.row
        results.append(result)
    return results


class _DryRun(Exception):
    """Raised to roll back validate_rows' trial registrations."""


def validate_rows(*, hub: Hub, rows: list[dict[str, Any]]) -> list[RowResult]:
    """Every row's errors and warnings. The good rows are registered in a transaction that
    is then rolled back, so the service's own rules (C2, and E9 against both existing
    registrations and earlier rows of the file) answer as they would at the import."""
    results = _check(hub, rows)
    try:
        with transaction.atomic():
            for result in results:
                if result.arguments is not None:
                    _register(hub, result)
            raise _DryRun
    except _DryRun:
        pass
    return results


def _register(hub: Hub, result: RowResult) -> None:
    assert result.arguments is not None  # only good rows are registered
    try:
        registration = participant_register(hub=hub, **result.arguments)
    except ValidationError as refusal:
        for message in refusal.messages:
            result.error(None, message)
        return
    if registration.e9 is not None:
        # E9: the second person from a business is still recorded; the decision refuses.
        result.warn("company_number", f"E9: {registration.e9.sentence}")


@transaction.atomic
def import_rows(*, hub: Hub, rows: list[dict[str, Any]], by: User) -> int:
    """Register every row, or none: any row's error raises ImportRefused, and the
    transaction takes back the rows already registered. Returns how many were imported."""
    results = _check(hub, rows)
    problems = [problem for result in results for problem in result.errors]
    if problems:
        raise ImportRefused(problems)
    for result in results:
        _register(hub, result)
        if result.errors:
            problems.extend(result.errors)
    if problems:
        raise ImportRefused(problems)
    logger.info("%s imported %d registrations into hub %s", by.pk, len(results), hub.key)
    return len(results)
