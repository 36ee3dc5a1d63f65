"""Bench step: the yearly period activity report built from the generated association's
columns — every measure of the report, its panels (the board's audience), the SVG charts, the
HTML and the PDF (WeasyPrint) — timed end to end, beside the same measures' DuckDB references
on the same rows (relapse included), checked equal first.

Not timed: loading the columns from the database (``analytics.selectors.journey_data``, one
query per table), which the dashboard step does not time either.
"""

from __future__ import annotations

import os
import time
from datetime import date


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings_test")
    import django

    django.setup()


def report_step(ctx):
    import json

    import duckdb
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from bench.analytics_reference import (
        _out,
        differences,
        load_generated,
        ours,
        reference,
        register,
    )
    from bench.steps import Outcome

    _django()
    from parcours.analytics.measures import Period, Query, run
    from parcours.analytics.panels import PRESENTERS, Labels, vocab_words
    from parcours.analytics.privacy import EXPORT
    from parcours.engine import shipped_definition
    from parcours.reports.content import SECTIONS, Report, Section
    from parcours.reports.svg import bar_svg

    data = load_generated(ctx)
    ctx.table = None
    query = Query(1, Period(date(ctx.end.year - 1, 1, 1), date(ctx.end.year - 1, 12, 31)))
    con = duckdb.connect()
    register(con, data)
    diff = differences(reference(con, query, len(data.stage_keys)), ours(data, query))
    if diff:
        raise AssertionError(f"measures differ from the DuckDB reference: {diff[:5]}")
    definition = shipped_definition()

    class Association:
        name = "Association du banc d’essai"
        slug = "bench"
        logo = None

    split: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        split[name] = round(min(split.get(name, 1e9), seconds), 3)

    def build() -> bytes:
        t0, c0 = time.perf_counter(), time.process_time()
        with translation.override("fr"):
            words = vocab_words(lambda w: definition.vocabulary.word(w, "fr"))
            labels = Labels(
                stage=lambda k: definition.stage_label(k, "fr"),
                status=lambda k: definition.status_label(k, "fr"),
                order=definition.stage_keys,
                words=words,
            )
            results = {kind: run(kind, data, query) for kind in SECTIONS}
            t1, c1 = time.perf_counter(), time.process_time()
            panels = [PRESENTERS[kind](results[kind], labels, EXPORT) for kind in SECTIONS]
            sections = [Section(panel, bar_svg(panel.chart)) for panel in panels]
            report = Report(Association(), query, EXPORT, sections, words, 0, ctx.end)
            html = render_to_string("reports/report_print.html", {"report": report})
            t2, c2 = time.perf_counter(), time.process_time()
            pdf = HTML(string=html).write_pdf()
            t3, c3 = time.perf_counter(), time.process_time()
        keep("measures", t1 - t0)
        keep("measures_cpu", c1 - c0)
        keep("panels_svg_html", t2 - t1)
        keep("panels_svg_html_cpu", c2 - c1)
        keep("weasyprint_pdf", t3 - t2)
        keep("weasyprint_pdf_cpu", c3 - c2)
        keep("cpu", c3 - c0)
        return pdf

    best, size = float("inf"), 0
    for _ in range(1 if ctx.size == "L" else 3):
        t0 = time.perf_counter()
        size = len(build())
        best = min(best, time.perf_counter() - t0)
    notes = {"period": f"{query.period.start} – {query.period.end}", "pdf_bytes": size,
             "sections": list(SECTIONS), "households": int(data.household.shape[0]),
             "check": "equal", **split}  # fmt: skip
    _out(ctx, "report").write_text(json.dumps({**notes, "seconds": best}, indent=1))
    return Outcome(best, notes=notes)
