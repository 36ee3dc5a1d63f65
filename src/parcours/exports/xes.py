"""XES (IEEE 1849-2016) written as it is sent: one trace at a time, bounded memory.

The log declares the Concept and Time extensions, the global attributes of its traces and
events, and one classifier (the activity). Each trace is a household (parcours.exports.eventlog:
``concept:name`` its number), each event a touchpoint: ``concept:name`` the kind in the reader's
language, ``time:timestamp`` its day, ``parcours:kind`` the kind's key, ``parcours:stage`` the
household's stage that day, ``parcours:activity`` the activity's name when it has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import quoteattr

from parcours.exports.eventlog import JourneyLog, case_id, timestamp

CONTENT_TYPE = "application/xml; charset=utf-8"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="parcours:kind" value="__INVALID__"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value={name}/>
"""


def _string(key: str, value: str) -> str:
    return f"<string key={quoteattr(key)} value={quoteattr(value)}/>"


def xes_lines(log: JourneyLog, *, name: str) -> Iterator[str]:
    """The log as pieces of text, one trace a piece."""
    yield HEAD.format(name=quoteattr(name))
    activities = log.activity_names()
    kinds: dict[str, str] = {}
    for case in log.cases():
        parts = [f"  <trace>{_string('concept:name', case_id(case.household_id))}\n"]
        for e in case.events:
            if e.kind not in kinds:
                kinds[e.kind] = _string("concept:name", log.activity_name(e.kind)) + _string(
                    "parcours:kind", e.kind
                )
            parts.append(
                f'    <event>{kinds[e.kind]}<date key="time:timestamp" value="{timestamp(e.day)}"/>'
            )
            if e.stage:
                parts.append(_string("parcours:stage", e.stage))
            if e.activity_id is not None and e.activity_id in activities:
                parts.append(_string("parcours:activity", activities[e.activity_id]))
            parts.append("</event>\n")
        parts.append("  </trace>\n")
        yield "".join(parts)
    yield "</log>\n"
