"""The dashboard's cache: the measures' inputs (the columns of an association) and their
results (per measure and query), in the memory of each process, keyed by the association's
data stamp (:mod:`parcours.analytics.stamps`).

The stamp is read first, then the data: a write that commits in between leaves newer data
under the older stamp, which no reader asks for again (stamps are random, never reused).
Every write to what the measures read changes the stamp in its own transaction, so a page
never shows figures older than the data it reads; several gunicorn workers each keep their own
copy and each check the stamp in the database on every page (one indexed read).

The dashboard page may accept figures a little older than the data (``max_age`` seconds,
``settings.ANALYTICS_MAX_AGE``): under a team's load every attendance tap changes the stamp,
so a page that always wanted the newest figures computed them afresh on nearly every visit
(seconds of CPU at 10,000 households, while everyone else's requests waited). A page that
finds no figures of the current stamp uses those of the newest stamp it computed, when they
were read less than ``max_age`` seconds ago, and says how old they are
(:attr:`Dashboard.as_of`); the next page after that computes again. The exports, the API and
the reports keep asking for the current stamp (``max_age`` 0).

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
import time
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

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

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
#: per view (the key of the inputs without their stamp): the newest stamp whose inputs this
#: process computed, and when that stamp was read (time.time())
LATEST: dict[Hashable, tuple[int, float]] = {}


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
    stamp read when it was made: make one per request, before reading any data.

    ``max_age``: seconds; when the current stamp's inputs are not computed yet, those of the
    newest stamp this process computed may be used if that stamp was read at most this long
    ago. :attr:`as_of` is then when it was read (else None: the figures are the current data's).
    """

    def __init__(self, *, association, stage_keys: tuple[str, ...], membership, today: date,
                 max_age: float = 0.0):  # fmt: skip
        from parcours.accounts import visibility
        from parcours.analytics import stamps

        self.association = association
        self.stage_keys = tuple(stage_keys)
        self.membership = membership
        self.read_at = time.time()
        token, self.written = stamps.stamps_read([association.pk])[association.pk]
        # this transaction has written to the association's data (stamps_read): its figures
        # may roll back, so they never stand for the committed data (LATEST, max_age); with
        # no token for its state, what it computes is kept for this request only
        self.own: dict[Hashable, Any] | None = {} if token is None else None
        self.token = 0 if token is None else token
        self.as_of: float | None = None
        # what the inputs depend on besides the data: the view (support or not), the
        # journey's stages, and the day (sessions held are those up to today)
        self.view = (association.pk, self.stage_keys, visibility.sees_support(membership), today)
        if max_age > 0 and not self.written and ("inputs", *self._key(self.token)) not in store():
            latest = LATEST.get(self.view)
            if (latest is not None and self.read_at - latest[1] <= max_age
                    and ("inputs", *self._key(latest[0])) in STORE):  # fmt: skip
                self.token, self.as_of = latest
        self.key = self._key(self.token)

    def _key(self, token: int) -> tuple:
        pk, stage_keys, support, today = self.view
        return (pk, token, stage_keys, support, today)

    def _cached(self, key: Hashable, compute: Callable[[], Any], size: Callable[[Any], int]):
        if self.own is None:
            return _cached(key, compute, size)
        if key not in self.own:
            self.own[key] = compute()
        return self.own[key]

    def data(self) -> JourneyData:
        return self._cached(("inputs", *self.key), self._compute, data_bytes)

    def _compute(self) -> JourneyData:
        from parcours.analytics import selectors

        data = selectors.journey_data(association=self.association, stage_keys=self.stage_keys,
                                      membership=self.membership)  # fmt: skip
        newest = LATEST.get(self.view)
        if not self.written and self.as_of is None and (newest is None or newest[1] < self.read_at):
            LATEST[self.view] = (self.token, self.read_at)
        return data

    def result(self, kind: str, query: Query) -> Any:
        return self._cached(
            ("result", kind, query, *self.key),
            lambda: run(kind, self.data(), query),
            lambda r: len(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)),
        )

    def results(self, kinds, query: Query) -> dict[str, Any]:
        return {kind: self.result(kind, query) for kind in kinds}

    def filter_choices(self) -> dict[str, list]:
        from parcours.analytics import selectors

        return self._cached(
            ("choices", self.association.pk, self.token),
            lambda: selectors.filter_choices(association=self.association),
            lambda c: len(pickle.dumps(c)),
        )
