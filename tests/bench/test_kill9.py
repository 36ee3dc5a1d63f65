"""bench/kill9.py: its check finds a half-done write, and a few kills leave none."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.kill9 import MARK_PREFIX, check
from parcours.accounts.models import Association
from parcours.activities.models import Activity, Attendance, Session
from parcours.households import services
from parcours.journey.models import StageSpan
from parcours.journey.recompute import journey_recompute
from tests.basis import BASIS

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_the_check_finds_each_kind_of_half_done_write(world):
    journey_recompute()
    assert check(None) == []
    with scopes_disabled():
        StageSpan.objects.filter(household=world.household_a).delete()
        assert any("StageSpan" in p for p in check(None))
        journey_recompute()
        # an import that wrote one household of two
        half = Association.objects.create(name="kill9-1-0", slug="kill9-1-0")
        services.household_create(
            actor=None, association=half, name="Famille Moitié", lawful_basis=BASIS
        )
        assert any("import kill9-1-0" in p for p in check((2, 0)))
        half.delete()
        # a present mark whose touchpoint was never written
        activity = Activity.objects.create(association=world.a, name="Couture", category="sharing")
        session = Session.objects.create(
            association=world.a, activity=activity, day=date(2026, 1, 12), start_time=time(14)
        )
        Attendance.objects.create(
            association=world.a, session=session, household=world.household_a,
            status="present", mark_id=f"{MARK_PREFIX}x", intent_at=timezone.now(),
        )  # fmt: skip
        assert any("present without its touchpoint" in p for p in check(None))


def test_a_few_kills_of_each_scenario_leave_nothing_half_done(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.kill9", "--runs", "2", "--households", "40",
         "--max-delay", "1", "--no-record", "--work", str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for scenario in ("recompute", "import", "writes"):
        assert f"| {scenario} | 2 | 2 |" in done.stdout
