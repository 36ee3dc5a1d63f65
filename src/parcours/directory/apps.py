from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """The association's directory of households: finding one (search-as-you-type pickers),
    merging two duplicates, archiving, and editing or removing members."""

    name = "parcours.directory"
    verbose_name = _("Household directory")
