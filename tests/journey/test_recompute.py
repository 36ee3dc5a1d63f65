"""The batch recomputation stores exactly the rows each touchpoint write (journey_refresh)
stores: stage spans with reasons and evidence, status spans, the placement, valid_until."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from parcours.households import services as hs
from parcours.households.models import Household, Touchpoint
from parcours.journey import recompute, services
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.seed import seed_association
from tests.basis import BASIS
from tests.journal import log_touchpoint

AS_OF = date(2026, 3, 10)


def _stored(association=None) -> dict[str, list[tuple]]:
    def q(model):
        rows = model.objects.all()
        if association is not None:
            rows = rows.filter(association=association)
        return rows

    with scopes_disabled():
        return {
            "stage": sorted(
                (
                    s.association_id, s.household_id, s.audience, s.stage, s.stage_order, s.start,
                    s.end,
                    s.predicted_end, repr(s.reasons), repr(s.evidence), tuple(s.skipped),
                    s.regression, s.definition_version,
                )
                for s in q(StageSpan)
            ),
            "status": sorted(
                (
                    s.association_id, s.household_id, s.audience, s.status, s.start, s.end,
                    repr(s.reasons), s.definition_version,
                )
                for s in q(StatusSpan)
            ),
            "journey": sorted(
                (
                    j.association_id, j.household_id, j.audience, j.computed_on, j.valid_until,
                    j.stage, tuple(j.statuses), repr(j.reasons), j.definition_version,
                )
                for j in q(HouseholdJourney)
            ),
        }  # fmt: skip


def _refresh_each(association) -> None:
    with scopes_disabled():
        for h in Household.objects.filter(association=association).select_related("association"):
            services.journey_refresh(h, as_of=AS_OF)


@pytest.fixture
def seeded(db):
    # a generated association (seeded through journey_recompute), plus odd households:
    # no touchpoint, only touchpoints after as_of, same-day opener and closer
    result = seed_association(
        name="Gen", slug="gen", households=120, seed=7, end=AS_OF, with_users=False
    )
    a = result.association
    with scopes_disabled():
        empty = hs.household_create(
            lawful_basis=BASIS, actor=None, association=a, name="Famille Vide"
        )
        later = hs.household_create(
            lawful_basis=BASIS, actor=None, association=a, name="Famille Plus Tard"
        )
        odd = hs.household_create(
            lawful_basis=BASIS, actor=None, association=a, name="Famille Rapide"
        )
    for h, day, kind, ref in [
        (later, AS_OF + timedelta(days=3), "intake_visit", None),
        (odd, AS_OF - timedelta(days=40), "attendance", None),
        (odd, AS_OF - timedelta(days=30), "support_opened", 5),
        (odd, AS_OF - timedelta(days=30), "support_closed", 5),
        (odd, AS_OF - timedelta(days=30), "support_opened", 6),
        (odd, AS_OF - timedelta(days=30), "communication", None),
    ]:
        with scopes_disabled():
            log_touchpoint(actor=None, household=h, day=day, kind=kind, ref=ref)
    assert empty.pk
    return a


def test_recompute_stores_what_each_refresh_stores(seeded):
    recompute.journey_recompute(association=seeded, as_of=AS_OF)
    batch = _stored(seeded)
    _refresh_each(seeded)
    one_by_one = _stored(seeded)
    assert batch["stage"] == one_by_one["stage"]
    assert batch["status"] == one_by_one["status"]
    assert batch["journey"] == one_by_one["journey"]
    with scopes_disabled():
        n = Household.objects.filter(association=seeded).count()
        support = (
            Touchpoint.objects.filter(household__association=seeded, kind="support_opened")
            .values("household")
            .distinct()
            .count()
        )
    # one journey each, and a second one (public: without the support evidence) for households
    # with a support case
    assert support > 0
    assert len(batch["journey"]) == n + support
    assert {j[2] for j in batch["journey"]} == {"all", "sensitive", "public"}
    assert len(batch["stage"]) > n  # the generated households moved along
    assert any(row[9] != "[]" for row in batch["stage"])  # evidence stored


def test_only_due_recomputes_the_households_whose_journey_changed_by_itself(seeded):
    recompute.journey_recompute(association=seeded, as_of=AS_OF)
    later = AS_OF + timedelta(days=30)
    with scopes_disabled():
        due = (
            HouseholdJourney.objects.filter(association=seeded, valid_until__lte=later)
            .values("household")
            .distinct()
            .count()
        )
        HouseholdJourney.objects.filter(household__name="Famille Vide").delete()
    n = recompute.journey_recompute(association=seeded, as_of=later, only_due=True)
    assert n == due + 1
    assert due > 0
    after_due = _stored(seeded)
    # recomputing the due households as of `later` equals recomputing them all as of `later`,
    # for the rows of those households
    recompute.journey_recompute(association=seeded, as_of=later)
    full = _stored(seeded)
    with scopes_disabled():
        redone = {j[1] for j in after_due["journey"] if j[3] == later}
    for kind in ("stage", "status", "journey"):
        assert [r for r in after_due[kind] if r[1] in redone] == [
            r for r in full[kind] if r[1] in redone
        ]


def test_recompute_command_prints_the_rate(seeded, capsys):
    call_command("recompute")
    out = capsys.readouterr().out
    assert "households recomputed in" in out and "households/s" in out
    call_command("recompute", due=True)
    assert "households/s" in capsys.readouterr().out


def test_a_failed_batch_leaves_the_previous_batches_whole(seeded, monkeypatch):
    recompute.journey_recompute(association=seeded, as_of=AS_OF)
    before = _stored(seeded)
    with scopes_disabled():
        StageSpan.objects.all().delete()
    real = recompute.view_tables
    with scopes_disabled():
        first_ids = sorted(
            Household.objects.filter(association=seeded).values_list("id", flat=True)
        )
    first_ids = set(first_ids[:50])

    def failing(association_id, journeys, chunk, *args, **kwargs):
        if not set(chunk.tolist()) <= first_ids:  # the second batch (full or public view)
            raise RuntimeError("crash")
        return real(association_id, journeys, chunk, *args, **kwargs)

    monkeypatch.setattr(recompute, "view_tables", failing)
    with pytest.raises(RuntimeError):
        recompute.journey_recompute(association=seeded, as_of=AS_OF, batch_size=50)
    with scopes_disabled():
        written = set(StageSpan.objects.values_list("household_id", flat=True))
        ids = sorted(Household.objects.filter(association=seeded).values_list("id", flat=True))
    first_batch = set(ids[:50])
    assert written and written <= first_batch
    assert [r for r in _stored(seeded)["stage"] if r[1] in first_batch] == [
        r for r in before["stage"] if r[1] in first_batch
    ]


def test_refresh_read_from_one_timeline_equals_the_later_cut(seeded):
    """Without touchpoints after as_of, predicted ends and valid_until read from the as-of
    timeline equal those of the timeline cut HORIZON_DAYS later (what was computed before)."""
    checked = 0
    with scopes_disabled():
        households = list(
            Household.objects.filter(association=seeded).select_related("association")
        )
        for h in households:
            rows = list(
                hs.Touchpoint.objects.filter(household=h)
                .order_by("day", "-id")
                .values_list("day", "kind", "activity_id", "ref")
            )
            for as_of in (AS_OF - timedelta(days=400), AS_OF - timedelta(days=45), AS_OF):
                if rows and rows[-1][0] > as_of:
                    continue
                now = services.household_timeline(h, as_of, rows)
                horizon = as_of + timedelta(days=services.HORIZON_DAYS)
                future = services.household_timeline(h, horizon, rows)
                assert services._ahead(now, None, as_of) == services._ahead(now, future, as_of)
                checked += 1
    assert checked > 200


def test_refresh_over_stored_spans_writes_the_rows_of_a_fresh_write(seeded):
    """Refreshing over spans stored as of other days (rows kept up to the first change, the
    rest rewritten) stores what refreshing with nothing stored stores, in the same order."""
    later = AS_OF + timedelta(days=120)
    recompute.journey_recompute(association=seeded, as_of=AS_OF - timedelta(days=200))
    with scopes_disabled():
        households = list(
            Household.objects.filter(association=seeded).select_related("association")
        )
        for h in households:
            services.journey_refresh(h, as_of=AS_OF)
            log_touchpoint(actor=None, household=h, day=AS_OF, kind="communication")
            services.journey_refresh(h, as_of=later)
    over = _stored(seeded)
    with scopes_disabled():
        order = [
            list(
                StatusSpan.objects.filter(household=h).order_by("id").values_list("status", "start")
            )
            for h in households
        ]
        StageSpan.objects.filter(association=seeded).delete()
        StatusSpan.objects.filter(association=seeded).delete()
        HouseholdJourney.objects.filter(association=seeded).delete()
        for h in households:
            services.journey_refresh(h, as_of=later)
        fresh_order = [
            list(
                StatusSpan.objects.filter(household=h).order_by("id").values_list("status", "start")
            )
            for h in households
        ]
    assert over == _stored(seeded)
    assert order == fresh_order


def test_touchpoint_columns_are_the_log_in_the_order_journey_refresh_reads_it(seeded):
    """recompute_io.touchpoint_columns (SQLite: household, day and kind packed in one integer
    per row; PostgreSQL: binary COPY) gives every touchpoint's household, day, kind, activity
    and ref, by household, day, latest recorded first; a day before 1970 too."""
    from parcours.engine.columns import KIND_CODE, day_number
    from parcours.journey.recompute_io import touchpoint_columns

    with scopes_disabled():
        first = Touchpoint.objects.filter(association=seeded).order_by("id").first()
        Touchpoint.objects.filter(pk=first.pk).update(day=date(1962, 5, 1))
        want = [
            (h, day_number(d), KIND_CODE[k], -1 if a is None else a, -1 if r is None else r)
            for h, d, k, a, r, _id in sorted(
                Touchpoint.objects.filter(association=seeded).values_list(
                    "household_id", "day", "kind", "activity_id", "ref", "id"
                ),
                key=lambda t: (t[0], t[1], -t[5]),
            )
        ]
    cols = touchpoint_columns(seeded)
    got = list(
        zip(
            cols.household.tolist(), cols.day.tolist(), cols.kind.tolist(),
            cols.activity.tolist(), cols.ref.tolist(), strict=True,
        )
    )  # fmt: skip
    assert got == want and any(a >= 0 for *_x, a, _r in want) and min(cols.day) < 0
    assert cols.day.dtype.name == "int32" and cols.kind.dtype.name == "int8"
