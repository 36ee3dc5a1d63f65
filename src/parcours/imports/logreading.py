"""Read an event log (XES, or CSV of case, activity and timestamp), streamed, bounded memory.

Each reader yields :class:`LogEvent` rows: the line of the file it came from, the case, the
activity and the timestamp (aware when the file says its offset). A broken file raises
:class:`LogRefused` with the line, the field and the reason in French.

XES: pyexpat, fed a megabyte at a time, keeps nothing but the pending event (no tree), so
memory does not grow with the file; one Python call per element start. Timestamps go through
``datetime.fromisoformat`` (C, Python 3.11 reads the XES forms with milliseconds and offsets),
with a ``Z`` turned into ``+00:00``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils.translation import gettext as _

XES_NS = "{http://www.xes-standard.org/}"
NAME, TIME = "concept:name", "time:timestamp"

# CSV headers understood for each field (compared without case, accents or spaces)
CSV_HEADERS = {
    "case": ("case", "case id", "case:concept:name", "cas", "dossier", "identifiant", "id"),
    "activity": ("activity", "concept:name", "activite", "action", "evenement", "event"),
    "timestamp": ("timestamp", "time:timestamp", "date", "horodatage", "time", "heure"),
}


@dataclass(frozen=True, slots=True)
class LogEvent:
    line: int
    case: str
    activity: str
    timestamp: datetime


class LogRefused(ValueError):
    """The log cannot be read: where (line, field) and why, in French."""

    def __init__(self, line: int, field: str, reason: str):
        self.line, self.field, self.reason = line, field, reason
        super().__init__(
            _("Line %(line)s, %(field)s: %(reason)s")
            % {"line": line, "field": field, "reason": reason}
        )


def parse_timestamp(text: str, *, line: int, field: str = TIME) -> datetime:
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except (ValueError, TypeError):
        raise LogRefused(
            line,
            field,
            _("“%(value)s” is not a date and time (2024-03-31T14:05:00)") % {"value": text},
        ) from None


def read_xes(path: Path) -> Iterator[LogEvent]:
    """The events of an XES file in the order of the file, each with its trace's name.

    pyexpat with a Python handler on element starts only (one call per element); element ends
    are counted by a list's C ``append`` (no Python call), which gives the depth: an attribute
    counts for the event or trace it is a direct child of (a nested attribute does not). The
    handler's state is in closure variables (the fastest to read and write in CPython)."""
    import pyexpat

    ends: list[str] = []
    done: list[LogEvent] = []
    parser = pyexpat.ParserCreate()
    parser.ordered_attributes = True  # [key, value, ...]: no dict per element
    case = ""
    name = stamp = None
    line = starts = 0
    event_depth = trace_depth = -1  # -1: not inside one
    fromiso = datetime.fromisoformat

    def flush() -> None:
        nonlocal event_depth, name, stamp
        if name is None:
            raise LogRefused(line, NAME, _("the event has no activity"))
        if stamp is None:
            raise LogRefused(line, TIME, _("the event has no timestamp"))
        try:
            when = fromiso(stamp)
        except ValueError:
            when = parse_timestamp(stamp, line=line)  # "Z", or the error with its line
        done.append(LogEvent(line, case, name, when))
        event_depth, name, stamp = -1, None, None

    def start(tag: str, attrs: list[str]) -> None:
        nonlocal starts, event_depth, trace_depth, name, stamp, case, line
        depth = starts - len(ends)  # this element's depth (the log is 0)
        starts += 1
        if depth <= event_depth:
            flush()  # the pending event has ended
        if attrs and attrs[0] == "key":
            if len(attrs) < 4 or attrs[2] != "value":
                return
            key = attrs[1]
            if key == NAME:
                if depth == event_depth + 1:
                    name = attrs[3]
                elif event_depth < 0 and depth == trace_depth + 1:
                    case = attrs[3]
            elif key == TIME and depth == event_depth + 1:
                stamp = attrs[3]
            return
        local = tag.rpartition(":")[2]
        if local == "event":
            event_depth, line = depth, parser.CurrentLineNumber
        elif local == "trace":
            trace_depth, case = depth, ""
            starts -= len(ends)  # keep the end list short: depths stay the same
            ends.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = ends.append
    with open(path, "rb") as f:
        try:
            while chunk := f.read(1 << 20):
                parser.Parse(chunk, False)
                yield from done
                done.clear()
            parser.Parse(b"", True)
            if event_depth >= 0:
                flush()
            yield from done
        except pyexpat.ExpatError as error:
            raise LogRefused(
                error.lineno,
                "XES",
                _("the file is not well-formed XML (%(error)s)")
                % {"error": pyexpat.ErrorString(error.code)},
            ) from None


def _csv_columns(headers: list[str]) -> dict[str, int]:
    from parcours.households.duplicates import normalise_text  # (a model module: read late)

    wanted = {field: {normalise_text(h) for h in names} for field, names in CSV_HEADERS.items()}
    at: dict[str, int] = {}
    for i, header in enumerate(headers):
        norm = normalise_text(header)
        for field, names in wanted.items():
            if norm in names and field not in at:
                at[field] = i
    for field in CSV_HEADERS:
        if field not in at:
            raise LogRefused(
                1,
                field,
                _("no column for it (expected one of: %(names)s)")
                % {"names": ", ".join(CSV_HEADERS[field][:4])},
            )
    return at


def read_csv(path: Path) -> Iterator[LogEvent]:
    """The rows of a CSV event log (UTF-8 with or without BOM, ``;`` or ``,``)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        sample = f.read(64 * 1024)
        f.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(f, delimiter=delimiter)
        try:
            at = _csv_columns(next(reader))
        except StopIteration:
            raise LogRefused(1, "CSV", _("the file is empty")) from None
        except UnicodeDecodeError:
            raise LogRefused(1, "CSV", _("the file is not in UTF-8")) from None
        ci, ai, ti = at["case"], at["activity"], at["timestamp"]
        width = max(ci, ai, ti) + 1
        try:
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) < width:
                    raise LogRefused(line, "CSV", _("the row has too few cells"))
                case, activity = cells[ci].strip(), cells[ai].strip()
                if not case:
                    raise LogRefused(line, "case", _("empty"))
                if not activity:
                    raise LogRefused(line, "activity", _("empty"))
                stamp = cells[ti].strip()
                yield LogEvent(
                    line, case, activity, parse_timestamp(stamp, line=line, field="timestamp")
                )
        except UnicodeDecodeError:
            raise LogRefused(reader.line_num + 1, "CSV", _("the file is not in UTF-8")) from None


def read_log(path: Path) -> Iterator[LogEvent]:
    """An XES or CSV log, told by its first bytes (XML starts with '<')."""
    with open(path, "rb") as f:
        head = f.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return read_xes(path) if head.startswith(b"<") else read_csv(path)
