"""Read an association's CSV or XLSX file as it really is, with bounded memory.

- The format is told by the file's first bytes, never by its name: a PDF or an old .xls
  renamed .xlsx is refused with what it really is.
- CSV: UTF-8 with or without a BOM, else Windows-1252 (Excel's "CSV" on a French Windows);
  the separator (``;``, ``,`` or a tab) is sniffed from the first lines.
- XLSX: before opening, the zip's declared sizes are checked (total and ratio per member:
  a decompression bomb is refused unread); then openpyxl reads it in read-only mode, row by row,
  with the values Excel computed for formula cells.
- Layout: title rows (merged or not) above the table are skipped; the header row is the first
  with at least two known column names (else two filled cells); empty rows and columns, and
  summary rows ("Total …") are skipped.

Every refusal is a FileRefused with a French message (through gettext) saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from parcours.households.duplicates import normalise_text

SAMPLE_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 30


def limit(name: str) -> int:
    """The import limits, overridable in settings (PARCOURS_IMPORT_LIMITS)."""
    defaults = {
        "max_bytes": 50 * 1024 * 1024,  # the file as uploaded
        "max_rows": 250_000,  # data rows
        "max_uncompressed": 300 * 1024 * 1024,  # XLSX: sum of the zip members' real sizes
        "max_ratio": 200,  # XLSX: real size / compressed size of any member over 1 MB
        "max_members": 2_000,
    }
    return getattr(settings, "PARCOURS_IMPORT_LIMITS", {}).get(name, defaults[name])


class FileRefused(Exception):
    """The file cannot be imported; the message says why and what to do (French)."""


@dataclass
class Layout:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    header_line: int = 0  # 1-based line (CSV) or row (XLSX) of the headers
    headers: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.kind == "xlsx":
            return _("Excel workbook (.xlsx), sheet “%(sheet)s”, headers on row %(line)s") % {
                "sheet": self.sheet,
                "line": self.header_line,
            }
        names = {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}
        encodings = {
            "utf-8-sig": _("UTF-8 with BOM"),
            "utf-8": "UTF-8",
            "cp1252": "Windows-1252",
            "utf-16": "UTF-16",
        }
        return _("CSV text, %(encoding)s, separated by %(sep)s, headers on line %(line)s") % {
            "encoding": encodings.get(self.encoding, self.encoding),
            "sep": names.get(self.delimiter, self.delimiter),
            "line": self.header_line,
        }


def sniff_kind(path: Path) -> str:
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(_("The file is empty: nothing to import."))
    if size > limit("max_bytes"):
        raise FileRefused(
            _("The file weighs %(size)s MB, more than the %(max)s MB allowed: split it.")
            % {"size": round(size / 1048576, 1), "max": limit("max_bytes") // 1048576}
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF"):
        raise FileRefused(
            _(
                "This file is a PDF, not a spreadsheet: open the original table in Excel or "
                "LibreOffice and save it as .xlsx or .csv."
            )  # fmt: skip
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _("This is an old Excel file (.xls): save it as .xlsx or .csv, then import it.")
        )
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(_("This file is neither a CSV text nor an Excel workbook (.xlsx)."))
    return "csv"


def check_zip(path: Path) -> None:
    """Refuse a zip whose members would decompress too large (declared sizes, read unopened)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("This Excel file is damaged: it cannot be opened.")) from exc
    if len(members) > limit("max_members"):
        raise FileRefused(_("This Excel file holds too many parts to be a table: refused."))
    total = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > 1024 * 1024 and m.file_size > limit("max_ratio") * max(m.compress_size, 1)
        for m in members
    )
    if bomb or total > limit("max_uncompressed"):
        raise FileRefused(
            _("This Excel file would take %(size)s MB once decompressed (compressed %(ratio)s "
              "times): refused as a decompression bomb. Save the table alone as .xlsx or .csv.")
            % {
                "size": total // 1048576,
                "ratio": total // max(sum(m.compress_size for m in members), 1),
            }
        )  # fmt: skip
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(
            _(
                "This file is a zip archive, not an Excel workbook (.xlsx): open the table and "
                "save it as .xlsx or .csv."
            )  # fmt: skip
        )


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t").delimiter
    except csv.Error:
        sniffed = ""

    def score(sep: str) -> tuple[int, int]:
        counts = [len(row) for row in csv.reader(lines, delimiter=sep) if len(row) > 1]
        if not counts:
            return (0, 0)
        mode = max(set(counts), key=counts.count)
        return (counts.count(mode), mode)

    best = max(";,\t", key=score)
    if sniffed and score(sniffed) >= score(best):
        return sniffed
    return best


Cell = object  # str | int | float | datetime | date | None


