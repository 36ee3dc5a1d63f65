"""The one error a journey definition can raise."""

from __future__ import annotations


class DefinitionError(ValueError):
    """A malformed journey definition or vocabulary: names the file, the key path, the reason.

    ``str(err)`` reads ``"beneficiary.toml: stages[5].condition.window_days: must be an
    integer >= 1, got 'sixty'"``.
    """

    def __init__(self, source: str, path: str, reason: str) -> None:
        self.source = source
        self.path = path
        self.reason = reason
        super().__init__(f"{source}: {path or '<root>'}: {reason}")
