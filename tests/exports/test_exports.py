"""Exports: files that match the family list's filters, safe to open, in the user's language,
with what each role may learn only, each one audited (parcours.exports)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from parcours.audit.models import AuditEvent
from parcours.exports.formats import Table, csv_cell, csv_lines, neutralise, xlsx_file
from tests.familylist.families import build_families
from tests.responses import body


@pytest.fixture
def fam(world):
    return build_families(world)


def download(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"exports:{name}"), params)


def csv_rows(response, delimiter=";") -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def xlsx_rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


# --- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")']
)
def test_formula_starts_are_neutralised_in_csv(text):
    assert neutralise(text) == "'" + text
    assert csv_cell(text, fr=True) == "'" + text


def test_plain_text_and_numbers_are_left_as_they_are():
    assert neutralise("Famille Martin") == "Famille Martin"
    assert csv_cell(-2, fr=True) == "-2"  # a number, not a formula
    assert csv_cell(3.5, fr=True) == "3,5" and csv_cell(3.5, fr=False) == "3.5"
    assert csv_cell(Decimal("12.50"), fr=True) == "12,50"
    assert csv_cell(date(2026, 3, 1), fr=True) == "01/03/2026"
    assert csv_cell(date(2026, 3, 1), fr=False) == "2026-03-01"
    assert csv_cell(None, fr=True) == ""


def test_csv_delimiter_follows_the_language():
    table = Table("t", ["A", "B"], [["x", 1.5]])
    assert "".join(csv_lines(table, language="fr")) == "\ufeffA;B\r\nx;1,5\r\n"
    assert "".join(csv_lines(table, language="en")) == "\ufeffA,B\r\nx,1.5\r\n"


def test_xlsx_writes_formulas_as_strings():
    table = Table(
        "Familles: [test]", ["Nom", "N"], [["=1+1", 3], ["@x", None], [date(2026, 1, 2), 2.5]]
    )
    book = load_workbook(xlsx_file(table))
    sheet = book.active
    assert sheet.title == "Familles   test"
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "@x" and sheet["A3"].data_type == "s"
    assert sheet["B2"].value == 3
    assert sheet["A4"].value.date() == date(2026, 1, 2)


# --- the household list ---------------------------------------------------------------------


def test_household_csv_matches_the_filter_in_french(client, world, fam):
    r = download(client, world.user("coordinator"), "households", neighbourhood="Centre")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="a-households-' in r["Content-Disposition"]
    rows = csv_rows(r)
    assert rows[0][:2] == ["Famille", "Quartier"] and rows[0][-1] == "Besoins"
    assert [row[0] for row in rows[1:]] == ["'=Famille Gamma", "Famille Alpha"]
    gamma = rows[1]
    assert "Accompagnée" in gamma[5] and gamma[-1] == "Dettes de loyer"
    assert rows[2][6] == "Valérie Bénévole"
    assert rows[2][7] == (timezone.localdate() - timedelta(days=4)).strftime("%d/%m/%Y")


def test_household_csv_in_english_uses_commas_and_english_headers(client, world, fam):
    client.force_login(world.user("coordinator"))
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        r = client.get(
            reverse("exports:households"),
            {"neighbourhood": "Gare"},
            headers={"Accept-Language": "en"},
        )
    rows = csv_rows(r, delimiter=",")
    assert rows[0][:3] == ["Household", "Neighbourhood", "Address"]
    assert rows[1][0] == "Famille Beta"


def test_household_xlsx_matches_the_filter(client, world, fam):
    r = download(
        client, world.user("coordinator"), "households", activity=fam.cafe.pk, format="xlsx"
    )
    assert r.status_code == 200
    rows = xlsx_rows(r)
    assert rows[0][0] == "Famille"
    assert [row[0] for row in rows[1:]] == ["Famille Alpha", "Famille Martin"]


def test_a_volunteers_export_holds_no_support_data(client, world, fam):
    volunteer = world.user("volunteer")
    rows = csv_rows(download(client, volunteer, "households"))
    assert "Besoins" not in rows[0]
    text = "\n".join(";".join(r) for r in rows)
    assert "Accompagnée" not in text and "Dettes" not in text
    tps = csv_rows(download(client, volunteer, "touchpoints"))
    assert "Note" not in tps[0]
    kinds = {r[2] for r in tps[1:]}
    assert "Accompagnement ouvert" not in kinds and kinds  # no support touchpoint
    assert not any("Impayés" in c for r in tps for c in r)
    # The coordinator's touchpoint file has the support case and the notes column.
    full = csv_rows(download(client, world.user("coordinator"), "touchpoints"))
    assert full[0][-1] == "Note"
    assert len(full) == len(tps) + 1


def test_persons_follow_the_filter(client, world, fam):
    rows = csv_rows(download(client, world.user("volunteer"), "persons", q="Martin"))
    assert rows[0][:2] == ["Famille", "Prénom"]
    assert rows[1][:2] == ["Famille Martin", "Amina"]
    assert len(rows) == 2


def test_attendance_by_activity_and_period(client, world, fam):
    from parcours.activities.models import Attendance, Session
    from parcours.activities.services import attendance_mark

    today = timezone.localdate()
    with scopes_disabled():
        session = Session.objects.create(
            association=world.a,
            activity=fam.choir,
            day=today - timedelta(days=2),
            start_time="10:00",
        )
        attendance_mark(
            actor=None, session=session, household=fam.beta, status=Attendance.Status.PRESENT
        )
    rows = csv_rows(
        download(client, world.user("volunteer"), "attendance", activity=fam.choir.pk, format="csv")
    )
    assert rows[1] == [
        "Chorale",
        (today - timedelta(days=2)).strftime("%d/%m/%Y"),
        "Famille Beta",
        "Présent",
    ]
    # The board: counts per activity and month, the one household hidden, never a name.
    summary = csv_rows(download(client, world.user("board"), "attendance_summary"))
    assert summary[0] == ["Activité", "Mois", "Séances tenues", "Familles présentes", "Présences"]
    assert summary[1][:3] == ["Chorale", f"{session.day:%m/%Y}", "1"]
    assert summary[1][3:] == ["< 5", "< 5"]
    assert not any("Famille" in c for r in summary[1:] for c in r)


@pytest.mark.parametrize("name", ["households", "persons", "touchpoints", "attendance"])
def test_the_board_cannot_export_names(client, world, fam, name):
    assert download(client, world.user("board"), name).status_code == 403


def test_every_export_is_audited(client, world, fam):
    coordinator = world.user("coordinator")
    body(download(client, coordinator, "households", format="xlsx"))
    body(download(client, world.user("volunteer"), "touchpoints"))
    with scopes_disabled():
        events = list(
            AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
            .order_by("id")
            .values_list("object_type", "fields", "actor__username")
        )
    assert events[0][0] == "exports.households" and "needs" in events[0][1]
    assert "xlsx" in events[0][1]
    assert events[1][0] == "exports.touchpoints" and "note" not in events[1][1]
    assert events[1][2] == "volunteer-a"


def test_bad_parameters_answer_400_naming_them(client, world, fam):
    coordinator = world.user("coordinator")
    r = download(client, coordinator, "households", format="pdf")
    assert r.status_code == 400
    assert "Format : choisissez l’une des valeurs proposées." in r.content.decode()
    r = download(client, coordinator, "touchpoints", start="2026-05-01", end="2026-01-01")
    assert r.status_code == 400
    assert "Période : le premier jour doit précéder le dernier." in r.content.decode()
    r = download(client, world.user("board"), "attendance_summary", start="31/02/2026")
    assert r.status_code == 400
    assert "Du : saisissez" in r.content.decode()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_exports_page(client, world, fam):
    client.force_login(world.user("coordinator"))
    r = client.get(reverse("exports:index"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="tp_start"' in html and 'id="at_start"' in html


def test_the_boards_dashboard_links_its_attendance_file(client, world, fam):
    client.force_login(world.user("board"))
    html = client.get(reverse("analytics:dashboard")).content.decode()
    assert reverse("exports:attendance_summary") + "?start=" in html
    assert "Présences par activité et par mois sur cette période" in html
