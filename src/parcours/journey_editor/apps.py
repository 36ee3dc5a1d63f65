from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyEditorConfig(AppConfig):
    name = "parcours.journey_editor"
    verbose_name = _("Journey editor")

    def ready(self) -> None:
        from parcours.journey_editor import checks, tasks  # noqa: F401  (registers both)
