from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class AuditEvent(models.Model):
    """Who did what, when: changes to personal data, sign-ins, reads of sensitive pages, exports.

    Field names only, never the values (they may be sensitive). An event about no single record
    (a sign-in, a list page, an export) has no object id.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        ERASE = "erase", _("erased")
        EXPORT = "export", _("exported")
        PLACE = "place", _("placed manually")
        VIEW = "view", _("read")
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOGOUT = "logout", _("signed out")
        MFA_RESET = "mfa_reset", _("two-factor authentication reset")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    # The household the event concerns, when there is one: the log is read per family too.
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["association", "object_type", "object_id"]),
            models.Index(fields=["association", "-at"], name="audit_assoc_at"),
        ]

    def __str__(self) -> str:
        target = f"{self.object_type}#{self.object_id}" if self.object_id else self.object_type
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {target}".rstrip()
