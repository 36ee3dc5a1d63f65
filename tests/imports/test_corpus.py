"""A corpus of real-world variants of one file: each valid one imports identically, each
invalid one is refused with its reason (in French) and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scopes_disabled

from parcours.households.models import Household, Touchpoint
from parcours.imports import services
from parcours.imports.reading import FileRefused
from tests.imports import corpus
from tests.imports.conftest import BASIS, snapshot

VALID = {
    "csv-utf8-bom-comma": lambda d: corpus.write_csv(d / "f.csv", delimiter=","),
    "csv-windows1252-semicolon": lambda d: corpus.write_csv(
        d / "f.csv", delimiter=";", encoding="cp1252"
    ),
    "csv-utf8-title-total-trailing-columns": lambda d: corpus.write_csv(
        d / "f.csv", encoding="utf-8", title=True, total=True, trailing=2
    ),
    "csv-tab-utf16": lambda d: corpus.write_csv(d / "f.txt", delimiter="\t", encoding="utf-16"),
    "xlsx": lambda d: corpus.write_xlsx(d / "f.xlsx"),
    "xlsx-merged-title-and-total-rows": lambda d: corpus.write_xlsx(
        d / "f.xlsx", title=True, total=True, trailing=2
    ),
    "xlsx-formula-cells": lambda d: corpus.write_xlsx(d / "f.xlsx", formulas=True),
}


def _import(path, association):
    with scopes_disabled():
        layout, plan = services.read_plan(path)
        assert plan.ok, [(p.line, p.column, p.value, p.reason) for p in plan.problems]
        services.import_commit(
            actor=None, association=association, plan=plan, decisions={}, lawful_basis=BASIS
        )
    return layout


@pytest.fixture(scope="module")
def expected(django_db_setup, django_db_blocker, tmp_path_factory):
    """The snapshot of the plain UTF-8 CSV: what every valid variant must give."""
    from parcours.accounts.models import Association

    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            a = Association.objects.create(name="Référence", slug="reference")
            _import(corpus.write_csv(tmp_path_factory.mktemp("ref") / "f.csv"), a)
            snap = snapshot(a)
            transaction.set_rollback(True)
    return snap


def test_the_reference_file_reads_as_typed(expected):
    names = [row[0] for row in expected]
    assert names == ["Famille Dubois", "Famille Lefèvre", "Famille Œuvray"]
    dubois, lefevre, oeuvray = expected
    assert lefevre[2] == "06 12 34 56 78" and lefevre[3] == "outreach"
    assert oeuvray[2] == "+32 470 12 34 56" and oeuvray[3] == "partner"
    assert dubois[2] == "06 98 76 54 32" and dubois[3] == "web"
    assert [t[0] for t in lefevre[5]] == [date(2025, 1, 15), date(2025, 1, 22), date(2025, 1, 29)]
    assert {t[1] for t in oeuvray[5]} == {"info_request", "intake_visit"}
    assert oeuvray[5][0][0] == date(2025, 2, 3) and oeuvray[5][1][0] == date(2025, 2, 10)
    assert dubois[5] == [(date(2025, 2, 12), "attendance", "Atelier cuisine")]  # serial 45700
    assert ("Chloé", "Lefèvre", 1985, "parent", True) in lefevre[4]
    assert ("Zoé", "Lefèvre", 2015, "child", False) in lefevre[4]
    assert all(row[6] for row in expected), "every household gets its stage"


@pytest.mark.parametrize("variant", sorted(VALID))
def test_each_valid_variant_imports_identically(variant, expected, association, tmp_path):
    layout = _import(VALID[variant](tmp_path), association)
    assert layout.headers[:12] == corpus.HEADERS
    assert snapshot(association) == expected


def _refused(path, association) -> str:
    """The reasons the file is refused; asserts nothing was written."""
    with scopes_disabled():
        try:
            _layout, plan = services.read_plan(path)
        except FileRefused as exc:
            reasons = str(exc)
        else:
            assert not plan.ok
            reasons = " | ".join(f"{p.line}:{p.column}:{p.value}:{p.reason}" for p in plan.problems)
        assert not Household.objects.filter(association=association).exists()
        assert not Touchpoint.objects.filter(association=association).exists()
    return reasons


def _without(header):
    i = corpus.HEADERS.index(header)
    return [h for h in corpus.HEADERS if h != header], [
        r[:i] + r[i + 1 :] for r in corpus.CANONICAL
    ]


INVALID = {
    "missing-column": (
        lambda d: corpus.write_csv(
            d / "f.csv", _without("Famille")[1], headers=_without("Famille")[0]
        ),  # fmt: skip
        ["colonne manquante", "Foyer (nom de famille)"],
    ),
    "duplicated-column": (
        lambda d: corpus.write_csv(
            d / "f.csv", headers=[h if h != "Connu par" else "Tél." for h in corpus.HEADERS]
        ),
        ["colonne en double", "« Téléphone » et « Tél. »"],
    ),
    "bad-dates": (
        lambda d: corpus.write_csv(
            d / "f.csv",
            corpus.variant_rows(
                cells={(0, "Date"): "32/01/2025", (1, "Date"): "12/31/2024", (2, "Date"): "hier"}
            ),
        ),
        ["2:Date:32/01/2025:", "3:Date:12/31/2024:", "4:Date:hier:", "jour/mois/année"],
    ),  # fmt: skip
    "unknown-channel": (
        lambda d: corpus.write_csv(
            d / "f.csv", corpus.variant_rows(cells={(3, "Connu par"): "Pigeon voyageur"})
        ),
        ["5:Connu par:Pigeon voyageur:canal inconnu"],
    ),
    "empty-file": (lambda d: (d / "f.csv").write_bytes(b"") and d / "f.csv", ["est vide"]),
    "headers-only": (lambda d: corpus.write_csv(d / "f.csv", []), ["aucune ligne"]),
    "pdf-renamed-xlsx": (lambda d: corpus.write_pdf_as_xlsx(d / "f.xlsx"), ["PDF"]),
    "zip-bomb": (lambda d: corpus.write_zip_bomb(d / "f.xlsx"), ["bombe"]),
    "csv-formula-cell": (
        lambda d: corpus.write_csv(
            d / "f.csv", corpus.variant_rows(cells={(0, "Famille"): '=HYPERLINK("http://x")'})
        ),
        ["2:Famille:", "formule"],
    ),
    "bad-phone": (
        lambda d: corpus.write_csv(
            d / "f.csv", corpus.variant_rows(cells={(0, "Téléphone"): "06 12"})
        ),
        ["2:Téléphone:06 12:"],
    ),
}


@pytest.mark.parametrize("variant", sorted(INVALID))
def test_each_invalid_variant_is_refused_with_its_reason(variant, association, tmp_path):
    make, reasons = INVALID[variant]
    path = tmp_path / "f.csv"
    made = make(tmp_path)
    path = made if made else path
    text = _refused(path, association)
    for reason in reasons:
        assert reason in text, text


def test_the_corpus_has_at_least_twelve_variants():
    assert len(VALID) + len(INVALID) >= 12
