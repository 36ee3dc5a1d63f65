"""The kinds of background work, registered by the apps that start them.

A kind has a label (what the progress bar says it is doing) and the capability a member needs
to follow it: a job's page answers 403 to the others, and 404 to another association.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str  # a lazy translation
    capability: str


_KINDS: dict[str, JobKind] = {}


def register(key: str, *, label, capability: str) -> JobKind:
    kind = JobKind(key, label, capability)
    if _KINDS.get(key, kind) != kind:
        raise ValueError(f"background job kind {key!r} registered twice")
    _KINDS[key] = kind
    return kind


def get(key: str) -> JobKind | None:
    return _KINDS.get(key)
