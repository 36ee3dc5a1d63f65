from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "parcours.analytics"
    verbose_name = _("Journey analytics")

    def ready(self) -> None:
        from parcours.analytics.stamps import on_connection, reinstall

        post_migrate.connect(reinstall, dispatch_uid="parcours.analytics.stamps")
        connection_created.connect(on_connection, dispatch_uid="parcours.analytics.wrapper")
