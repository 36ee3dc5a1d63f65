from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "parcours.consent"
    verbose_name = _("Consent and lawful basis")
