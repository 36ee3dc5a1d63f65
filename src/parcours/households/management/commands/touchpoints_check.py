"""Report touchpoints of an owned kind with no record behind them (households.ownership)."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from parcours.accounts.models import Association
from parcours.households.ownership import OWNERS, orphan_touchpoints


class Command(BaseCommand):
    help = (
        "List touchpoints of a kind owned by a record (support case, role, group membership, "
        "sponsorship, referral, visit, project, welcome visit, attendance) that no record "
        "links, or whose record is about another household: association, kind, household id, "
        "day. Exits with status 1 when some are found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--association", help="slug of one association (default: all)")

    def handle(self, *args, association=None, **options):
        with scopes_disabled():
            only = None
            if association:
                only = Association.objects.filter(slug=association).first()
                if only is None:
                    raise CommandError(f"No association with the slug {association!r}.")
            slugs = dict(Association.objects.values_list("pk", "slug"))
            found = orphan_touchpoints(association=only)
        for o in found:
            self.stdout.write(
                f"{slugs.get(o.association_id, o.association_id)}\t{o.kind}\t"
                f"household {o.household_id}\t{o.day.isoformat()}\ttouchpoint {o.touchpoint_id}"
                f"\t{o.problem}"
            )
        if found:
            raise CommandError(
                f"{len(found)} touchpoint(s) of an owned kind without their record "
                f"({len(OWNERS)} owned kinds checked)."
            )
        self.stdout.write(f"No touchpoint of the {len(OWNERS)} owned kinds lacks its record.")
