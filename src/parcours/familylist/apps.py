from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilyListConfig(AppConfig):
    name = "parcours.familylist"
    verbose_name = _("Family list")
