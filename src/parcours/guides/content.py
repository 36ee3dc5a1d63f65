"""The per-role guides: Markdown files in content/<language>/<role>.md, shipped with Parcours.

Each guide exists in French (the reference) and English; a guide missing in the reader's
language falls back to French. The files are the project's own, so their HTML is trusted.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import markdown

from parcours.accounts.roles import Role

LANGUAGES = ("fr", "en")
FALLBACK = "fr"


def _path(language: str, role: str):
    return resources.files("parcours.guides") / "content" / language / f"{role}.md"


@lru_cache(maxsize=32)
def guide_html(role: str, language: str) -> str:
    """The guide of a role, as HTML, in the language if it exists there, else in French."""
    if role not in Role.values:
        raise KeyError(role)
    lang = language if language in LANGUAGES and _path(language, role).is_file() else FALLBACK
    text = _path(lang, role).read_text(encoding="utf-8")
    return markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
