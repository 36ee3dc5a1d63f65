"""Real-world variants of one association's file, generated (tests/imports).

CANONICAL is the table as typed; each writer saves it the way a French association's software
does. The valid variants must import identically; the invalid ones are refused with a reason.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

HEADERS = ["N° dossier", "Famille", "Quartier", "Téléphone", "Connu par", "Prénom", "Nom",
           "Année de naissance", "Lien", "Date", "Type", "Activité"]  # fmt: skip
CANONICAL = [
    ["D1", "Famille Lefèvre", "Les Tilleuls", "06 12 34 56 78", "Porte-à-porte", "Chloé",
     "Lefèvre", "1985", "mère", "15/01/2025", "Contact de proximité", ""],
    ["D1", "Famille Lefèvre", "Les Tilleuls", "", "", "Zoé", "Lefèvre", "2015", "enfant",
     "22/01/2025", "Présence", "Café des parents"],
    ["D1", "Famille Lefèvre", "", "", "", "", "", "", "", "29/01/25", "Présence",
     "Café des parents"],
    ["D2", "Famille Œuvray", "Le Port", "+32 470 12 34 56", "Centre social", "Noël", "Œuvray",
     "1979", "père", "3 févr. 2025", "Demande d'information", ""],
    ["D2", "Famille Œuvray", "Le Port", "", "", "", "", "", "", "10 février 2025",
     "Visite d'accueil", ""],
    ["D3", "Famille Dubois", "", "0033 6 98 76 54 32", "Internet", "Hélène", "Dubois", "",
     "parent", "45700", "Présence", "Atelier cuisine"],
]  # fmt: skip
DATE_COLUMN = HEADERS.index("Date")


def _csv_text(rows, delimiter=";", title=False, total=False, trailing=0) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if title:
        w.writerow(["Liste des familles suivies — 2025"] + [""] * (len(HEADERS) - 1 + trailing))
        w.writerow([""] * (len(HEADERS) + trailing))
    for row in rows:
        w.writerow(list(row) + [""] * trailing)
    if total:
        w.writerow([""] * (len(HEADERS) + trailing))
        w.writerow(["Total : 3 familles"] + [""] * (len(HEADERS) - 1 + trailing))
    return out.getvalue()


def write_csv(path: Path, rows=None, *, headers=None, encoding="utf-8-sig", **kw) -> Path:
    table = [headers or HEADERS, *(CANONICAL if rows is None else rows)]
    path.write_bytes(_csv_text(table, **kw).encode(encoding))
    return path


def _typed(cell: str, column: int):
    """A cell as Excel stores it: dates as dates, years and serial days as numbers."""
    if column == DATE_COLUMN and re.fullmatch(r"\d{2}/\d{2}/\d{4}", cell):
        return datetime.strptime(cell, "%d/%m/%Y")
    if cell.isdigit():
        return int(cell)
    return cell or None


def write_xlsx(path: Path, rows=None, *, title=False, total=False, trailing=0,
               formulas=False) -> Path:  # fmt: skip
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Familles"
    r = 1
    if title:
        ws.cell(1, 1, "Association des familles — liste 2025")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
        ws.cell(2, 1, "Mise à jour le 31/12/2025")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)
        r = 4
    for c, h in enumerate(HEADERS, 1):
        ws.cell(r, c, h)
    cached = {}
    for row in CANONICAL if rows is None else rows:
        r += 1
        for c, cell in enumerate(row, 1):
            ws.cell(r, c, _typed(cell, c - 1))
        if formulas and row[1]:  # the family name typed once, copied by a formula below
            ref = f"B{r}"
            ws[ref] = f'=PROPER("{row[1]}")'
            cached[ref] = row[1]
    if trailing:
        ws.cell(r + 3, len(HEADERS) + trailing, None)
    if total:
        ws.cell(r + 2, 1, "Total")
        ws.cell(r + 2, 2, "=COUNTA(B2:B9)")
        ws.merge_cells(start_row=r + 2, start_column=2, end_row=r + 2, end_column=4)
    wb.save(path)
    if cached:
        _cache_formula_values(path, cached)
    return path


def _cache_formula_values(path: Path, cached: dict[str, str]) -> None:
    """Store the values Excel would have computed and saved for the formula cells."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    for ref, value in cached.items():
        xml, n = re.subn(
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
            lambda m, v=value, ref=ref: f'<c r="{ref}" t="str"><f>{m[2]}</f><v>{v}</v></c>',
            xml,
        )
        assert n == 1, (ref, xml[:2000])
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def write_zip_bomb(path: Path) -> Path:
    """A valid-looking workbook whose sheet inflates to ~1 GB (declared in the zip)."""
    write_xlsx(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
        with z.open("xl/worksheets/padding.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                fh.write(block)
    return path


def write_pdf_as_xlsx(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    return path


def variant_rows(**changes) -> list[list[str]]:
    """CANONICAL with cells replaced: {(row, header): value}."""
    rows = [list(r) for r in CANONICAL]
    for (i, header), value in changes.get("cells", {}).items():
        rows[i][HEADERS.index(header)] = value
    return rows
