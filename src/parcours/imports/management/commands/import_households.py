"""`parcours manage import_households FILE --association SLUG [--dry-run]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from parcours.consent.basis import Basis
from parcours.consent.models import LawfulBasis
from parcours.imports import services
from parcours.imports.management.committing import commit_and_report
from parcours.imports.reading import FileRefused
from parcours.imports.values import REGIONS, Refused, parse_date


class Command(BaseCommand):
    help = (
        "Import households, persons and historic touchpoints from a CSV or XLSX file, all or "
        "nothing. Errors are listed by line and column; with --dry-run nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--association", required=True, help="the association's slug")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--region", default="FR", choices=sorted(REGIONS),
                            help="country of phone numbers written without +CC")  # fmt: skip
        parser.add_argument("--basis", default=LawfulBasis.CONSENT, choices=LawfulBasis.values,
                            help="lawful basis the families were recorded on")  # fmt: skip
        parser.add_argument("--consent-day", default="",
                            help="day the families agreed (31/12/2024); default today")  # fmt: skip
        parser.add_argument("--duplicates", default="ask", choices=["ask", "create", "skip"],
                            help="households that look like known ones: refuse (ask), "
                                 "create anyway or skip")  # fmt: skip
        parser.add_argument("--user", default="", help="login recorded as the importer")
        parser.add_argument("--language", default="fr", help="language of the messages")

    def handle(self, *args, **o):
        with translation.override(o["language"]), scopes_disabled():
            return self._run(o)

    def _run(self, o):
        from django.contrib.auth import get_user_model

        from parcours.accounts.models import Association

        association = Association.objects.filter(slug=o["association"]).first()
        if association is None:
            raise CommandError(f"no association {o['association']!r}")
        actor = None
        if o["user"]:
            actor = get_user_model().objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"no user {o['user']!r}")
        from parcours.imports.models import ColumnMemory

        memory = ColumnMemory.objects.filter(association=association).first()
        try:
            layout, plan = services.read_plan(
                o["file"], remembered=memory.columns if memory else None, region=o["region"]
            )
        except FileRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(layout.describe())
        for p in plan.problems:
            where = f"ligne {p.line}, " if p.line else ""
            self.stdout.write(f"{where}colonne « {p.column} », « {p.value} » : {p.reason}")
        if not plan.ok:
            raise CommandError(services.refusal_text(plan))
        matches = services.duplicates(plan, association=association)
        self.stdout.write(str(plan.counts()))
        if o["dry_run"]:
            for key, found in matches.items():
                self.stdout.write(
                    f"{plan.households[key].name}: {len(found)} doublon(s) possible(s)"
                )
            self.stdout.write("dry run: nothing written")
            return
        if matches and o["duplicates"] == "ask":
            names = ", ".join(plan.households[k].name for k in list(matches)[:10])
            raise CommandError(
                f"{len(matches)} households look like known ones ({names}…): "
                "choose --duplicates create or skip, or import in the browser to decide each."
            )
        decisions = {k: o["duplicates"] for k in matches}
        try:
            day = parse_date(o["consent_day"]) if o["consent_day"] else timezone.localdate()
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        basis = Basis(o["basis"], day, frozenset({"follow_up"}))
        self.stdout.write("écriture (tout ou rien)…")
        self.stdout.flush()
        commit_and_report(
            self.stdout, actor=actor, association=association, plan=plan, decisions=decisions,
            basis=basis,
        )  # fmt: skip
