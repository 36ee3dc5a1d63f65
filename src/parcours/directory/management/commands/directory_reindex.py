"""Rebuild the pickers' search words of every household (after a bulk import or a restore of
a backup taken before parcours.directory)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from parcours.directory.search import index_households
from parcours.households.models import Household

CHUNK = 2000


class Command(BaseCommand):
    help = "Rebuild the household pickers' search words."

    def handle(self, *args, **options):
        with scopes_disabled():
            ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
            words = 0
            for i in range(0, len(ids), CHUNK):
                with transaction.atomic():
                    words += index_households(ids[i : i + CHUNK])
        self.stdout.write(f"{len(ids)} households, {words} search words.")
