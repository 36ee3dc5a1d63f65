"""Find households by what staff type: any word's beginning of the name, neighbourhood,
address or a member's name, accents and case ignored ("bar moul" finds "Famille Barré",
Moulins). Each household's words are stored normalised in SearchWord, indexed by
(association, word); a query word is a range on that index (word >= "bar" and < "bas"), so
a picker answers in a few milliseconds whatever the number of households (bench/: picker).

Services that change what is indexed call `index_households`; `parcours manage
directory_reindex` rebuilds every association's index (after a bulk import)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from parcours.core.fastinsert import insert_rows
from parcours.directory.models import SearchWord
from parcours.households.duplicates import normalise_text
from parcours.households.models import Household, Person

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_WORD = 60
MIN_QUERY = 2  # characters: one letter would match a good part of the association
MAX_QUERY_WORDS = 4
BROAD = 1000  # words: above, the households are walked in name order (see matching)
SKIPPED = {"famille", "family", "foyer", "rue", "de", "du", "des", "la", "le", "les", "et"}


def words_of(*texts: str) -> set[str]:
    """The distinct normalised words worth indexing in these texts."""
    found: set[str] = set()
    for text in texts:
        for word in normalise_text(text).split():
            if word not in SKIPPED:
                found.add(word[:MAX_WORD])
    return found


@transaction.atomic
def index_households(household_ids: Iterable[int]) -> int:
    """Rebuild the words of these households (any scope), all or nothing."""
    ids = list(household_ids)
    if not ids:
        return 0
    words = SearchWord.objects.with_scopes_disabled()
    words.filter(household_id__in=ids).delete()
    households = Household.objects.with_scopes_disabled().filter(pk__in=ids)
    persons: dict[int, list[str]] = {}
    rows = Person.objects.with_scopes_disabled().filter(household_id__in=ids)
    for hid, first, last in rows.values_list("household_id", "first_name", "last_name"):
        persons.setdefault(hid, []).extend((first, last))
    fields = ("id", "association_id", "name", "neighbourhood", "address")
    new = [
        (a, pk, w)
        for pk, a, name, neighbourhood, address in households.values_list(*fields)
        for w in sorted(words_of(name, neighbourhood, address, *persons.get(pk, ())))
    ]
    insert_rows(SearchWord, ["association_id", "household_id", "word"], new)
    return len(new)


def _upper_bound(prefix: str) -> str | None:
    """The smallest word after every word starting with `prefix` ("bar" -> "bas", "az" ->
    "b"), over the normalised alphabet; None when there is none ("zz")."""
    chars = list(prefix)
    while chars:
        i = ALPHABET.find(chars[-1])
        if 0 <= i < len(ALPHABET) - 1:
            chars[-1] = ALPHABET[i + 1]
            return "".join(chars)
        chars.pop()
    return None


def query_words(query: str) -> list[str]:
    """The prefixes to match: the query's words but the unindexed ones ("famille", "rue",
    "de"...), except the last, which may be the beginning of a name ("le" of "Lefebvre")."""
    typed = [w[:MAX_WORD] for w in normalise_text(query).split()]
    words = [w for w in typed[:-1] if w not in SKIPPED] + typed[-1:]
    return sorted(set(words), key=len, reverse=True)[:MAX_QUERY_WORDS]


def _starting_with(prefix: str) -> QuerySet[SearchWord]:
    words = SearchWord.objects.filter(word__gte=prefix)
    upper = _upper_bound(prefix)
    return words.filter(word__lt=upper) if upper else words


def _breadth(prefix: str) -> int:
    """How many words start with `prefix`, counted up to BROAD + 1 on the index."""
    return _starting_with(prefix)[: BROAD + 1].count()


def matching(qs: QuerySet[Household], query: str) -> QuerySet[Household]:
    """The households of `qs` having a word that starts with each word of the query (nothing
    for a query shorter than MIN_QUERY).

    Two plans, by the breadth of the narrowest word (one capped count on the index): a narrow
    one lists its households from the word index (pk IN ...), a broad one ("le" of 100,000
    households) lets the database walk the households in name order and stop at the page's
    end, checking each one's words (EXISTS on the (household, word) index)."""
    words = query_words(query)
    if not words or sum(map(len, words)) < MIN_QUERY:
        return qs.none()
    breadth = {w: _breadth(w) for w in words}
    words.sort(key=breadth.__getitem__)
    narrowest = words[0]
    for prefix in words:
        if prefix == narrowest and breadth[prefix] <= BROAD:
            qs = qs.filter(pk__in=_starting_with(prefix).values("household_id"))
        else:
            qs = qs.filter(Exists(_starting_with(prefix).filter(household=OuterRef("pk"))))
    return qs
