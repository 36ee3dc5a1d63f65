"""The journey engine: pure Python, no Django, no clock, no database.

Everything here is a function of its inputs (touchpoints and a journey definition).
An import-linter contract in pyproject.toml keeps Django out of this package.

Public API:
- definitions: ``shipped_definition``, ``load_definition``, ``loads_definition``,
  ``parse_definition``, ``JourneyDefinition``, ``DefinitionError`` (definition.py)
- one household: ``timeline``, ``Timeline``, ``StageSpan``, ``StatusSpan``, ``Placement``,
  ``Touchpoint`` (timeline.py, touchpoints.py)
- all households: ``recompute``, ``SpanColumns``, ``span_reasons`` (batch.py) over
  ``TouchpointColumns`` (columns.py); everything stored (reasons, evidence, statuses,
  placement, next change by itself): ``recompute_journeys``, ``Journeys`` (batch_journeys.py)
- reasons: ``Reason`` and the table of codes (reasons.py)
"""

from parcours.engine.batch import SpanColumns, recompute, span_reasons
from parcours.engine.batch_journeys import Journeys, recompute_journeys
from parcours.engine.columns import TouchpointColumns
from parcours.engine.definition import (
    JourneyDefinition,
    load_definition,
    loads_definition,
    parse_definition,
    shipped_definition,
)
from parcours.engine.errors import DefinitionError
from parcours.engine.reasons import Reason
from parcours.engine.timeline import Placement, StageSpan, StatusSpan, Timeline, timeline
from parcours.engine.touchpoints import Touchpoint

__all__ = [
    "DefinitionError",
    "Journeys",
    "JourneyDefinition",
    "Placement",
    "Reason",
    "SpanColumns",
    "StageSpan",
    "StatusSpan",
    "Timeline",
    "Touchpoint",
    "TouchpointColumns",
    "load_definition",
    "loads_definition",
    "parse_definition",
    "recompute",
    "recompute_journeys",
    "shipped_definition",
    "span_reasons",
    "timeline",
]
