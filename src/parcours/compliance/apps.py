from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "parcours.compliance"
    verbose_name = _("Data protection")
