from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    verbose_name = _("Accounts and associations")

    def ready(self):
        from parcours.accounts import signin  # noqa: F401  (connects the sign-in audit receivers)
