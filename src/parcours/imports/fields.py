"""What a column of an imported file can hold, and the names associations give it.

A file has one row per fact: a household (its name at least), optionally one of its persons,
optionally one dated touchpoint (attendance at an activity, a proximity contact, an
information request, a welcome visit). Rows of the same household share its file number when
the file has one, else its name.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcours.households.duplicates import normalise_text

# target -> label shown to the user
FIELDS = {
    "household": _("Household (family name)"),
    "file_ref": _("File number"),
    "neighbourhood": _("Neighbourhood"),
    "address": _("Address"),
    "postcode": _("Postcode"),
    "city": _("Town"),
    "phone": _("Phone"),
    "heard_from": _("How they heard of us"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "birth_year": _("Birth year or date"),
    "sex": _("Sex"),
    "relation": _("Relation in the household"),
    "day": _("Date of the touchpoint"),
    "kind": _("Kind of touchpoint"),
    "activity": _("Activity"),
}
REQUIRED = ("household",)

# normalised header -> target (the French and English names found in real files)
SYNONYMS = {
    target: {normalise_text(n) for n in names}
    for target, names in {
        "household": ("foyer", "famille", "nom du foyer", "nom de famille", "nom famille",
                      "household", "family"),
        "file_ref": ("n dossier", "no dossier", "numero de dossier", "dossier", "identifiant",
                     "id famille", "reference", "ref", "file number"),
        "neighbourhood": ("quartier", "secteur", "neighbourhood"),
        "address": ("adresse", "adresse postale", "rue", "address"),
        "postcode": ("code postal", "cp", "postcode"),
        "city": ("ville", "commune", "town", "city"),
        "phone": ("telephone", "tel", "portable", "mobile", "numero de telephone", "phone"),
        "heard_from": ("canal", "connu par", "comment nous a connus", "origine",
                       "orientation", "how they heard of us", "channel"),
        "first_name": ("prenom", "first name"),
        "last_name": ("nom", "nom de la personne", "last name"),
        "birth_year": ("annee de naissance", "date de naissance", "ne e le", "ne le",
                       "naissance", "birth year", "birth date"),
        "sex": ("sexe", "genre", "sex", "gender"),
        "relation": ("lien", "lien de parente", "role dans le foyer", "parente", "relation"),
        "day": ("date", "date du contact", "date de passage", "date de presence", "jour",
                "day"),
        "kind": ("type", "type de contact", "nature", "evenement", "kind"),
        "activity": ("activite", "atelier", "action", "activity"),
    }.items()
}  # fmt: skip
_BY_NAME = {name: target for target, names in SYNONYMS.items() for name in names}


def guess(header: str) -> str:
    """The target a header names ('' when unknown)."""
    return _BY_NAME.get(normalise_text(header), "")


def is_known(header: str) -> bool:
    return bool(guess(header))


def header_key(header: str) -> str:
    """How a header is remembered between imports of the same association."""
    return normalise_text(header)


def auto_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> list[str]:
    """A target per column ('' = ignored): what the association chose last time, else a guess."""
    remembered = remembered or {}
    out = []
    for h in headers:
        key = header_key(h)
        out.append(remembered[key] if key in remembered else guess(h))
    return out
