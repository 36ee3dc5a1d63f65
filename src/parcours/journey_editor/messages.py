"""The definition loader's messages, in the reader's language.

The engine (pure Python, no Django) raises ``DefinitionError(source, path, reason)`` with an
English reason; the editor shows that same message translated: each reason the loader can give
is matched here and rendered from a catalogue string. A reason without a match (a new one) is
shown as the loader wrote it. tests/journey_editor/test_messages.py checks that every reason
written in the engine has its pattern here.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from parcours.engine import DefinitionError

_V = r"(?P<value>.+)"
REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in [
        (r"^missing key$", _("missing key")),
        (r"^missing table$", _("missing table")),
        (r"^must be a table$", _("must be a table")),
        (r"^must be a table, got (?P<value>.+)$", _("must be a table, got %(value)s")),
        (r"^must be a string$", _("must be a string")),
        (r"^must be a non-empty string$", _("must be a non-empty string")),
        (r"^must be an array of tables$", _("must be an array of tables")),
        (r"^needs at least one stage$", _("needs at least one stage")),
        (r"^at most (?P<n>\d+) stages$", _("at most %(n)s stages")),
        (
            r"^must be an integer >= (?P<n>-?\d+), got " + _V + "$",
            _("must be an integer >= %(n)s, got %(value)s"),
        ),
        (r"^must be an integer, got " + _V + "$", _("must be an integer, got %(value)s")),
        (
            r"^must be a lowercase identifier, got " + _V + "$",
            _("must be a lowercase identifier, got %(value)s"),
        ),
        (
            r"^must be one of (?P<allowed>.+), got " + _V + "$",
            _("must be one of %(allowed)s, got %(value)s"),
        ),
        (r"^must be (?P<n>\d+), got " + _V + "$", _("must be %(n)s, got %(value)s")),
        (
            r"^stages must be listed in strictly increasing order$",
            _("stages must be listed in strictly increasing order"),
        ),
        (r"^duplicate stage key " + _V + "$", _("duplicate stage key %(value)s")),
        (r"^duplicate status key " + _V + "$", _("duplicate status key %(value)s")),
        (r"^duplicate task key " + _V + "$", _("duplicate task key %(value)s")),
        (r"^unknown stage key " + _V + "$", _("unknown stage key %(value)s")),
        (r"^unknown stage key$", _("unknown stage key")),
        (r"^unknown status key " + _V + "$", _("unknown status key %(value)s")),
        (r"^unknown status key$", _("unknown status key")),
        (r"^unknown touchpoint kind " + _V + "$", _("unknown touchpoint kind %(value)s")),
        (
            r"^stage (?P<value>.+) must come before this one$",
            _("stage %(value)s must come before this one"),
        ),
        (
            r"^unknown condition type (?P<value>.+) \(known: (?P<allowed>.+)\)$",
            _("unknown condition type %(value)s (known: %(allowed)s)"),
        ),
        (r"^unknown key \(allowed: (?P<allowed>.+)\)$", _("unknown key (allowed: %(allowed)s)")),
        (
            r"^must be a non-empty list of conditions$",
            _("must be a non-empty list of conditions"),
        ),
        (
            r"^must be a non-empty list of touchpoint kinds$",
            _("must be a non-empty list of touchpoint kinds"),
        ),
        (
            r"^must be an array of touchpoint kinds$",
            _("must be an array of touchpoint kinds"),
        ),
        (r"^must be an array of status keys$", _("must be an array of status keys")),
        (
            r"^a status cannot exclude itself \((?P<value>.+)\)$",
            _("a status cannot exclude itself (%(value)s)"),
        ),
        (r"^word keys differ between languages$", _("word keys differ between languages")),
        (r"^invalid TOML: (?P<value>.+)$", _("invalid TOML: %(value)s")),
        (r"^cannot read: (?P<value>.+)$", _("cannot read: %(value)s")),
    ]
]


def reason_text(reason: str) -> str:
    """The loader's reason, translated (as written when no pattern matches)."""
    for pattern, message in REASONS:
        match = pattern.match(reason)
        if match:
            return gettext(message) % match.groupdict()
    return reason


def error_text(error: DefinitionError) -> str:
    """``beneficiary.toml : stages[5].condition.window_days : doit être un entier >= 1, reçu 0``:
    the loader's message, translated."""
    return gettext("%(source)s: %(path)s: %(reason)s") % {
        "source": error.source,
        "path": error.path or "<root>",
        "reason": reason_text(error.reason),
    }
