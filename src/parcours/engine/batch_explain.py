"""Reasons of many (household, day) queries at once: the batch twin of ``Condition.explain``.

A condition's explanation on a day is its reasons (code + params, reasons.py) and the
touchpoints that satisfied it. For the batch path, each condition type answers many queries
``(household index, day)`` at once (``Condition.batch_explain``) with a
:class:`BatchExplanation`: whether it holds per query, reason rows and evidence rows.

Reason rows are columnar: a :class:`Template` holds a reason's code, its params that do not
depend on the data (thresholds, windows, kinds) and the names and types of the params that
do (counts, days, references); each row holds its query, its template id and up to ``DYN``
int64 values (``NONE`` for None). Counts in a window ending on day D are differences of two
``searchsorted`` positions in the log sorted by (household, day); evidence rows are the
ranges between them, expanded. Rows are ordered by query, then in the order the per-household
``explain`` gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from parcours.engine.columns import day_date
from parcours.engine.reasons import CODES, Param, Reason

I64 = npt.NDArray[np.int64]
NONE = np.int64(np.iinfo(np.int64).min)
DYN = 5  # most data-dependent params of one reason (open_episode)
CODE_INDEX: dict[str, int] = {c: i for i, c in enumerate(CODES)}

# types of dynamic params
INT = "int"
DATE = "date"
CODE = "code"  # index into reasons.CODES, NONE -> ""


@dataclass(frozen=True)
class Template:
    """A reason without its data-dependent values: code, fixed params, dynamic param names."""

    code: str
    static: tuple[tuple[str, Param], ...]
    dynamic: tuple[tuple[str, str], ...] = ()  # (name, type)

    def reason(self, values: list[int]) -> Reason:
        params: dict[str, Param] = dict(self.static)
        for (name, kind), v in zip(self.dynamic, values, strict=False):
            params[name] = _decode(kind, v)
        return Reason(self.code, **params)

    def as_dict(self, values: list[int]) -> dict[str, object]:
        """Same as ``self.reason(values).as_dict()``, without building the Reason."""
        params: dict[str, object] = {
            k: v.isoformat() if isinstance(v, date) else v for k, v in self.static
        }
        for (name, kind), v in zip(self.dynamic, values, strict=False):
            d = _decode(kind, v)
            params[name] = d.isoformat() if isinstance(d, date) else d
        return {"code": self.code, "params": dict(sorted(params.items()))}


def _decode(kind: str, v: int) -> Param:
    if kind == CODE:
        return "" if v == NONE else CODES[v]
    if v == NONE:
        return None
    if kind == DATE:
        return day_date(v)
    return int(v)


@dataclass
class Templates:
    """Template ids, shared by every chunk of one recomputation."""

    table: list[Template] = field(default_factory=list)
    _ids: dict[Template, int] = field(default_factory=dict)

    def id(self, template: Template) -> int:
        got = self._ids.get(template)
        if got is None:
            got = self._ids[template] = len(self.table)
            self.table.append(template)
        return got


@dataclass(frozen=True)
class BatchExplanation:
    """Explanations of ``n`` queries: holds per query; reason rows (query ``r_q``, template
    ``r_t``, values ``r_v`` of shape (rows, DYN)); evidence rows (query ``e_q``, touchpoint
    index ``e_i`` into the batch context arrays). Rows are sorted by query."""

    holds: npt.NDArray[np.bool_]
    r_q: I64
    r_t: I64
    r_v: I64
    e_q: I64
    e_i: I64


def leaf(
    holds: npt.NDArray[np.bool_],
    template: int,
    values: list[I64],
    e_q: I64 | None = None,
    e_i: I64 | None = None,
) -> BatchExplanation:
    """One reason per query, from a single template."""
    n = holds.shape[0]
    r_v = np.full((n, DYN), NONE, dtype=np.int64)
    for j, col in enumerate(values):
        r_v[:, j] = col
    z = np.zeros(0, dtype=np.int64)
    return BatchExplanation(
        holds,
        np.arange(n, dtype=np.int64),
        np.full(n, template, dtype=np.int64),
        r_v,
        z if e_q is None else e_q,
        z if e_i is None else e_i,
    )


def combine(
    holds: npt.NDArray[np.bool_],
    parts: list[tuple[BatchExplanation, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]],
) -> BatchExplanation:
    """Concatenate the rows of parts (in order), each filtered by a per-query mask for its
    reasons and one for its evidence, and order them by query (stable: part order kept)."""
    rq, rt, rv, eq, ei = [], [], [], [], []
    for ex, keep_r, keep_e in parts:
        kr = keep_r[ex.r_q]
        rq.append(ex.r_q[kr])
        rt.append(ex.r_t[kr])
        rv.append(ex.r_v[kr])
        ke = keep_e[ex.e_q]
        eq.append(ex.e_q[ke])
        ei.append(ex.e_i[ke])
    r_q = np.concatenate(rq)
    e_q = np.concatenate(eq)
    ro = np.argsort(r_q, kind="stable")
    eo = np.argsort(e_q, kind="stable")
    return BatchExplanation(
        holds,
        r_q[ro],
        np.concatenate(rt)[ro],
        np.concatenate(rv)[ro],
        e_q[eo],
        np.concatenate(ei)[eo],
    )


def expand(lo: I64, hi: I64) -> tuple[I64, I64]:
    """For ranges [lo, hi) per query: (query of each element, position of each element)."""
    cnt = np.maximum(hi - lo, 0)
    total = int(cnt.sum())
    q = np.repeat(np.arange(lo.shape[0], dtype=np.int64), cnt)
    if total == 0:
        return q, np.zeros(0, dtype=np.int64)
    offset = np.cumsum(cnt) - cnt
    pos = np.arange(total, dtype=np.int64) + np.repeat(lo - offset, cnt)
    return q, pos


def first_per_query(q: I64, mask: npt.NDArray[np.bool_], n: int) -> I64:
    """Index of the first row with ``mask`` of each query (rows sorted by query), -1 if none."""
    out = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if rows.shape[0]:
        qs = q[rows]
        first = np.empty(rows.shape[0], dtype=bool)
        first[0] = True
        np.not_equal(qs[1:], qs[:-1], out=first[1:])
        out[qs[first]] = rows[first]
    return out


def last_per_query(q: I64, mask: npt.NDArray[np.bool_], n: int) -> I64:
    """Index of the last row with ``mask`` of each query (rows sorted by query), -1 if none."""
    out = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if rows.shape[0]:
        qs = q[rows]
        last = np.empty(rows.shape[0], dtype=bool)
        last[-1] = True
        np.not_equal(qs[1:], qs[:-1], out=last[:-1])
        out[qs[last]] = rows[last]
    return out


def window_low(day: I64, window_days: int | None) -> I64:
    """First day of the window ending on ``day`` (0 without a window: days are >= 0)."""
    if window_days is None:
        return np.zeros_like(day)
    return np.maximum(day - (window_days - 1), 0)
