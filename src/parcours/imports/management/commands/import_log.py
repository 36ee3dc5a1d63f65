"""`parcours import-log FILE --mapping M.toml --association SLUG [--dry-run]`
(also `parcours manage import_log ...`): an event log into a customer-journey association."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from parcours.consent.basis import Basis
from parcours.consent.models import LawfulBasis
from parcours.imports import services
from parcours.imports.logplan import MappingRefused, build_log_plan, read_mapping
from parcours.imports.logreading import read_log
from parcours.imports.management.committing import commit_and_report
from parcours.imports.reading import limit


class Command(BaseCommand):
    help = (
        "Import an event log (XES, or CSV of case, activity and timestamp) into an association "
        "that uses the customer vocabulary, its activities mapped to touchpoint kinds by a TOML "
        "file (docs/event-logs.md). All or nothing; errors by line, field and reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mapping", required=True, help="the TOML mapping file")
        parser.add_argument("--association", required=True, help="the association's slug")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--basis", default=LawfulBasis.CONSENT, choices=LawfulBasis.values,
                            help="lawful basis the customers are recorded on")  # fmt: skip
        parser.add_argument(
            "--duplicates", default="ask", choices=["ask", "link", "skip"],
            help="cases already recorded as households: refuse (ask), add the log's events to "
                 "them (link) or leave them (skip)",
        )  # fmt: skip
        parser.add_argument("--user", default="", help="login recorded as the importer")
        parser.add_argument("--language", default="fr", help="language of the messages")

    def handle(self, *args, **o):
        with translation.override(o["language"]), scopes_disabled():
            return self._run(o)

    def _association(self, slug: str):
        from parcours.accounts.models import Association

        association = Association.objects.filter(slug=slug).first()
        if association is None:
            raise CommandError(f"no association {slug!r}")
        if association.vocabulary != "customer":
            raise CommandError(
                translation.gettext(
                    "The association “%(slug)s” follows families (beneficiary vocabulary): an "
                    "event log goes into an association that uses the customer vocabulary."
                )
                % {"slug": slug}
            )
        return association

    def _run(self, o):
        from django.contrib.auth import get_user_model

        association = self._association(o["association"])
        actor = None
        if o["user"]:
            actor = get_user_model().objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"no user {o['user']!r}")
        try:
            mapping = read_mapping(Path(o["mapping"]))
        except MappingRefused as exc:
            raise CommandError(str(exc)) from exc
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        if path.stat().st_size > limit("max_bytes") * 4:  # XES is verbose: four times a CSV's
            raise CommandError(translation.gettext("The file is too large to be imported."))
        log = build_log_plan(read_log(path), mapping, max_rows=limit("max_rows"))
        plan = log.plan
        for p in plan.problems:
            where = translation.gettext("line %(line)s, ") % {"line": p.line} if p.line else ""
            value = f" « {p.value} »" if p.value else ""
            self.stdout.write(f"{where}{p.column}{value} : {p.reason}")
        if not plan.ok:
            raise CommandError(services.refusal_text(plan))
        self.stdout.write(
            f"{log.events} events, {len(log.cases)} cases, {log.ignored} ignored; {plan.counts()}"
        )
        matches = services.duplicates(plan, association=association)
        if o["dry_run"]:
            self.stdout.write(f"{len(matches)} cases already recorded; dry run: nothing written")
            return
        if matches and o["duplicates"] == "ask":
            names = ", ".join(plan.households[k].name for k in list(matches)[:10])
            raise CommandError(
                f"{len(matches)} cases look like known households ({names}…): "
                "choose --duplicates link or skip."
            )
        decisions = {
            k: f"link:{found[0].household.pk}" if o["duplicates"] == "link" else "skip"
            for k, found in matches.items()
        }
        basis = Basis(o["basis"], timezone.localdate(), frozenset({"follow_up"}))
        commit_and_report(
            self.stdout, actor=actor, association=association, plan=plan, decisions=decisions,
            basis=basis,
        )  # fmt: skip
