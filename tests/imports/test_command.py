"""`parcours manage import_households`: dry run, refusal, import; kill -9 leaves nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from parcours.households.models import Household
from tests.imports import corpus


def test_dry_run_writes_nothing_then_import_writes(association, tmp_path, capsys):
    path = corpus.write_csv(tmp_path / "f.csv", encoding="cp1252")
    call_command("import_households", str(path), association="port", dry_run=True)
    out = capsys.readouterr().out
    assert "Windows-1252" in out and "point-virgule" in out and "nothing written" in out
    with scopes_disabled():
        assert not Household.objects.filter(association=association).exists()
    call_command("import_households", str(path), association="port", consent_day="10/01/2025")
    with scopes_disabled():
        assert Household.objects.filter(association=association).count() == 3
    # again: every family now looks like a known one, and the command refuses to guess
    with pytest.raises(CommandError, match="look like known ones"):
        call_command("import_households", str(path), association="port")


def test_refused_file_lists_line_column_value_and_reason(association, tmp_path, capsys):
    rows = corpus.variant_rows(cells={(1, "Date"): "31/02/2025"})
    path = corpus.write_csv(tmp_path / "f.csv", rows)
    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_households", str(path), association="port")
    out = capsys.readouterr().out
    assert "ligne 3, colonne « Date », « 31/02/2025 » : « 31/02/2025 » n’est pas une date" in out


TABLES = (
    "households_household", "households_person", "households_touchpoint",
    "activities_attendance", "activities_session", "consent_consentrecord",
    "journey_householdjourney", "outreach_outreachcontact", "frontdesk_inforequest",
)  # fmt: skip


def test_kill_9_during_an_import_leaves_nothing_partial(tmp_path):
    """The import runs in its own process against a file database; SIGKILL while it writes."""
    from bench.import_file import write_file

    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "PARCOURS_DATA_DIR": str(data), "PARCOURS_ENV": "development",
           "DATABASE_URL": f"sqlite:///{data / 'kill.sqlite3'}"}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    parcours = [sys.executable, "-m", "parcours.cli", "manage"]
    subprocess.run([*parcours, "migrate", "-v0"], env=env, check=True, timeout=600)
    subprocess.run(
        [*parcours, "shell", "-c",
         "from parcours.accounts.models import Association;"
         "Association.objects.create(name='Kill', slug='kill')"],
        env=env, check=True, timeout=120,
    )  # fmt: skip
    # large enough that the write (about 0.1 ms of CPU a row) outlasts the 1.5 s below
    path = write_file(tmp_path / "big.csv", 60_000)
    proc = subprocess.Popen(
        [*parcours, "import_households", str(path), "--association", "kill"],
        env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    for line in proc.stdout:
        if line.startswith("écriture"):
            break
    time.sleep(1.5)  # well inside the write: households, persons, touchpoints...
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    db = sqlite3.connect(data / "kill.sqlite3")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    db.close()
    assert counts == dict.fromkeys(TABLES, 0)
