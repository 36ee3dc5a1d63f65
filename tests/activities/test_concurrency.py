"""Two processes, three threads each, marking the same sheet of a SQLite file at once.

Nothing is lost (every household's final mark is its last intent; each writer's own households
all keep their marks), nothing is duplicated (one attendance touchpoint per present household),
and no write fails with "database is locked" (WAL + IMMEDIATE transactions + busy timeout).
"""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from tests.activities import filedb

STATUSES = ["present", "absent", "excused", "present"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return filedb.prepare(tmp_path_factory.mktemp("activities-template"))


def test_two_writers_on_the_same_sheet_lose_nothing(template, tmp_path):
    db_file = filedb.copy_database(template, tmp_path)
    seeded = filedb.seed(tmp_path, db_file, regulars=30)
    session, households = seeded["session"], seeded["regulars"]
    shared, own_a, own_b = households[:10], households[10:20], households[20:]
    rng = random.Random(4)
    association = filedb.scalar(db_file, "SELECT association_id FROM activities_session "
                                         "WHERE id = ?", session)  # fmt: skip

    def plan(name, user, own):
        threads = []
        for t in range(3):
            ops = [[h, "present"] for h in own[t::3]]
            for _ in range(2):  # everyone also changes the shared households, in turn
                ops += [[h, rng.choice(STATUSES)] for h in rng.sample(shared, len(shared))]
            rng.shuffle(ops)
            threads.append(ops)
        return {"name": name, "user": seeded["users"][user], "session": session,
                "association": association, "threads": threads}  # fmt: skip

    plans = [plan("a", "volunteer", own_a), plan("b", "coordinator", own_b)]
    results = filedb.collect(filedb.start_writers(tmp_path, db_file, plans))

    errors = [e for r in results for e in r["errors"]]
    assert errors == []  # in particular no "database is locked"
    outcomes = {k: sum(r["outcomes"].get(k, 0) for r in results) for k in
                ("applied", "unchanged", "stale", "duplicate", "locked")}  # fmt: skip
    sent = sum(len(ops) for p in plans for ops in p["threads"])
    assert sum(outcomes.values()) == sent and outcomes["locked"] == 0

    final = filedb.marks(db_file, session)
    # The households only one writer marked: every mark kept.
    for household in own_a + own_b:
        assert final.get(household) == "present", household
    # The shared ones: the last intent wins.
    intents = [i for r in results for i in r["intents"]]
    for household in shared:
        mine = [(datetime.fromisoformat(at), status) for h, status, at in intents if h == household]
        last_at = max(at for at, _ in mine)
        assert final.get(household) in {s for at, s in mine if at == last_at}, household
    # The touchpoints follow the rows exactly: one per present household, none otherwise.
    present = {h for h, status in final.items() if status == "present"}
    assert filedb.attendance_touchpoints(db_file, session) == {h: 1 for h in present}
    # Household-led session held: exactly one activity_led touchpoint.
    led = filedb.scalar(
        db_file, "SELECT COUNT(*) FROM households_touchpoint WHERE kind = 'activity_led'"
    )
    assert led == 1
