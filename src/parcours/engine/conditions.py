"""All condition types, registered by ``type`` name (importing this module fills the registry).

=============================  ===============================================================
type                           keys (defaults)
=============================  ===============================================================
``touchpoint_count``           ``kinds`` (any kind), ``exclude_kinds`` ([]), ``min_count`` (1),
                               ``window_days`` (none: ever)
``attendance_same_activity``   ``kind`` ("attendance"), ``min_count`` (1), ``window_days``
``attendance_distinct``        ``kind`` ("attendance"), ``min_count`` (1), ``min_distinct`` (1),
                               ``window_days``
``open_episode``               ``opened``, ``closed`` (kinds), ``closed_within_days`` (0),
                               ``since_stage`` (none; an earlier stage key)
``active_episode``             ``opened``, ``closed``
``any`` / ``all``              ``conditions`` (a non-empty list)
``not``                        ``condition``
=============================  ===============================================================

All of them have a vectorised batch implementation. A new type registers with
``registry.register``; if it has no ``batch_intervals``, ``batch.recompute`` falls back to the
per-household engine for the whole batch.
"""

from __future__ import annotations

from parcours.engine import combinators, counts, episodes
from parcours.engine.registry import (
    Condition,
    EvalContext,
    Explanation,
    NotVectorised,
    ParseContext,
    condition_types,
    parse_condition,
    register,
)

__all__ = [
    "Condition",
    "EvalContext",
    "Explanation",
    "NotVectorised",
    "ParseContext",
    "combinators",
    "condition_types",
    "counts",
    "episodes",
    "parse_condition",
    "register",
]
