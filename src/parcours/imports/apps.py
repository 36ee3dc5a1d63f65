from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "parcours.imports"
    label = "imports"
    verbose_name = _("Import")

    def ready(self) -> None:
        from parcours.imports import tasks  # noqa: F401  (registers its background job kind)
