"""OCEL 2.0 JSON (object-centric event log) written as it is sent, bounded memory.

Objects: households (``household-12``, their stage as a timed attribute: one value per stage
span of the member's view, from its first day), persons (``person-7``, their relation to the
reference person, related to their household), activities (``activity-3``, their name) and
sessions (``session-40``, related to their activity). Events: touchpoints (``touchpoint-91``),
typed by the kind in the reader's language, related to their household ("household"), their
activity ("activity") and their session ("session") when they have one. No name, address,
phone, note or actor (parcours.exports.eventlog).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from parcours.activities.models import Session
from parcours.exports.eventlog import JourneyLog, case_id, timestamp
from parcours.households.models import Person

CONTENT_TYPE = "application/json; charset=utf-8"
EPOCH = "1970-01-01T00:00:00.000+00:00"  # the time of an attribute that does not change


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _items(items: Iterator[object]) -> Iterator[str]:
    """A JSON array's items, comma-separated, written one at a time."""
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + _dump(item)
        first = False


def _types(log: JourneyLog) -> tuple[list[dict], list[dict]]:
    string = "string"
    object_types = [
        {"name": "household", "attributes": [{"name": "stage", "type": string}]},
        {"name": "person", "attributes": [{"name": "relation", "type": string}]},
        {"name": "activity", "attributes": [{"name": "name", "type": string}]},
        {"name": "session", "attributes": [{"name": "cancelled", "type": "boolean"}]},
    ]
    event_types = [
        {"name": label, "attributes": [{"name": "kind", "type": string}]}
        for label in dict.fromkeys(log.kinds.values())
    ]
    return object_types, event_types


def _households(log: JourneyLog) -> Iterator[dict]:
    relations = dict(Person.Relation.choices)
    for chunk in log.household_chunks():
        spans = log.spans(chunk)
        for hid in chunk:
            starts, stages = spans.get(hid, ((), ()))
            yield {
                "id": case_id(hid),
                "type": "household",
                "attributes": [
                    {"name": "stage", "time": timestamp(start), "value": log.stage_label(stage)}
                    for start, stage in zip(starts, stages, strict=True)
                ],
            }
        persons = Person.objects.filter(household_id__in=chunk).order_by("pk")
        for pk, hid, relation in persons.values_list("pk", "household_id", "relation"):
            yield {
                "id": f"person-{pk}",
                "type": "person",
                "attributes": [
                    {"name": "relation", "time": EPOCH, "value": str(relations.get(relation, ""))}
                ],
                "relationships": [{"objectId": case_id(hid), "qualifier": "member of"}],
            }


def _objects(log: JourneyLog) -> Iterator[dict]:
    yield from _households(log)
    for pk, name in log.activities().values_list("pk", "name"):
        yield {
            "id": f"activity-{pk}",
            "type": "activity",
            "attributes": [{"name": "name", "time": EPOCH, "value": name}],
        }
    sessions = Session.objects.order_by("pk").values_list("pk", "activity_id", "cancelled")
    for pk, activity_id, cancelled in sessions.iterator(chunk_size=2000):
        yield {
            "id": f"session-{pk}",
            "type": "session",
            "attributes": [{"name": "cancelled", "time": EPOCH, "value": cancelled}],
            "relationships": [{"objectId": f"activity-{activity_id}", "qualifier": "session of"}],
        }


def _events(log: JourneyLog) -> Iterator[dict]:
    for case in log.cases():
        household = {"objectId": case_id(case.household_id), "qualifier": "household"}
        for e in case.events:
            relationships = [household]
            for qualifier, pk in (("activity", e.activity_id), ("session", e.session_id)):
                if pk is not None:
                    relationships.append({"objectId": f"{qualifier}-{pk}", "qualifier": qualifier})
            yield {
                "id": f"touchpoint-{e.id}",
                "type": log.activity_name(e.kind),
                "time": timestamp(e.day),
                "attributes": [{"name": "kind", "value": e.kind}],
                "relationships": relationships,
            }


def ocel_lines(log: JourneyLog) -> Iterator[str]:
    object_types, event_types = _types(log)
    yield '{"objectTypes":' + _dump(object_types) + ',\n"eventTypes":' + _dump(event_types)
    yield ',\n"objects":['
    yield from _items(_objects(log))
    yield '\n],\n"events":['
    yield from _items(_events(log))
    yield "\n]}\n"
