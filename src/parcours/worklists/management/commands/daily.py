import time

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from parcours.compliance.purge import retention_run
from parcours.core.submissions import submissions_purge
from parcours.reports.services import report_files_purge
from parcours.worklists.services import daily_run


class Command(BaseCommand):
    help = (
        "The daily run (cron): apply the retention tiers, recompute the journeys whose day "
        "has come, regenerate the tasks of the households concerned, then send the digests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-digests", action="store_true", help="do not send emails")

    def handle(self, *args, no_digests=False, **options):
        started = time.perf_counter()
        # Retention first: a household that leaves the active base today gets no new task.
        r = retention_run()
        self.stdout.write(
            f"retention: {r.warned} households to review, {r.archived} archived, "
            f"{r.anonymised} anonymised, {r.notes_blanked} notes blanked, "
            f"{r.audit_purged} audit rows purged"
        )
        purged = submissions_purge()
        self.stdout.write(f"forms: {purged} one-time tokens older than a day forgotten")
        with scopes_disabled():
            files = report_files_purge()
        self.stdout.write(f"reports: {files} kept report files past their days deleted")
        report = daily_run(digests=not no_digests)
        t = report.tasks
        self.stdout.write(
            f"{report.journeys} journeys recomputed; tasks of {t.households} households: "
            f"{t.created} created, {t.closed} closed by themselves, {t.reopened} back from "
            f"snooze; {report.digests} digests sent ({time.perf_counter() - started:.1f} s)"
        )
        # Federations: the day's figures computed now, so the first visit of the day finds them.
        from django.utils import timezone

        from parcours.federation.dashboard import refresh

        n = refresh(today=timezone.localdate())
        self.stdout.write(f"federations: figures of {n} associations computed for today")
