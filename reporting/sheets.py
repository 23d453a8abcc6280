"""Tables as spreadsheet users open them: CSV for Excel and XLSX for analysts.

Every download that is a table (the return, the evaluator's baseline export, the hub's
evaluator list, the registration import template) is written through here, so each file
opens cleanly in Excel, LibreOffice and pandas alike:

- CSV: UTF-8 with a byte-order mark (without one, Excel reads UTF-8 as the local code
  page and garbles accented names), CRLF line ends, and text that a spreadsheet would read
  as a formula prefixed with an apostrophe (docs/security.md §17): a CSV cell has no type, so
  the apostrophe is the only way to keep it text.
- XLSX: real numbers, dates and datetimes (with a date format, in UK time, as Excel has no
  time zones); every text cell typed as text, which a spreadsheet never evaluates, so it
  needs no apostrophe (docs/security.md §17) and shows the words as written; a bold header row
  (and, where figures are the columns, a row of their labels under the ids), frozen, with
  an autofilter over the table; column widths fitted to what the columns hold.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from peernet.calendar import LONDON

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

# docs/security.md §17: what a spreadsheet would read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH = 8
MAX_WIDTH = 60  # wider text wraps in its cell
LABEL_WIDTH = 24  # a label row wraps: its words need not set the column's width


def neutralise(value: Any) -> Any:
    """A CSV cell that a spreadsheet could read as a formula, prefixed with an apostrophe
    so it stays text; numbers, dates and other text are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def uk_time(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as the UK clock read it, without a zone: what a spreadsheet,
    which has no time zones, can hold."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(LONDON).replace(tzinfo=None)


# --- CSV --------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{uk_time(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """The rows as a CSV file for Excel: UTF-8 with a byte-order mark, CRLF line ends,
    formula-like text neutralised; dates as YYYY-MM-DD, datetimes in UK time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------


def _longest_line(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return len("2021-11-05 10:00:00")
    if isinstance(value, dt.date):
        return len("2021-11-05")
    if isinstance(value, float | Decimal):
        return len(f"{value:.2f}".rstrip("0").rstrip("."))
    return max((len(line) for line in str(value).splitlines()), default=0)


def put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """One cell, typed: text as text (never a formula, docs/security.md §17), a date or a
    datetime with its format, a number as a number."""

    if isinstance(value, dt.datetime):
        value = uk_time(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if len(value) > MAX_WIDTH or "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def table(
    sheet: Any,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    labels: Sequence[str] | None = None,
    frozen_columns: int = 0,
    max_width: int = MAX_WIDTH,
    first_row: int = 1,
) -> None:
    """A table from `first_row` down: the header (ids), then, if given, a row of their
    labels; both bold and frozen with the first `frozen_columns` columns; an autofilter
    from the last header row over every row; each column as wide as its content (within
    MIN_WIDTH and `max_width`, longer text wrapping)."""

    bold = Font(bold=True)
    widths = [0] * len(header)
    head = [list(header)] + ([list(labels)] if labels is not None else [])
    row_number = first_row
    for index, values in enumerate(head):
        for column, value in enumerate(values, start=1):
            cell = put(sheet, row_number, column, value)
            cell.font = bold
            if index:  # the labels: wrapped, so long ones do not widen the column
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[column - 1] = max(widths[column - 1], min(len(value), LABEL_WIDTH))
            else:
                widths[column - 1] = max(widths[column - 1], len(value))
        row_number += 1
    filter_row = row_number - 1
    for values in rows:
        for column, value in enumerate(values, start=1):
            put(sheet, row_number, column, value)
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], _longest_line(value))
        row_number += 1
    last = get_column_letter(max(len(header), 1))
    sheet.auto_filter.ref = f"A{filter_row}:{last}{max(row_number - 1, filter_row)}"
    sheet.freeze_panes = sheet.cell(row=filter_row + 1, column=frozen_columns + 1).coordinate
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(width + 2, max_width))


def workbook_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
