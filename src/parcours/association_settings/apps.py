from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _association_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from parcours.association_settings.services import defaults_ensure

        defaults_ensure(instance)


class AssociationSettingsConfig(AppConfig):
    name = "parcours.association_settings"
    verbose_name = _("Association settings")

    def ready(self):
        post_save.connect(
            _association_created,
            sender="accounts.Association",
            dispatch_uid="association_settings_defaults",
        )
