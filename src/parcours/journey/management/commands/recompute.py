import time

from django.core.management.base import BaseCommand

from parcours.journey.recompute import journey_recompute


class Command(BaseCommand):
    help = "Recompute every household's stage and status spans from its touchpoints."

    def add_arguments(self, parser):
        parser.add_argument(
            "--due", action="store_true",
            help="only households whose stored journey changes by itself today",
        )  # fmt: skip

    def handle(self, *args, due=False, **options):
        started = time.perf_counter()
        n = journey_recompute(only_due=due)
        seconds = time.perf_counter() - started
        rate = n / seconds if seconds > 0 else 0.0
        self.stdout.write(
            f"{n} households recomputed in {seconds:.1f} s ({rate:,.0f} households/s)"
        )
