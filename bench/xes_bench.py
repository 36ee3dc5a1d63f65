"""XES reading: parcours.imports.logreading.read_xes vs PM4Py's XES importer, same file, same run.

The file: 262,000 events (26,200 traces of 10 events, seeded), each event with an activity,
a timestamp with milliseconds and an offset, a resource and a lifecycle transition, as
ProM and Celonis write them; written once to bench/data/ (not timed).
Both readers must agree (events, cases, events per activity) before a time is reported.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

EVENTS = 262_000
PER_TRACE = 10
ACTIVITIES = (
    "Create order",
    "Check credit",
    "Confirm order",
    "Pick goods",
    "Ship goods",
    "Send invoice",
    "Receive payment",
    "Send reminder",
    "Close order",
    "Cancel order",
)
RESOURCES = tuple(f"clerk-{i}" for i in range(25))

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
<global scope="event"><string key="concept:name" value="__INVALID__"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/></global>
<classifier name="Activity" keys="concept:name"/>
<string key="concept:name" value="order-to-cash"/>
"""


def write_xes(path: Path, *, events: int = EVENTS, seed: int = 1) -> Path:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for case in range(events // PER_TRACE):
            at = start + timedelta(minutes=rng.randrange(0, 500_000))
            f.write(f'<trace>\n<string key="concept:name" value="order-{case}"/>\n')
            for _ in range(PER_TRACE):
                at += timedelta(
                    seconds=rng.randrange(60, 200_000), milliseconds=rng.randrange(1000)
                )
                f.write(
                    "<event>"
                    f'<string key="concept:name" value={quoteattr(rng.choice(ACTIVITIES))}/>'
                    f'<string key="org:resource" value="{rng.choice(RESOURCES)}"/>'
                    '<string key="lifecycle:transition" value="complete"/>'
                    f'<date key="time:timestamp" value="{at.isoformat(timespec="milliseconds")}"/>'
                    "</event>\n"
                )
            f.write("</trace>\n")
        f.write("</log>\n")
    return path


def ours(path: Path) -> tuple[float, float, int, int, Counter]:
    from parcours.imports.logreading import read_xes

    cpu, t = time.process_time(), time.perf_counter()
    activities: Counter = Counter()
    cases = set()
    n = 0
    for event in read_xes(path):
        activities[event.activity] += 1
        cases.add(event.case)
        n += 1
    return time.perf_counter() - t, time.process_time() - cpu, n, len(cases), activities


def pm4py_read(path: Path) -> tuple[float, float, int, int, Counter, str]:
    import pm4py

    cpu, t = time.process_time(), time.perf_counter()
    frame = pm4py.read_xes(str(path))
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    counts = Counter(frame["concept:name"].value_counts().to_dict())
    return seconds, cpu, len(frame), frame["case:concept:name"].nunique(), counts, pm4py.__version__


def xes_read(data_dir: Path):
    """The bench step: (seconds of ours, notes); raises if the two readers disagree. CPU
    seconds beside wall seconds: on the shared machine the wall clock follows the load."""
    import resource

    import psutil

    path = data_dir / f"xes-{EVENTS}-seed1.xes"
    if not path.exists():
        write_xes(path)
    ours_s, ours_cpu, n, cases, acts = ours(path)
    ours_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pm_s, pm_cpu, pm_n, pm_cases, pm_acts, version = pm4py_read(path)
    if (n, cases, acts) != (pm_n, pm_cases, pm_acts):
        raise AssertionError(f"readers differ: ours {n}/{cases}, pm4py {pm_n}/{pm_cases}")
    notes = {
        "events": f"{n:,}",
        "cases": f"{cases:,}",
        "file MB": round(path.stat().st_size / 2**20, 1),
        "pm4py seconds": round(pm_s, 2),
        "pm4py version": f"{version} (pm4py.read_xes, default variant)",
        "speed-up (wall)": f"{pm_s / ours_s:.1f}x",
        "CPU seconds ours / pm4py": f"{ours_cpu:.2f} / {pm_cpu:.2f}",
        "speed-up (CPU)": f"{pm_cpu / ours_cpu:.1f}x",
        "peak MB after ours (before pm4py)": round(ours_peak, 1),
        "RSS MB at the end": round(psutil.Process().memory_info().rss / 2**20, 1),
    }
    return ours_s, notes
