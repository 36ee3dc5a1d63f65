import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parcours.accounts.services import association_create


class Command(BaseCommand):
    help = "Create an association and its first administrator."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the association's name")
        parser.add_argument("admin_username", help="login of its first administrator")

    def handle(self, *args, name, admin_username, **options):
        password = getpass.getpass("Password of the administrator: ")
        try:
            association = association_create(
                name=name, admin_username=admin_username, admin_password=password
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Created {association.name} ({association.slug}) with {admin_username}")
