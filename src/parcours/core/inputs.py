"""What a value typed or sent by a user may hold, whatever form or filter it goes to.

One set of rules, used by the form base classes (parcours.core.forms), by the request guard
for filters and raw POST values (parcours.core.middleware) and by views that read a query
parameter themselves (`day_param`). Every message names the field, in the user's language.

- No NUL byte, no other control character (tabs and line breaks only in multi-line text).
- No invisible characters (zero-width space, word joiner, byte-order mark, soft hyphen,
  bidirectional overrides): they make two names look alike and defeat the duplicate check.
  Zero-width joiners are kept after a non-ASCII letter, where scripts and emoji need them.
- Text has a length limit (SHORT_TEXT, LONG_TEXT unless the field sets its own).
- Dates lie between 1 January 1900 and a few years ahead (DATE_MIN, DATE_MAX_YEARS).
- Whole numbers fit the database's 64-bit integers (a field bound to a smaller column says so).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

SHORT_TEXT = 300  # a name, a place, a subject: one line
LONG_TEXT = 10_000  # a note: about four pages
PARAM_TEXT = 500  # a query parameter (search, filter)
DATE_MIN = date(1900, 1, 1)
DATE_MAX_YEARS = 5  # a review, an appointment, a schedule's end: at most five years ahead
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_BAD_LONG = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_BAD_SHORT = re.compile(f"[{_CONTROL}\t\n\r{_INVISIBLE}]")
_JOINERS = re.compile("[\u200c\u200d]")


def _name(label) -> str:
    return capfirst(str(label))


def _what(char: str) -> str:
    if char == "\x00":
        return _("a NUL byte")
    if char in "\t\n\r":
        return _("a line break or a tab")
    if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
        return _("a control character")
    return _("an invisible character (U+%(code)04X)") % {"code": ord(char)}


def bad_character(value: str, *, multiline: bool) -> str | None:
    """The first character a text may not hold, or None."""
    found = (_BAD_LONG if multiline else _BAD_SHORT).search(value)
    if found:
        return found.group()
    for joiner in _JOINERS.finditer(value):
        i = joiner.start()
        if i == 0 or value[i - 1].isascii():
            return joiner.group()
    return None


def check_text(value, *, label, multiline: bool = False, max_length: int | None = None) -> None:
    """Raise ValidationError naming the field if the text holds a forbidden character or is
    longer than max_length (SHORT_TEXT or LONG_TEXT by default)."""
    if not isinstance(value, str) or not value:
        return
    char = bad_character(value, multiline=multiline)
    if char is not None:
        raise ValidationError(
            _("%(field)s: remove %(what)s, it cannot be saved.")
            % {"field": _name(label), "what": _what(char)},
            code="bad_character",
        )
    limit = max_length or (LONG_TEXT if multiline else SHORT_TEXT)
    if len(value) > limit:
        raise ValidationError(
            _("%(field)s: at most %(max)s characters (this one has %(length)s).")
            % {"field": _name(label), "max": f"{limit:,}".replace(",", " "),
               "length": f"{len(value):,}".replace(",", " ")},
            code="too_long",
        )  # fmt: skip


def date_bounds(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return DATE_MIN, date(today.year + DATE_MAX_YEARS, 12, 31)


def check_date(value, *, label, bounds: tuple[date, date] | None = None) -> None:
    """Raise ValidationError naming the field if the date is outside the plausible range."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    low, high = bounds or date_bounds()
    if not low <= day <= high:
        raise ValidationError(
            _("%(field)s: enter a date between %(min)s and %(max)s.")
            % {"field": _name(label), "min": date_format(low, "SHORT_DATE_FORMAT"),
               "max": date_format(high, "SHORT_DATE_FORMAT")},
            code="implausible_date",
        )  # fmt: skip


def check_int(value, *, label, low: int = INT_MIN, high: int = INT_MAX) -> None:
    if value is not None and not low <= value <= high:
        raise ValidationError(
            _("%(field)s: enter a number between %(min)s and %(max)s.")
            % {"field": _name(label), "min": low, "max": high},
            code="out_of_range",
        )


def day_param(query, name: str, *, label, default: date) -> tuple[date, str | None]:
    """A date read from a query parameter: (the day, None) or (default, the error message)."""
    raw = query.get(name, "")
    if not raw:
        return default, None
    try:
        day = date.fromisoformat(raw)
        check_date(day, label=label)
    except ValueError:
        return default, _("%(field)s: enter a date as YYYY-MM-DD.") % {"field": _name(label)}
    except ValidationError as exc:
        return default, exc.messages[0]
    return day, None
