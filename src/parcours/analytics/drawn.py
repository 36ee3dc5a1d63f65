"""The dashboard's panels as drawn (their HTML), shared by every gunicorn worker through
Django's cache (a file cache in production), keyed by the data stamp of the figures.

Drawing the ten panels (charts' data, tables of every figure, localised numbers) cost more
CPU than computing them once the measures were cached (:mod:`parcours.analytics.cache`):
about 0.25 s a page at 10,000 households, for every coordinator, on every page. And each
worker computed the figures itself once a minute (``ANALYTICS_MAX_AGE``), seconds of CPU each.
Here the HTML of the panels is kept under the stamp its figures were computed at (with the
query, the audience, the measures shown, the language and the page's query string, all it
depends on), and a pointer per view says which stamp was drawn last and when that stamp was
read: a page whose current stamp is not drawn yet takes the last one drawn by any worker when
it is at most ``max_age`` seconds old, as the per-process cache does, and says how old.

Nothing is shared that a transaction which wrote the data computed (it may roll back), nor
anything at stamp 0 (before the first write: the same number in every fresh database).

No household's name is kept: a drawn page holds a mark where a name goes (:func:`name_marks`),
filled with the names read when the page is served (:func:`fill_names`). The cache is files on
disk that outlive a request; a family erased or renamed must not stay in them.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Hashable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from parcours.analytics.cache import Dashboard

#: seconds a drawn page is kept (a stamp's HTML is good for as long as the stamp is current)
KEEP_S = 3600


#: where a household's name goes in a drawn page: an HTML comment, which no escaped text (a
#: name, an activity typed by a user) can contain
_NAME_MARK = re.compile(r"<!--household:(\d+)-->")


def name_marks(ids: Iterable[int]) -> dict[int, SafeString]:
    """The marks a page is drawn with instead of the households' names."""
    return {int(h): mark_safe(f"<!--household:{int(h)}-->") for h in ids}  # noqa: S308


def fill_names(html: str, names: Callable[[list[int]], dict[int, str]] | None) -> str:
    """``html`` with each mark replaced by the household's name (escaped; "#id" when it has
    none now, such as an archived household), read by ``names``; None removes the marks."""
    ids = sorted({int(m) for m in _NAME_MARK.findall(html)})
    if not ids or names is None:
        return _NAME_MARK.sub("", html) if ids else html
    found = names(ids)
    return _NAME_MARK.sub(lambda m: escape(found.get(int(m[1]), f"#{m[1]}")), html)


def _key(kind: str, parts: Hashable) -> str:
    name = settings.DATABASES["default"].get("NAME")
    digest = hashlib.sha256(repr((name, parts)).encode()).hexdigest()
    return f"parcours:analytics:{kind}:{digest}"


Drawn = tuple[str, Hashable, str]
"""(the HTML, the ids its labels name, the labels' fingerprint)"""


def panels_html(
    board: Dashboard,
    page: Hashable,
    draw: Callable[[], Drawn],
    labels: Callable[[Hashable], str],
    *,
    max_age: float,
) -> tuple[str, float | None]:
    """The panels' HTML of the page ``page`` (what it depends on besides the figures and
    their labels) and the time the figures' data was read when older figures were used (else
    None), drawn by ``draw`` from ``board``'s figures unless a worker drew them already.

    The labels drawn (the names of activities and actions; the priority neighbourhoods)
    change without the data stamp: a page drawn is taken only when ``labels(ids)``, the
    fingerprint of the labels now, is the one it was drawn with. Households' names are no
    label of a drawn page (:func:`fill_names`)."""
    shareable = board.own is None and board.token != 0
    found = [board.key] if shareable else []
    pointer = _key("latest", (board.view, page))
    older = None
    if max_age > 0 and not board.written:
        latest = cache.get(pointer)
        if latest is not None and time.time() - latest[1] <= max_age and latest[0] != board.key:
            found.append(latest[0])
            older = latest[1]
    for key in found:
        entry = cache.get(_key("drawn", (key, page)))
        if entry is not None and labels(entry[1]) == entry[2]:
            return entry[0], board.as_of if key == board.key else older
    html, ids, fingerprint = draw()
    if shareable:
        cache.set(_key("drawn", (board.key, page)), (html, ids, fingerprint), KEEP_S)
        read_at = board.as_of if board.as_of is not None else board.read_at
        latest = cache.get(pointer)
        if not board.written and (latest is None or latest[1] < read_at):
            cache.set(pointer, (board.key, read_at), KEEP_S)
    return html, board.as_of
