"""`parcours backup` then `parcours restore` gives the data back: households, touchpoints, stage
spans and the association's logo, on SQLite and (when DATABASE_URL says so) PostgreSQL."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from parcours.association_settings.models import AssociationLogo
from parcours.cli import main
from parcours.households.models import Household, Touchpoint
from parcours.journey.models import StageSpan
from parcours.journey.recompute import journey_recompute
from parcours.operations import backup
from parcours.operations.errors import OperationError
from tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)

LOGO = b"\x89PNG\r\n\x1a\n logo of association A"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def snapshot() -> dict:
    with scopes_disabled():
        logos = AssociationLogo.objects.values_list("association_id", "image")
        return {
            "households": sorted(Household.objects.values_list("pk", "name")),
            "touchpoints": sorted(
                Touchpoint.objects.values_list("pk", "household_id", "kind", "day")
            ),
            "spans": sorted(StageSpan.objects.values_list("household_id", "stage", "start", "end")),
            "logos": [(a, bytes(image)) for a, image in logos],
        }


@pytest.fixture
def saved(tmp_path):
    world = build_world()
    with scopes_disabled():
        AssociationLogo.objects.create(
            association=world.a, image=LOGO, content_type="image/png", width=1, height=1
        )
    journey_recompute()
    before = snapshot()
    assert before["touchpoints"] and before["spans"] and before["logos"]
    return world, backup.take(tmp_path), before


def spoil(world) -> None:
    with scopes_disabled():
        Household.objects.filter(pk=world.household_a.pk).update(name="Famille Changée")
        Touchpoint.objects.all().delete()
        StageSpan.objects.all().delete()
        AssociationLogo.objects.update(image=b"another logo")


def test_a_restored_backup_gives_back_households_touchpoints_spans_and_the_logo(saved):
    world, path, before = saved
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    spoil(world)
    assert snapshot() != before
    manifest = backup.restore(path)
    assert manifest["engine"] in backup.MEMBERS
    assert snapshot() == before
    assert backup.pending_migrations() == []


def test_restore_asks_first_and_changes_nothing_without_force(saved, monkeypatch, capsys):
    world, path, before = saved
    spoil(world)
    spoiled = snapshot()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no question possible
    monkeypatch.setenv("LANGUAGE", "fr_FR.UTF-8")
    assert main(["restore", str(path)]) == 2
    assert "ajoutez --force pour confirmer" in capsys.readouterr().err
    assert snapshot() == spoiled
    assert main(["restore", str(path), "--force"]) == 0
    assert snapshot() == before


def _rewrite(path, tmp_path, change) -> str:
    """A copy of the backup with its manifest changed by ``change``."""
    copy = tmp_path / "altered.tar"
    with tarfile.open(path) as src, tarfile.open(copy, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == backup.MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return copy


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda m: m.update(sha256="0" * 64), "checksum"),
        (lambda m: m.update(engine="oracle"), "oracle"),
        (
            lambda m: m["migrations"].append("households.9999_from_the_future"),
            "9999_from_the_future",
        ),
        (lambda m: m.update(format="other"), "format"),
    ],
)
def test_a_backup_that_fails_its_checks_changes_nothing(saved, tmp_path, change, says):
    world, path, _before = saved
    spoil(world)
    spoiled = snapshot()
    with pytest.raises(OperationError, match=says):
        backup.restore(_rewrite(path, tmp_path, change))
    assert snapshot() == spoiled


def test_a_truncated_backup_changes_nothing(saved, tmp_path):
    world, path, _before = saved
    spoil(world)
    spoiled = snapshot()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(OperationError):
        backup.restore(cut)
    assert snapshot() == spoiled


def test_backup_refuses_to_overwrite_a_file(saved, tmp_path):
    _world, path, _before = saved
    with pytest.raises(OperationError, match="exists"):
        backup.take(path)


def test_missing_postgresql_tools_are_named_with_the_way_to_install_them(monkeypatch):
    from parcours.operations import postgres

    monkeypatch.setenv("PATH", "")
    with pytest.raises(OperationError, match="pg_dump.*postgresql-client"):
        postgres.dump({"NAME": "parcours"}, Path("unused.pgdump"))


def test_an_output_ending_with_a_slash_is_a_private_folder_made_if_missing(tmp_path):
    build_world()
    path = backup.take(f"{tmp_path}/backups/")
    assert path.parent == tmp_path / "backups" and path.name.endswith(".tar.gz")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
