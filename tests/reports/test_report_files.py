"""The report made in the background (the immediate task backend runs it at once) and kept:
the board's file has the dashboard's figures; another association or another role cannot
download it; asking again replaces it; it is deleted after the days it is kept."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.background.models import BackgroundJob
from parcours.reports.content import SECTIONS
from parcours.reports.models import ReportFile
from tests.analytics.test_dashboard import many  # noqa: F401 - the fixture
from tests.reports.test_period_report import NAMES, PERIOD, pdf_text, squash

POSTED = {"start": "2026-01-01", "end": "2026-06-30", "format": "pdf"}


def _prepare(client, **extra):
    response = client.post("/reports/prepare/", {**POSTED, **extra})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    with scopes_disabled():
        job = BackgroundJob.objects.latest("id")
    assert (job.kind, job.state) == ("report_file", "done"), job.error
    return job


def test_a_board_members_job_makes_a_pdf_with_the_dashboards_figures(many, client):  # noqa: F811
    client.force_login(many.user(Role.BOARD))
    job = _prepare(client)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert job.result_url in page
    response = client.get(job.result_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squash(pdf_text(response.content))
    compared = 0
    panels = client.get("/analytics/" + PERIOD).context["panels"]  # drawn once (analytics.drawn)
    for panel in panels:
        if panel.kind not in SECTIONS:
            continue
        assert squash(str(panel.title)) in text
        for row in panel.rows:
            assert squash(" ".join(str(c) for c in row)) in text, (panel.kind, row)
            compared += 1
    assert compared > 30 and "Sexe" in text
    assert "relapse" not in {p.kind for p in panels}
    for name in NAMES:
        assert name not in text
    # the kept file is listed on the report page, for the board
    assert job.result_url in client.get("/reports/" + PERIOD).content.decode()
    with scopes_disabled():
        row = ReportFile.objects.get()
    assert (row.format, row.language, row.with_support, str(row.start)) == (
        "pdf", "fr", False, "2026-01-01",
    )  # fmt: skip


def test_others_cannot_download_it_and_asking_again_replaces_it(many, client):  # noqa: F811
    client.force_login(many.user(Role.BOARD))
    url = _prepare(client).result_url
    client.force_login(many.user(Role.BOARD, "b"))  # another association
    assert client.get(url).status_code == 404
    assert url not in client.get("/reports/").content.decode()
    client.force_login(many.user(Role.VOLUNTEER))  # a role that may not read reports
    assert client.get(url).status_code == 403
    client.force_login(many.user(Role.COORDINATOR))  # may read reports: the board's file
    assert client.get(url).status_code == 200
    # a coordinator's file holds the support figures: never given to the board
    coordinator_url = _prepare(client).result_url
    with scopes_disabled():
        assert ReportFile.objects.get(pk=coordinator_url.split("/")[-2]).with_support
    client.force_login(many.user(Role.BOARD))
    assert client.get(coordinator_url).status_code == 404
    # the board asks again: its file is replaced, the coordinator's stays
    again = _prepare(client).result_url
    assert again != url and client.get(url).status_code == 404
    assert client.get(again).status_code == 200
    with scopes_disabled():
        assert ReportFile.objects.count() == 2


def test_files_are_deleted_after_the_days_they_are_kept(many, client, settings):  # noqa: F811
    from parcours.reports.services import report_files_purge

    settings.PARCOURS_REPORT_FILE_DAYS = 7
    client.force_login(many.user(Role.BOARD))
    url = _prepare(client, format="xlsx").result_url
    assert client.get(url)["Content-Type"].startswith("application/vnd.openxmlformats")
    with scopes_disabled():
        ReportFile.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert client.get(url).status_code == 404  # past its days, even before the purge
    with scopes_disabled():
        assert report_files_purge() == 1
        assert not ReportFile.objects.exists()


def test_a_post_without_a_format_makes_nothing(many, client):  # noqa: F811
    client.force_login(many.user(Role.BOARD))
    response = client.post("/reports/prepare/", {"start": "2026-01-01"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    with scopes_disabled():
        assert not BackgroundJob.objects.exists() and not ReportFile.objects.exists()


def test_a_long_report_is_offered_in_the_background_only(many, client, settings):  # noqa: F811
    client.force_login(many.user(Role.BOARD))
    page = client.get("/reports/" + PERIOD).content.decode()
    assert "/reports/report.pdf" in page and 'value="pdf"' in page
    settings.PARCOURS_REPORT_BACKGROUND_HOUSEHOLDS = 3  # association A has more
    page = client.get("/reports/" + PERIOD).content.decode()
    assert "/reports/report.pdf" not in page and 'value="pdf"' in page
