"""The period activity report and the paper sheets, rendered for real (WeasyPrint) and read
back with pdftotext: the figures are the dashboard's, the board's report carries no name."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from parcours.accounts.roles import Role
from tests.analytics.test_dashboard import many  # noqa: F401 - the fixture

PERIOD = "?start=2026-01-01&end=2026-06-30"
REPO = Path(__file__).resolve().parents[2]
NAMES = ("Famille Martin", "Famille Test1", "Famille Test5", "HYPERLINK")


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True,
                         check=True)  # fmt: skip
    return out.stdout.decode()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_image(data: bytes, name: str) -> Path:
    """Page 1 as PNG: to docs/screenshots when PARCOURS_UPDATE_SCREENSHOTS=1, else scratch."""
    on_purpose = os.environ.get("PARCOURS_UPDATE_SCREENSHOTS") == "1"
    folder = REPO / "docs" / "screenshots" if on_purpose else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        target = folder / name
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        f.name, str(target)], check=True)  # fmt: skip
    return target.with_suffix(".png")


def _dashboard_rows(client, kind: str) -> list[list[str]]:
    panels = {p.kind: p for p in client.get("/analytics/" + PERIOD).context["panels"]}
    return [[str(c) for c in row] for row in panels[kind].rows]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_boards_pdf_has_the_dashboards_figures_and_no_name(many, client, lang):  # noqa: F811
    client.force_login(many.user(Role.BOARD))
    if lang == "en":
        client.cookies["django_language"] = "en"
    response = client.get("/reports/report.pdf" + PERIOD)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squash(pdf_text(response.content))
    panels = client.get("/analytics/" + PERIOD).context["panels"]
    report = client.get("/reports/" + PERIOD).context["report"]
    kinds = [s.panel.kind for s in report.sections]
    assert kinds == ["people", "funnel", "flows", "hours", "activities", "engagement"]
    compared = 0
    for panel in panels:
        if panel.kind not in kinds:
            continue
        assert squash(str(panel.title)) in text
        for row in panel.rows:
            assert squash(" ".join(str(c) for c in row)) in text, (panel.kind, row)
            compared += 1
    assert compared > 30
    assert "< 5" in text
    for name in NAMES:
        assert name not in text
    page_image(response.content, f"report-{lang}")


def test_staff_xlsx_has_one_sheet_per_table_equal_to_the_dashboards_csv(many, client):  # noqa: F811
    from openpyxl import load_workbook

    client.force_login(many.user(Role.COORDINATOR))
    response = client.get("/reports/report.xlsx" + PERIOD)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    kinds = ["people", "funnel", "flows", "hours", "activities", "relapse", "engagement"]
    assert len(book.sheetnames) == len(kinds)
    for sheet, kind in zip(book.worksheets, kinds, strict=True):
        csv_text = client.get(f"/analytics/export/{PERIOD}&measure={kind}").content
        rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig")), delimiter=";"))
        got = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
        assert got[0][0] == rows[0][0]  # the title
        assert got[2:] == rows[2:], kind  # columns and every row, hidden and rounded as the CSV
        assert all(name not in c for r in got for c in r for name in NAMES)


def test_the_report_page_for_the_board_and_the_default_year(world, client):
    client.force_login(world.user(Role.BOARD))
    response = client.get("/reports/")
    assert response.status_code == 200
    period = response.context["report"].query.period
    assert (period.start.month, period.start.day, period.end.month, period.end.day) == (
        1,
        1,
        12,
        31,
    )
    assert "Rapport d’activité" in response.content.decode()


def test_volunteers_print_a_sessions_sheet_and_a_blank_one(world, client):
    from datetime import time

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from parcours.activities import services
    from parcours.activities.models import Activity

    volunteer = world.user(Role.VOLUNTEER)
    with scopes_disabled():
        activity = Activity.objects.get(association=world.a, name="Café des parents")
        session = services.session_create(
            actor=volunteer, activity=activity, day=timezone.localdate(), start_time=time(14, 0),
            end_time=time(16, 0), place="Salle des fêtes", facilitator_user=volunteer,
        )  # fmt: skip
        services.attendance_mark(actor=volunteer, session=session, household=world.household_a,
                                 status="present")  # fmt: skip
    client.force_login(volunteer)
    for lang in ("fr", "en"):
        client.cookies["django_language"] = lang
        response = client.get(f"/reports/sessions/{session.pk}/sheet.pdf")
        assert response.status_code == 200
        text = squash(pdf_text(response.content))
        assert "Café des parents" in text and "Famille Martin" in text
        assert ("Signature" in text) and ("Salle des fêtes" in text)
        page_image(response.content, f"attendance-sheet-{lang}")
    blank = client.get(f"/reports/activities/{activity.pk}/sheet.pdf")
    assert blank.status_code == 200 and "Café des parents" in pdf_text(blank.content)
    client.force_login(world.user(Role.BOARD))
    assert client.get(f"/reports/sessions/{session.pk}/sheet.pdf").status_code == 403


def test_the_household_summary_is_for_sensitive_roles_and_audited(world, client):
    from django_scopes import scopes_disabled

    from parcours.audit.models import AuditEvent

    url = f"/reports/households/{world.household_a.pk}/summary.pdf"
    for role in (Role.VOLUNTEER, Role.BOARD, Role.PEER_FAMILY):
        client.force_login(world.user(role))
        assert client.get(url).status_code == 403, role
    client.force_login(world.user(Role.SOCIAL_WORKER))
    response = client.get(url)
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    assert "Famille Martin" in text and "Confidentiel" in text
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW, object_id=world.household_a.pk
        ).exists()
    client.force_login(world.user(Role.SOCIAL_WORKER, "b"))  # another association: not found
    assert client.get(url).status_code == 404
