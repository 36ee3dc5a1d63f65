from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "parcours.core"
    label = "core"
    verbose_name = _("Shared input checks")

    def ready(self):
        from django.db.models.signals import post_save

        from parcours.audit.models import AuditEvent
        from parcours.core.submissions import audit_written

        post_save.connect(audit_written, sender=AuditEvent, dispatch_uid="core.submission_wrote")
