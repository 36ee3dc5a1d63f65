"""The dashboard's cache: the measures' inputs (the columns of an association) and their
results (per measure and query), in the memory of each process, keyed by the association's
data stamp (:mod:`parcours.analytics.stamps`).

The stamp is read first, then the data: a write that commits in between leaves newer data
under the older stamp, which no reader asks for again (stamps are random, never reused).
Every write to what the measures read changes the stamp in its own transaction, so a page
never shows figures older than the data it reads; several gunicorn workers each keep their own
copy and each check the stamp in the database on every page (one indexed read).

Memory: one least-recently-used store per process, bounded by bytes
(``settings.ANALYTICS_CACHE_BYTES``, environment ``PARCOURS_ANALYTICS_CACHE_MB``, 2048 MB by
default): the columns of an association count their arrays' bytes (about 1.6 GB at 1,000,000
households and 50,000,000 touchpoints), a result its pickled size. An item larger than the
bound is computed and not kept. Entries of an older stamp are never read again and leave by
age.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

import numpy as np

from parcours.analytics.measures import JourneyData, Query, run

DEFAULT_BYTES = 2048 * 1024 * 1024


class LRU:
    """A least-recently-used store bounded by the bytes its values are said to take."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            if size > self.limit:
                return
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.limit:
                _key, (_value, freed) = self._items.popitem(last=False)
                self.used -= freed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def __len__(self) -> int:
        return len(self._items)


def _limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "ANALYTICS_CACHE_BYTES", DEFAULT_BYTES))


STORE = LRU(DEFAULT_BYTES)


def store() -> LRU:
    STORE.limit = _limit()
    return STORE


def data_bytes(data: JourneyData) -> int:
    total = 0
    for value in vars(data).values():
        if isinstance(value, np.ndarray):
            # object arrays: a pointer per row and the distinct strings they share
            total += value.nbytes + (64 * len(set(value.tolist())) if value.dtype == object else 0)
    return total


def _cached(key: Hashable, compute: Callable[[], Any], size: Callable[[Any], int]) -> Any:
    lru = store()
    value = lru.get(key)
    if value is None:
        value = compute()
        lru.put(key, value, size(value))
    return value


class Dashboard:
    """The cached inputs and results of one association, as one member may see them, at the
    stamp read when it was made: make one per request, before reading any data."""

    def __init__(self, *, association, stage_keys: tuple[str, ...], membership, today: date):
        from parcours.accounts import visibility
        from parcours.analytics import stamps

        self.association = association
        self.stage_keys = tuple(stage_keys)
        self.membership = membership
        self.token = stamps.token(association.pk)
        # what the inputs depend on besides the data: the view (support or not), the
        # journey's stages, and the day (sessions held are those up to today)
        self.key = (association.pk, self.token, self.stage_keys,
                    visibility.sees_support(membership), today)  # fmt: skip

    def data(self) -> JourneyData:
        from parcours.analytics import selectors

        return _cached(
            ("inputs", *self.key),
            lambda: selectors.journey_data(association=self.association,
                                           stage_keys=self.stage_keys,
                                           membership=self.membership),
            data_bytes,
        )  # fmt: skip

    def result(self, kind: str, query: Query) -> Any:
        return _cached(
            ("result", kind, query, *self.key),
            lambda: run(kind, self.data(), query),
            lambda r: len(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)),
        )

    def results(self, kinds, query: Query) -> dict[str, Any]:
        return {kind: self.result(kind, query) for kind in kinds}

    def filter_choices(self) -> dict[str, list]:
        from parcours.analytics import selectors

        return _cached(
            ("choices", self.association.pk, self.token),
            lambda: selectors.filter_choices(association=self.association),
            lambda c: len(pickle.dumps(c)),
        )
