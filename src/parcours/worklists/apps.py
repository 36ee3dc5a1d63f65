from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistsConfig(AppConfig):
    name = "parcours.worklists"
    verbose_name = _("Worklists")

    def ready(self) -> None:
        from parcours.households import hooks
        from parcours.worklists.services import tasks_after_touchpoints

        # Registered after the journey's own callback (INSTALLED_APPS order): the stored
        # journey is already up to date when the household's tasks are regenerated.
        hooks.register(tasks_after_touchpoints)
