"""The federation's figures materialised per association, recomputed only where spans changed.

A request asks for every member association's figures for one period. The stored row of an
association is used when its stamp still matches the association's data stamp (the token of
parcours.analytics.stamps, changed in the same transaction by any write to its journeys: a
touchpoint, the daily run, a recompute, an erasure, a span's end updated in place); the others
are computed in one grouped pass (figures.compute) and stored. No figure outlives its data.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from parcours.federation import figures
from parcours.federation.figures import AssociationFigures
from parcours.federation.models import StoredFigures

KEEP_DAYS = 3  # stored figures of periods ending earlier than this are dropped on write


def stamps(association_ids: list[int]) -> dict[int, str]:
    """Each association's data stamp (parcours.analytics.stamps): a token that every write to
    its journeys changes in the same transaction, updates of a span's end included. On SQLite
    the token is the database's: any write there recomputes every association. Where this
    transaction has itself written, its own state's token (parcours.analytics.stamps), or a
    stamp no stored row can match: figures computed now are never taken for later ones."""
    from parcours.analytics.stamps import tokens

    return {
        a: f"own-{secrets.token_hex(8)}" if t is None else str(t)
        for a, t in tokens(association_ids).items()
    }


def figures_for(
    association_ids: list[int], *, first: date, last: date, stage_keys: tuple[str, ...]
) -> tuple[dict[int, AssociationFigures], int]:
    """Every association's figures and how many had to be computed afresh."""
    now = stamps(association_ids)
    keys = ",".join(stage_keys)
    stored = StoredFigures.objects.filter(
        association_id__in=association_ids, first=first, last=last
    ).values_list("association_id", "stages", "stamp", "figures")
    out = {
        a: AssociationFigures.from_json(data)
        for a, stages, stamp, data in stored
        if stages == keys and stamp == now[a]
    }
    stale = [a for a in association_ids if a not in out]
    if stale:
        fresh = figures.compute(stale, first=first, last=last, stage_keys=stage_keys)
        _keep(fresh, first=first, last=last, keys=keys, stamps=now)
        out.update(fresh)
    return out, len(stale)


def _keep(fresh: dict[int, AssociationFigures], *, first, last, keys, stamps) -> None:
    with transaction.atomic():
        StoredFigures.objects.filter(last__lt=last - timedelta(days=KEEP_DAYS)).delete()
        StoredFigures.objects.filter(
            association_id__in=list(fresh), first=first, last=last
        ).delete()
        rows = [
            StoredFigures(
                association_id=a,
                first=first,
                last=last,
                stages=keys,
                stamp=stamps[a],
                figures=f.as_json(),
                computed_at=timezone.now(),
            )
            for a, f in fresh.items()
        ]
        # a request beside us may have stored the same figures meanwhile
        StoredFigures.objects.bulk_create(rows, ignore_conflicts=True)
