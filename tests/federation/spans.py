"""Households with random stored journeys, written straight into the span tables.

Each household gets a chain of stage spans (a random walk over the stages, mostly forward,
sometimes back; contiguous; the last one open or closed), in audience "all"; every seventh
household also has support evidence: its spans in "sensitive" (one stage further) and
"public" (the journey every role may learn). Names and addresses carry a marker to crawl for.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django_scopes import scopes_disabled

STAGES_DEFAULT = 10


def plant_journeys(association, n: int, *, seed: int, end: date, stage_keys, marker="qzname"):
    from parcours.households.models import Household
    from parcours.journey.models import StageSpan

    rng = np.random.default_rng(seed)
    k_n = len(stage_keys)
    with scopes_disabled():
        rows = [
            Household(
                association=association,
                name=f"Famille {marker}{association.slug}{i}z",
                address=f"{i} rue {marker}addr{association.slug}{i}z",
                neighbourhood="Fives",
            )
            for i in range(n)
        ]
        Household.objects.bulk_create(rows)
        spans = []
        for i, h in enumerate(rows):
            start = end - timedelta(days=int(rng.integers(0, 900)))
            stage = int(rng.integers(0, 3))
            chain = []
            for _ in range(int(rng.integers(1, 7))):
                days = int(rng.integers(1, 150))
                chain.append((stage, start, start + timedelta(days=days)))
                start += timedelta(days=days)
                stage = int(np.clip(stage + rng.choice([-1, 1, 1, 2]), 0, k_n - 1))
            if rng.random() < 0.5 or chain[-1][2] > end:
                s, a, _b = chain[-1]
                chain[-1] = (s, a, None)
            chain = [c for c in chain if c[1] <= end + timedelta(days=30)]
            audiences = ["all"] if i % 7 else ["public", "sensitive"]
            for audience in audiences:
                shift = 1 if audience == "sensitive" else 0
                for s, a, b in chain:
                    s2 = min(s + shift, k_n - 1)
                    spans.append(
                        StageSpan(
                            association=association, household=h, stage=stage_keys[s2],
                            stage_order=s2, start=a, end=b, definition_version="test",
                            audience=audience,
                        )
                    )  # fmt: skip
        StageSpan.objects.bulk_create(spans, batch_size=2000)
    return rows
