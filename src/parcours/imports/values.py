"""Cell values as French files write them: dates, phone numbers, channels, kinds.

Strict on purpose: a value read two ways is an error naming the value, never a guess.
Each parser returns the clean value or raises Refused(reason).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.households.duplicates import normalise_text
from parcours.households.models import Channel, Person

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (1900 system, with its leap-year bug)
EARLIEST = date(1900, 1, 1)
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
_NUMERIC = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+)\.? (\d{4}|\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
REGIONS = {
    "FR": gettext_lazy("France"),
    "BE": gettext_lazy("Belgium"),
    "CH": gettext_lazy("Switzerland"),
    "CA": gettext_lazy("Quebec (Canada)"),
}


class Refused(ValueError):
    """A cell's value cannot be taken; the message is the reason, in the user's language."""


def _year(two_or_four: str, today: date) -> int:
    year = int(two_or_four)
    if len(two_or_four) == 2:  # 24 -> 2024, 97 -> 1997: never a year after this one
        year += 2000 if year <= today.year % 100 else 1900
    return year


def _make(year: int, month: int, day: int, raw) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise Refused(_("“%(value)s” is not a date (day/month/year).") % {"value": raw}) from exc


def parse_date(raw, *, future: bool = False) -> date:
    """31/12/2024, 31/12/24, 31-12-2024, 2024-12-31, "31 déc. 2024", "1er janvier 2024",
    an Excel serial day (45657) or a cell Excel stored as a date."""
    today = timezone.localdate()
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value = _serial(raw, raw)
    else:
        text = " ".join(str(raw).split())
        value = _parse_text(text, today)
    if value < EARLIEST:
        raise Refused(_("“%(value)s”: a date before 1900.") % {"value": raw})
    if not future and value > today:
        raise Refused(_("“%(value)s”: this date is in the future.") % {"value": raw})
    if value > today + timedelta(days=5 * 366):
        raise Refused(_("“%(value)s”: a date more than five years ahead.") % {"value": raw})
    return value


def _serial(number: float, raw) -> date:
    if number != int(number) or not 1 <= number <= 2958465:
        raise Refused(_("“%(value)s” is not a date (day/month/year).") % {"value": raw})
    return EXCEL_EPOCH + timedelta(days=int(number))


def _parse_text(text: str, today: date) -> date:
    if not text:
        raise Refused(_("the date is missing."))
    if m := _NUMERIC.match(text):
        return _make(_year(m[3], today), int(m[2]), int(m[1]), text)
    if m := _ISO.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if _SERIAL.match(text):
        return _serial(float(text), text)
    plain = normalise_text(text.replace(".", " "))
    words = " ".join(plain.split())
    if (m := _WORDS.match(words)) and m[2] in MONTHS:
        return _make(_year(m[3], today), MONTHS[m[2]], int(m[1]), text)
    raise Refused(
        _("“%(value)s” is not a date: write it day/month/year, e.g. 31/12/2024.") % {"value": text}
    )


def parse_birth_year(raw) -> int:
    """A year (1987), or a birth date whose year is kept."""
    number = isinstance(raw, int | float) and not isinstance(raw, bool) and 1900 <= raw <= 2100
    if number or (isinstance(raw, str) and re.fullmatch(r"\s*\d{4}\s*", raw)):
        year = int(raw)
    else:
        year = parse_date(raw).year
    if not 1900 <= year <= timezone.localdate().year:
        raise Refused(_("“%(value)s” is not a plausible birth year.") % {"value": raw})
    return year


def parse_phone(raw, region: str = "FR") -> str:
    """A phone number in any usual writing; stored national when in `region`, else +CC."""
    text = str(int(raw)) if isinstance(raw, int | float) and not isinstance(raw, bool) else raw
    text = str(text).strip()
    if isinstance(raw, int | float) and not text.startswith("0") and len(text) == 9:
        text = "0" + text  # a spreadsheet dropped the leading zero of 06 12 34 56 78
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise Refused(_("“%(value)s” is not a phone number.") % {"value": raw}) from exc
    if not phonenumbers.is_valid_number(number):
        raise Refused(_("“%(value)s” is not a valid phone number.") % {"value": raw})
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _choices(pairs: dict[str, tuple[str, ...]], labels) -> dict[str, str]:
    out = {normalise_text(value): value for value, _label in labels}
    out.update({normalise_text(str(label)): value for value, label in labels})
    for value, names in pairs.items():
        out.update({normalise_text(n): value for n in names})
    return out


CHANNEL_WORDS = {
    Channel.OUTREACH: ("porte a porte", "proximite", "action de proximite", "maraude", "stand",
                       "marche", "outreach"),
    Channel.MILITANT: ("militant", "action militante"),
    Channel.INFO_CENTRE: ("point info", "accueil", "centre d'information", "permanence"),
    Channel.PEER: ("famille", "autre famille", "une autre famille", "bouche a oreille",
                   "voisin", "voisine", "ami", "amie"),
    Channel.PARTNER: ("partenaire", "assistante sociale", "assistant social", "ccas",
                      "services sociaux", "centre social", "ecole", "mairie", "caf"),
    Channel.WEB: ("internet", "site", "site web", "facebook", "reseaux sociaux", "web"),
    Channel.OTHER: ("autre", "divers"),
}  # fmt: skip
RELATION_WORDS = {
    Person.Relation.PARENT: ("parent", "pere", "mere", "papa", "maman", "responsable",
                             "adulte", "conjoint", "conjointe"),
    Person.Relation.CHILD: ("enfant", "fils", "fille", "child"),
    Person.Relation.GRANDPARENT: ("grand parent", "grand mere", "grand pere", "grandparent"),
    Person.Relation.OTHER: ("autre", "oncle", "tante", "cousin", "cousine", "other"),
}  # fmt: skip
SEX_WORDS = {
    Person.Sex.FEMALE: ("f", "femme", "feminin", "fille", "female", "woman", "w"),
    Person.Sex.MALE: ("m", "h", "homme", "masculin", "garcon", "male", "man"),
    Person.Sex.OTHER: ("autre", "other", "x"),
    Person.Sex.NOT_STATED: ("non renseigne", "non precise", "nsp", "inconnu",
                            "not stated", "unknown"),
}  # fmt: skip
# Kinds an import may carry, each written by its owning app's bulk writer.
KIND_WORDS = {
    "attendance": ("presence", "present", "presente", "atelier", "activite", "participation",
                   "attendance"),
    "outreach_contact": ("contact de proximite", "porte a porte", "rencontre", "maraude",
                         "stand", "outreach contact"),
    "info_request": ("demande d'information", "demande d information", "appel",
                     "renseignement", "information request"),
    "intake_visit": ("visite d'accueil", "visite d accueil", "premier accueil", "accueil",
                     "welcome visit"),
}  # fmt: skip


_TABLES: dict[tuple[int, str], dict[str, str]] = {}


def parse_choice(raw, words: dict, labels, what) -> str:
    from django.utils.translation import get_language

    key = (id(words), get_language() or "")
    table = _TABLES.get(key)
    if table is None:  # built once per language: the labels are translated
        table = _TABLES[key] = _choices(words, labels)
    found = table.get(normalise_text(str(raw)))
    if found is not None:
        return found
    accepted = ", ".join(sorted({str(label) for _v, label in labels}))
    raise Refused(
        _("unknown %(what)s “%(value)s”; accepted: %(accepted)s.")
        % {"what": what, "value": raw, "accepted": accepted}
    )


def parse_channel(raw) -> str:
    return parse_choice(raw, CHANNEL_WORDS, Channel.choices, _("channel"))


def parse_relation(raw) -> str:
    return parse_choice(raw, RELATION_WORDS, Person.Relation.choices, _("relation"))


def parse_sex(raw) -> str:
    return parse_choice(raw, SEX_WORDS, Person.Sex.choices, _("sex"))


def parse_kind(raw) -> str:
    from parcours.households.models import TouchpointKind

    labels = [(k, v) for k, v in TouchpointKind.choices if k in KIND_WORDS]
    return parse_choice(raw, KIND_WORDS, labels, _("kind of touchpoint"))


def parse_text(raw, max_length: int) -> str:
    """A text cell: no formula (a CSV cannot hold its result), no control character."""
    if isinstance(raw, float) and raw == int(raw):
        raw = int(raw)
    text = " ".join(str(raw).split())
    if text.startswith("="):
        raise Refused(
            _(
                "“%(value)s” is a formula, not its result: in the spreadsheet, copy the column "
                "and paste it as values."
            )
            % {"value": text[:40]}  # fmt: skip
        )
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise Refused(_("control characters in the text."))
    if len(text) > max_length:
        raise Refused(_("more than %(max)s characters.") % {"max": max_length})
    return text
