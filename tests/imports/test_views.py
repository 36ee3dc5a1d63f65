"""The browser flow through Django's client: upload, columns, check, commit, report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.households.models import Household, Touchpoint
from parcours.imports.models import ColumnMemory, ImportFile
from tests.imports import corpus


def _upload(client, path, name=None):
    return client.post(
        "/import/",
        {"file": SimpleUploadedFile(name or path.name, path.read_bytes()), "region": "FR",
         "basis": "consent", "purposes": ["follow_up"], "consent_day": "2025-01-10"},
    )  # fmt: skip


def test_broken_file_lists_errors_then_fixed_file_imports(world, client, tmp_path):
    client.force_login(world.user(Role.COORDINATOR))
    broken = corpus.write_csv(
        tmp_path / "familles.csv",
        corpus.variant_rows(cells={(0, "Date"): "32/01/2025", (3, "Connu par"): "Pigeon"}),
    )
    response = _upload(client, broken)
    assert response.status_code == 302
    row = ImportFile.objects.with_scopes_disabled().get()
    assert response["Location"] == f"/import/{row.pk}/columns/"
    page = client.get(f"/import/{row.pk}/columns/")
    assert "Format reconnu" in page.content.decode()
    mapping = {f"col{i}": t for i, t in enumerate(row.mapping)}
    assert client.post(f"/import/{row.pk}/columns/", mapping).status_code == 302
    page = client.get(f"/import/{row.pk}/check/").content.decode()
    assert "2 erreurs : rien ne sera enregistré" in page
    assert "32/01/2025" in page and "canal inconnu « Pigeon »" in page
    assert client.post(f"/import/{row.pk}/check/", {}).status_code == 200  # refused
    with scopes_disabled():
        assert not Household.objects.filter(association=world.a, name__contains="Lef").exists()

    fixed = corpus.write_csv(tmp_path / "familles-corrige.csv")
    response = _upload(client, fixed)
    row = ImportFile.objects.with_scopes_disabled().latest("id")
    assert response["Location"] == f"/import/{row.pk}/columns/"
    page = client.get(f"/import/{row.pk}/check/").content.decode()
    assert "6 lignes lues, aucune erreur" in page
    response = client.post(f"/import/{row.pk}/check/", {})
    assert response.status_code == 302 and response["Location"] == f"/import/{row.pk}/"
    page = client.get(f"/import/{row.pk}/").content.decode()
    assert "Foyers créés : 3" in page and "Famille Œuvray" in page
    with scopes_disabled():
        created = Household.objects.filter(association=world.a, name__startswith="Famille ")
        assert created.exclude(name="Famille Martin").count() == 3
        assert all(h.journeys.exists() for h in created)
        assert Touchpoint.objects.filter(household__in=created).count() >= 6
        row.refresh_from_db()
        assert bytes(row.content) == b"" and row.state == "done"
        assert ColumnMemory.objects.get(association=world.a).columns["connu par"] == "heard_from"


def test_duplicates_are_proposed_never_created_silently(world, client, tmp_path):
    client.force_login(world.user(Role.ADMIN))
    cells = {(0, "Famille"): "Famille Martin", (1, "Famille"): "Martin",
             (2, "Famille"): "MARTIN", (0, "Quartier"): "Les Tilleuls"}  # fmt: skip
    rows = corpus.variant_rows(cells=cells)
    _upload(client, corpus.write_csv(tmp_path / "f.csv", rows))
    row = ImportFile.objects.with_scopes_disabled().get()
    page = client.get(f"/import/{row.pk}/check/").content.decode()
    assert "ressemblent à des familles déjà enregistrées" in page
    assert client.post(f"/import/{row.pk}/check/", {}).status_code == 200  # no decision: refused
    with scopes_disabled():
        assert Household.objects.filter(association=world.a).count() == 1
    link = f"link:{world.household_a.pk}"
    response = client.post(f"/import/{row.pk}/check/", {"dup0": link})
    assert response.status_code == 302
    with scopes_disabled():
        assert Household.objects.filter(association=world.a, name__icontains="martin").count() == 1
        kinds = set(world.household_a.touchpoints.values_list("kind", flat=True))
        assert {"outreach_contact", "attendance"} <= kinds
        assert world.household_a.persons.filter(first_name="Zoé").exists()


def test_a_pdf_renamed_xlsx_is_refused_on_upload(world, client, tmp_path):
    client.force_login(world.user(Role.COORDINATOR))
    response = _upload(client, corpus.write_pdf_as_xlsx(tmp_path / "familles.xlsx"))
    assert response.status_code == 200
    assert "Ce fichier est un PDF" in response.content.decode()
    assert not ImportFile.objects.with_scopes_disabled().exists()


def test_a_large_file_is_imported_by_the_worker_with_progress(world, client, tmp_path, settings):
    settings.PARCOURS_IMPORT_BACKGROUND_ROWS = 5  # the corpus file has 6 rows
    client.force_login(world.user(Role.COORDINATOR))
    _upload(client, corpus.write_csv(tmp_path / "f.csv"))
    row = ImportFile.objects.with_scopes_disabled().get()
    response = client.post(f"/import/{row.pk}/check/", {})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = client.get(response["Location"]).content.decode()
    assert "Import d’un fichier" in page  # the job ran at once (the test backend)
    row.refresh_from_db()
    assert row.state == "done" and row.report["households_created"] == 3
    assert f"/import/{row.pk}/" in page
    # a second commit of the same file is refused, nothing doubled
    with pytest.raises(ValueError, match="already imported"):
        from parcours.imports import flow

        with scopes_disabled():
            flow.import_file_commit(actor=None, import_file=row, plan=None, decisions={})
