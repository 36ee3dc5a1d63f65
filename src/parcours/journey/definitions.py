"""Which journey definition an association uses (loaded once per process)."""

from __future__ import annotations

from functools import lru_cache

from parcours.engine import JourneyDefinition, shipped_definition


@lru_cache(maxsize=16)
def _load(journey: str, vocabulary: str) -> JourneyDefinition:
    return shipped_definition(journey, vocabulary)


def definition_for(association) -> JourneyDefinition:
    return _load(association.journey, association.vocabulary)
