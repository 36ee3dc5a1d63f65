"""Files for spreadsheets: CSV and XLSX written row by row, safe to open.

One table shape for every export: `Table(title, columns, rows)` where `columns` are the headers
(already in the user's language) and `rows` an iterable of lists of cells (str, int, float,
Decimal, date, datetime or None). The rows are read once, while the file is sent, so a
queryset iterated in chunks keeps memory bounded whatever the number of rows.

- **CSV** is UTF-8 with a byte-order mark (so a spreadsheet reads the accents), `;` between
  cells and a decimal comma in French (what a French spreadsheet expects), `,` and a decimal
  point in English. Dates are written 31/12/2026 in French, 2026-12-31 in English.
- **XLSX** is an openpyxl write-only workbook (rows go to a temporary file, not to memory),
  streamed from disk once written. Numbers and dates are typed cells.
- **Formula injection** (CWE-1236): a text cell starting with = + - @, a tab or a carriage
  return would be run by a spreadsheet as a formula. In CSV it gets a leading apostrophe; in
  XLSX it is written as a string cell, which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import translation
from django_scopes import scope

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    keys: Sequence[str] = ()  # what each column is, for the audit log (never values)


def table(title: str, columns: Sequence[tuple[str, str]], rows) -> Table:
    """A table from (key, header) pairs."""
    return Table(title, [label for _key, label in columns], rows, [key for key, _l in columns])


def neutralise(value: object) -> str:
    """A text cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def french(language: str | None = None) -> bool:
    return (language or translation.get_language() or "").startswith("fr")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object, *, fr: bool) -> str:
    """One cell as a CSV text: numbers with the language's decimal mark, dates in its order."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = f"{value:f}" if isinstance(value, Decimal) else repr(round(value, 6))
        return text.replace(".", ",") if fr else text
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if fr else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if fr else value.isoformat()
    return neutralise(str(value))


def csv_lines(table: Table, *, language: str | None = None) -> Iterator[str]:
    return _csv_lines(table, fr=french(language))  # the language of the request, read now


def _csv_lines(table: Table, *, fr: bool) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";" if fr else ",", lineterminator="\r\n")
    yield BOM
    yield writer.writerow([neutralise(str(c)) for c in table.columns])
    for row in table.rows:
        yield writer.writerow([csv_cell(c, fr=fr) for c in row])


def _xlsx_cell(sheet, value: object):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value, cell.data_type = value, "s"  # never a formula, whatever it starts with
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"
    return cell


def _sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in a sheet title and more than 31 characters."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return (clean or "Export")[:31]


def xlsx_file(table: Table):
    """The workbook written to a temporary file (rewound), row by row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    sheet.append([_xlsx_cell(sheet, str(c)) for c in table.columns])
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, c) for c in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    book.save(out)
    out.seek(0)
    return out


def scoped(rows: Iterable[Sequence[object]], *, association_id: int) -> Iterator[Sequence[object]]:
    """Rows read while a streamed response is sent, after the view and its middleware have
    returned: in the association's scope and the request's language, as the view was."""
    return _scoped(rows, association_id, translation.get_language())  # read now, not later


def _scoped(rows, association_id: int, language: str | None):
    with scope(association=[association_id]), translation.override(language):
        yield from rows


def response(table: Table, *, fmt: str, filename: str):
    """The download of `table` as `filename`.<fmt> (CSV streamed, XLSX written then sent)."""
    name = f"{filename}.{fmt}"
    if fmt == XLSX:
        return FileResponse(
            xlsx_file(table), as_attachment=True, filename=name, content_type=CONTENT_TYPES[XLSX]
        )
    if isinstance(table.rows, list | tuple):  # a small table, already read: sent whole
        resp = HttpResponse("".join(csv_lines(table)), content_type=CONTENT_TYPES[CSV])
    else:
        resp = StreamingHttpResponse(csv_lines(table), content_type=CONTENT_TYPES[CSV])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
