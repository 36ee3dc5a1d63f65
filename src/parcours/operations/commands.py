"""What `parcours backup` and `parcours restore` say and ask, in the operator's language."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from parcours.operations import backup as backups
from parcours.operations.errors import OperationError


def operator_language() -> str:
    """The operator's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else the site's."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(var, "")[:2].lower()
        if code in dict(settings.LANGUAGES):
            return code
    return settings.LANGUAGE_CODE


def backup(output: str | None) -> int:
    with translation.override(operator_language()):
        try:
            path = backups.take(output or None)
        except OperationError as error:
            print(_("Backup failed: %(error)s") % {"error": error}, file=sys.stderr)
            return 1
        size = path.stat().st_size / 1e6
        print(_("Backup written: %(path)s (%(size).1f MB).") % {"path": path, "size": size})
        print(_("It holds personal data: keep it private (mode 0600) and encrypted at rest."))
    return 0


def _confirmed(path: str) -> bool:
    if not sys.stdin.isatty():
        print(_("Restore replaces the whole database: add --force to confirm."), file=sys.stderr)
        return False
    question = _(
        "Replace the whole database %(name)s by the backup %(path)s? "
        "Stop the server and the worker first. Type yes to confirm: "
    ) % {"name": backups.describe_current(), "path": path}
    if input(question).strip().lower() in {"yes", _("yes")}:
        return True
    print(_("Nothing restored."))
    return False


def restore(path: str, *, force: bool) -> int:
    with translation.override(operator_language()):
        if not force and not _confirmed(path):
            return 2
        try:
            manifest = backups.restore(Path(path))
        except OperationError as error:
            print(
                _("Restore failed, nothing changed: %(error)s") % {"error": error}, file=sys.stderr
            )
            return 1
        print(_("Restored the backup of %(created)s.") % {"created": manifest["created"]})
        pending = backups.pending_migrations()
        if pending:
            print(
                _(
                    "The backup predates this version: %(count)s migrations to apply. Run "
                    "`parcours manage migrate`, then `parcours recompute`."
                )
                % {"count": len(pending)}
            )
            return 3
        print(_("Migrations: up to date."))
    return 0
