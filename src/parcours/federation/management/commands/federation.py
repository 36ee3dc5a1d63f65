"""The site operator's federations: create one, add or remove associations and viewers.

parcours manage federation create "Réseau du Nord" [--slug nord]
parcours manage federation add nord familles-solidaires-de-lille [other-slug...]
parcours manage federation remove nord familles-solidaires-de-lille
parcours manage federation viewer nord claire [--create]     # asks a password with --create
parcours manage federation viewer-remove nord claire
parcours manage federation list
"""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parcours.federation import services
from parcours.federation.models import Federation


class Command(BaseCommand):
    help = "Federations of associations: create, add or remove associations and viewers, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a federation")
        create.add_argument("name")
        create.add_argument("--slug", default="")
        add = sub.add_parser("add", help="add associations (by short name) to a federation")
        add.add_argument("federation")
        add.add_argument("associations", nargs="+")
        remove = sub.add_parser("remove", help="remove an association from a federation")
        remove.add_argument("federation")
        remove.add_argument("association")
        viewer = sub.add_parser("viewer", help="give an account the federation role")
        viewer.add_argument("federation")
        viewer.add_argument("username")
        viewer.add_argument("--create", action="store_true", help="create the account")
        gone = sub.add_parser("viewer-remove", help="take the federation role away")
        gone.add_argument("federation")
        gone.add_argument("username")
        sub.add_parser("list", help="federations, their associations and viewers")

    def _federation(self, slug: str) -> Federation:
        try:
            return Federation.objects.get(slug=slug)
        except Federation.DoesNotExist:
            raise CommandError(f"No federation {slug!r}.") from None

    def handle(self, *args, verb, **o):
        try:
            getattr(self, "_" + verb.replace("-", "_"))(**o)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _create(self, *, name, slug, **_):
        f = services.federation_create(name=name, slug=slug)
        self.stdout.write(f"Created federation {f.name} ({f.slug})")

    def _add(self, *, federation, associations, **_):
        f = self._federation(federation)
        added = services.associations_add(federation=f, slugs=associations)
        self.stdout.write(f"{f.slug}: {', '.join(a.slug for a in added)} added")

    def _remove(self, *, federation, association, **_):
        n = services.association_remove(federation=self._federation(federation), slug=association)
        self.stdout.write(f"{association} removed" if n else f"{association} was not a member")

    def _viewer(self, *, federation, username, create, **_):
        f = self._federation(federation)
        password = getpass.getpass(f"Password of {username}: ") if create else None
        services.viewer_add(federation=f, username=username, password=password)
        self.stdout.write(f"{username} views {f.slug}")

    def _viewer_remove(self, *, federation, username, **_):
        n = services.viewer_remove(federation=self._federation(federation), username=username)
        self.stdout.write(f"{username} no longer views {federation}" if n else "no such viewer")

    def _list(self, **_):
        for f in Federation.objects.order_by("slug"):
            members = ", ".join(f.associations.order_by("slug").values_list("slug", flat=True))
            viewers = ", ".join(
                f.viewers.filter(is_active=True)
                .order_by("user__username")
                .values_list("user__username", flat=True)
            )
            self.stdout.write(f"{f.slug}\t{f.name}\tassociations: {members}\tviewers: {viewers}")
