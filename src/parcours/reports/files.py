"""The report as files: a PDF (WeasyPrint, from HTML with SVG charts) and an XLSX workbook
(openpyxl, one sheet per table). Both carry the figures of :mod:`parcours.reports.content`."""

from __future__ import annotations

import io
import re

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from parcours.exports.formats import neutralise
from parcours.reports.content import Report


def pdf_bytes(html: str, base_url: str) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    return HTML(string=html, base_url=base_url).write_pdf()


def report_pdf(request, report: Report) -> bytes:
    html = render_to_string("reports/report_print.html", {"report": report}, request)
    return pdf_bytes(html, request.build_absolute_uri("/"))


def report_pdf_bytes(report: Report) -> bytes:
    """The same PDF outside a request (the worker): the logo is a file URI, nothing else is
    fetched."""
    html = render_to_string("reports/report_print.html", {"report": report})
    return pdf_bytes(html, "file:///")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name.lower())
    return name


def report_xlsx(report: Report) -> bytes:
    """One sheet per table: its title, the period, the column names, the rows (cells a
    spreadsheet would run as formulas are neutralised)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    period = _("Period: %(start)s – %(end)s") % {
        "start": report.query.period.start.strftime("%d/%m/%Y"),
        "end": report.query.period.end.strftime("%d/%m/%Y"),
    }
    for section in report.sections:
        panel = section.panel
        sheet = book.create_sheet(_sheet_title(panel.title, taken))
        sheet.append([neutralise(panel.title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([neutralise(f"{report.association.name} · {period}")])
        sheet.append([neutralise(c) for c in panel.columns])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in panel.rows:
            sheet.append([c if isinstance(c, int | float) else neutralise(c) for c in row])
        sheet.column_dimensions["A"].width = 42
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
