"""Duplicate detection for households: the same family typed twice must be proposed, not twinned.

One check for every creation path: households.services.household_create runs it and raises
DuplicateHousehold (nothing written) unless the user confirmed it is a new family.

Two households are probably the same when their phones match once normalised (French formats:
``+33 6 ..``, ``0033 6..``, ``06 ..``), or when their names match (accents, case, spaces and a
leading "Famille" ignored) in the same neighbourhood. A name match where one side has no
neighbourhood is proposed too, as weaker evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from parcours.households.models import Household

_NAME_PREFIXES = {"famille", "family", "fam", "foyer"}


def normalise_text(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def normalise_name(value: str) -> str:
    words = normalise_text(value).split()
    while len(words) > 1 and words[0] in _NAME_PREFIXES:
        words = words[1:]
    return " ".join(words)


def normalise_phone(value: str) -> str:
    """A comparable form of a phone number: French numbers as 10 national digits."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("00"):
        digits, international = digits[2:], True
    else:
        international = raw.startswith("+")
    if international:
        if digits.startswith("33"):
            national = digits[2:]
            return national if national.startswith("0") else "0" + national
        return "+" + digits
    return digits


@dataclass
class Match:
    household: Household
    reasons: list[str] = field(default_factory=list)  # "phone", "name_neighbourhood", "name"

    @property
    def archived(self) -> bool:
        return self.household.archived_at is not None

    @property
    def strong(self) -> bool:
        return "phone" in self.reasons or "name_neighbourhood" in self.reasons


class DuplicateHousehold(Exception):
    """The household described looks like one already recorded; propose it instead."""

    def __init__(self, matches: list[Match]):
        super().__init__("possible duplicate household")
        self.matches = matches


def household_duplicates(
    *, name: str, neighbourhood: str = "", phone: str = "", limit: int = 5, association=None
) -> list[Match]:
    """Households of `association` (default: the active scope's), archived ones included, that
    look like the one described.

    Services pass the association: a command or a job runs with scopes disabled, where the
    scope alone would compare with every association's households."""
    name_key = normalise_name(name)
    place_key = normalise_text(neighbourhood)
    phone_key = normalise_phone(phone)
    if len(phone_key.lstrip("+")) < 6:
        phone_key = ""
    found: dict[int, list[str]] = {}
    # Archived households too: a family coming back is restored, not recorded a second time.
    qs = Household.objects.all()
    if association is not None:
        qs = qs.filter(association=association)
    rows = qs.values_list("id", "name", "neighbourhood", "phone")
    for pk, other_name, other_place, other_phone in rows.iterator(chunk_size=2000):
        reasons = []
        if phone_key and normalise_phone(other_phone) == phone_key:
            reasons.append("phone")
        if name_key and normalise_name(other_name) == name_key:
            other_place_key = normalise_text(other_place)
            if place_key and other_place_key == place_key:
                reasons.append("name_neighbourhood")
            elif not place_key or not other_place_key:
                reasons.append("name")
        if reasons:
            found[pk] = reasons
    households = Household.objects.in_bulk(list(found))
    matches = [Match(households[pk], reasons) for pk, reasons in found.items() if pk in households]
    matches.sort(key=lambda m: (not m.strong, "phone" not in m.reasons, m.household.name))
    return matches[:limit]


def household_duplicates_many(
    candidates: list[tuple[str, str, str, str]], *, association, limit: int = 5
) -> dict[str, list[Match]]:
    """household_duplicates for many candidates (key, name, neighbourhood, phone) at once: the
    association's households read once (the bulk path: imports). Keys with no match are left
    out."""
    by_phone: dict[str, list[int]] = {}
    by_name: dict[str, list[tuple[int, str]]] = {}
    qs = Household.objects.active().filter(association=association)
    for pk, name, place, phone in qs.values_list("id", "name", "neighbourhood", "phone").iterator(
        chunk_size=2000
    ):
        by_phone.setdefault(normalise_phone(phone), []).append(pk)
        by_name.setdefault(normalise_name(name), []).append((pk, normalise_text(place)))
    found: dict[str, dict[int, list[str]]] = {}
    for key, name, neighbourhood, phone in candidates:
        reasons: dict[int, list[str]] = {}
        phone_key = normalise_phone(phone)
        if len(phone_key.lstrip("+")) >= 6:
            for pk in by_phone.get(phone_key, ()):
                reasons.setdefault(pk, []).append("phone")
        place_key = normalise_text(neighbourhood)
        name_key = normalise_name(name)
        for pk, other_place in by_name.get(name_key, ()) if name_key else ():
            if place_key and other_place == place_key:
                reasons.setdefault(pk, []).append("name_neighbourhood")
            elif not place_key or not other_place:
                reasons.setdefault(pk, []).append("name")
        if reasons:
            found[key] = reasons
    households = Household.objects.in_bulk({pk for r in found.values() for pk in r})
    out = {}
    for key, reasons in found.items():
        matches = [Match(households[pk], r) for pk, r in reasons.items() if pk in households]
        matches.sort(key=lambda m: (not m.strong, "phone" not in m.reasons, m.household.name))
        out[key] = matches[:limit]
    return out
