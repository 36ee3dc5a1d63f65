from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "parcours.journey"
    verbose_name = _("Journey")

    def ready(self) -> None:
        from parcours.households import hooks
        from parcours.journey.services import journey_refresh

        hooks.register(journey_refresh)