def _is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def is_summary(cells: list) -> bool:
    """A totals row under the table: its first filled cell starts with "total"."""
    first = next((c for c in cells if not _is_empty(c)), None)
    if not isinstance(first, str) or first.lstrip()[:1] not in "tTsS":
        return False
    return normalise_text(first).startswith(("total", "sous total"))


def _find_header(rows: list[tuple[int, list]], known: Callable[[str], bool]) -> int:
    """Index in `rows` of the header row."""
    best, best_known = -1, 1
    for i, (_line, cells) in enumerate(rows):
        n = sum(1 for c in cells if isinstance(c, str) and known(c))
        if n > best_known:
            best, best_known = i, n
    if best >= 0:
        return best
    for i, (_line, cells) in enumerate(rows):
        if sum(1 for c in cells if isinstance(c, str) and c.strip()) >= 2:
            return i
    raise FileRefused(_("No row of column names was found at the top of the table."))


def _headers(cells: list) -> list[str]:
    names = ["" if c is None else str(c).strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    letters = [_column_letter(i) for i in range(len(names))]
    return [n or _("Column %(letter)s") % {"letter": letters[i]} for i, n in enumerate(names)]


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


class Source:
    """An opened file: `layout` after `open`, then `rows()` streams (line, cells) of data."""

    def __init__(self, path: Path, known: Callable[[str], bool]):
        self.path = Path(path)
        self.known = known
        kind = sniff_kind(self.path)
        self.layout = Layout(kind=kind)
        if kind == "xlsx":
            check_zip(self.path)
            self._open_xlsx()
        else:
            self._open_csv()
        head = list(self._raw(limit_rows=HEADER_SEARCH_ROWS))
        if not any(any(not _is_empty(c) for c in cells) for _line, cells in head):
            raise FileRefused(_("The file holds no table: every row is empty."))
        at = _find_header(head, self.known)
        self.layout.header_line = head[at][0]
        self.layout.headers = _headers(head[at][1])

    # -- opening ---------------------------------------------------------------------------

    def _open_csv(self) -> None:
        with self.path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        encoding = _encoding(sample)
        text = sample.decode(encoding, errors="ignore")
        self.layout.encoding = encoding
        self.layout.delimiter = _delimiter(text)

    def _open_xlsx(self) -> None:
        import openpyxl

        try:
            self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise FileRefused(_("This Excel file is damaged: it cannot be opened.")) from exc
        sheet = self._book.worksheets[0] if self._book.worksheets else None
        if sheet is None:
            raise FileRefused(_("This Excel file has no sheet."))
        self._sheet = sheet
        self.layout.sheet = sheet.title

    def close(self) -> None:
        book = getattr(self, "_book", None)
        if book is not None:
            book.close()

    # -- rows ------------------------------------------------------------------------------

    def _raw(self, limit_rows: int | None = None) -> Iterator[tuple[int, list]]:
        n = 0
        if self.layout.kind == "xlsx":
            for line, cells in enumerate(self._sheet.iter_rows(values_only=True), start=1):
                yield line, list(cells)
                n += 1
                if limit_rows is not None and n >= limit_rows:
                    return
            return
        with self.path.open("r", encoding=self.layout.encoding, errors="strict", newline="") as fh:
            reader = csv.reader(fh, delimiter=self.layout.delimiter)
            try:
                for cells in reader:
                    yield reader.line_num, cells
                    n += 1
                    if limit_rows is not None and n >= limit_rows:
                        return
            except UnicodeDecodeError as exc:
                raise FileRefused(
                    _(
                        "Line %(line)s: characters that are neither UTF-8 nor Windows-1252: save "
                        "the file as “CSV UTF-8”."
                    )
                    % {"line": reader.line_num + 1}  # fmt: skip
                ) from exc
            except csv.Error as exc:
                raise FileRefused(
                    _("Line %(line)s: the CSV text is malformed (%(error)s).")
                    % {"line": reader.line_num, "error": exc}
                ) from exc

    def rows(self) -> Iterator[tuple[int, list]]:
        """(line, cells) of each data row under the header; empty and summary rows skipped."""
        width = len(self.layout.headers)
        count = 0
        for line, cells in self._raw():
            if line <= self.layout.header_line:
                continue
            cells = cells[:width] + [None] * (width - len(cells))
            if all(_is_empty(c) for c in cells) or is_summary(cells):
                continue
            count += 1
            if count > limit("max_rows"):
                raise FileRefused(
                    _("The file holds more than %(max)s rows: split it into several files.")
                    % {"max": limit("max_rows")}
                )
            yield line, cells


def open_source(path: Path, known: Callable[[str], bool]) -> Source:
    return Source(path, known)
