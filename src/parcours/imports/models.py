from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class ColumnMemory(models.Model):
    """The association's last column mapping: file header (normalised) -> target field."""

    association = models.OneToOneField(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")

    def __str__(self) -> str:
        return f"{self.association_id}: {len(self.columns)}"


class ImportFile(models.Model):
    """One file on its way through the import: uploaded, mapped, checked, imported.

    Its content is kept only until it is imported or abandoned (then erased): it holds the
    families' personal data."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        DONE = "done", _("imported")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    filename = models.CharField(_("file"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(default=b"")
    layout = models.JSONField(default=dict)
    mapping = models.JSONField(default=list)
    region = models.CharField(max_length=2, default="FR")
    # the lawful basis the families are recorded on: basis, day (ISO), purposes, collected by
    lawful_basis = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    report = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename
