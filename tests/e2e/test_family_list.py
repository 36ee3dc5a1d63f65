"""The family list in the browser: filters kept in the URL, then the filtered list downloaded
as CSV and XLSX and read back (French and English, phone and desktop, axe-core clean)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import axe_violations, format_violations, set_language

pytestmark = pytest.mark.browser


def names(page) -> list[str]:
    return page.locator("#household-results tbody tr td:first-child").all_inner_texts()


def wait_rows(page, n: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('#household-results tbody tr').length === {n}"
    )


def download(page, export: str, fmt: str) -> bytes:
    link = page.locator(f'#household-results a[href*="/exports/{export}/"][href*="format={fmt}"]')
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


# the CSV of each language: its delimiter and the name column's header
CSV = {"fr": (";", "Famille"), "en": (",", "Household")}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_filter_the_family_list_then_export_it(page, login_as, viewport, lang):
    delimiter, header = CSV[lang]
    login_as("coordinator")
    page.goto("/households/")
    set_language(page, lang)
    assert len(names(page)) == 6

    page.locator("#id_neighbourhood").select_option("Les Tilleuls")
    page.wait_for_url("**/households/?neighbourhood=Les+Tilleuls")
    wait_rows(page, 2)
    assert names(page) == ["Famille Benali", "Famille Martin"]
    page.locator("#id_activity").select_option(label="Café des parents")
    page.wait_for_url("**/households/?neighbourhood=Les+Tilleuls&activity=*")
    wait_rows(page, 1)
    assert names(page) == ["Famille Benali"]
    row = page.locator("#household-results tbody tr").first.inner_text()
    assert "20/05/2026" not in row  # the association's call is no contact from the family
    assert ("06/05/2026" if lang == "fr" else "05/06/2026") in row  # its last attendance

    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    # The CSV: UTF-8 with a byte-order mark, the language's delimiter and headers.
    text = download(page, "households", "csv").decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
    assert rows[0][0] == header
    assert [r[0] for r in rows[1:]] == ["Famille Benali"]
    # The XLSX: the same rows.
    book = load_workbook(io.BytesIO(download(page, "households", "xlsx")), read_only=True)
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert sheet[0][0] == header and [r[0] for r in sheet[1:]] == ["Famille Benali"]
    members = download(page, "persons", "csv").decode("utf-8")
    assert "Samira" in members and "Julien" not in members

    # Sorting and reloading: the URL holds it all.
    page.locator("#id_activity").select_option("")
    wait_rows(page, 2)
    page.locator("#id_sort").select_option("-name")
    page.wait_for_url("**/households/?neighbourhood=Les+Tilleuls&sort=-name")
    page.wait_for_function(
        "() => document.querySelector('#household-results tbody td').innerText === 'Famille Martin'"
    )
    page.reload()
    assert names(page) == ["Famille Martin", "Famille Benali"]
    assert page.locator("#id_sort").input_value() == "-name"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_filters_work_without_javascript(page, login_as, browser, live_server, viewport):
    """A GET form: with JavaScript off, Apply sends it and the short URL comes back."""
    from tests.e2e.conftest import VIEWPORTS

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="fr-FR", **VIEWPORTS[viewport]
    )
    nojs = context.new_page()
    login_as("volunteer", target=nojs)
    nojs.goto("/households/")
    nojs.locator("#id_neighbourhood").select_option("La Source")
    nojs.get_by_role("button", name="Appliquer les filtres").click()
    nojs.wait_for_url("**/households/?neighbourhood=La+Source")
    assert names(nojs) == ["Famille Diallo", "Famille Moreau"]
    context.close()
