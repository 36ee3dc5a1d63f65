import time

from django.core.management.base import BaseCommand

from parcours.journey.recompute import journey_recompute, recompute_all


class Command(BaseCommand):
    help = (
        "Recompute every household's stage and status spans, placement and tasks from its "
        "touchpoints, in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--due", action="store_true",
            help="only households whose stored journey changes by itself today (no tasks)",
        )  # fmt: skip

    def handle(self, *args, due=False, **options):
        started = time.perf_counter()
        if due:
            n = journey_recompute(only_due=True)
            tasks = ""
        else:
            report = recompute_all()
            n = report.households
            t = report.tasks
            tasks = (
                f"; tasks: {t.created} created, {t.closed} closed, {t.reopened} reopened"
                if t is not None
                else ""
            )
        seconds = time.perf_counter() - started
        rate = n / seconds if seconds > 0 else 0.0
        self.stdout.write(
            f"{n} households recomputed in {seconds:.1f} s ({rate:,.0f} households/s){tasks}"
        )
