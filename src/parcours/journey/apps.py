from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "parcours.journey"
    verbose_name = _("Journey")

    def ready(self) -> None:
        from parcours.households import hooks
        from parcours.journey.services import JOURNEY_CONSEQUENCES

        # stage spans, status spans, then the journey rows: at their declared places in the
        # touchpoint pipeline (hooks.SPANS, STATUSES, PLACEMENT), on the shared timelines
        for order, name, consequence in JOURNEY_CONSEQUENCES:
            hooks.register(consequence, order=order, name=name, change=True)
