"""A report file prepared in the background and kept for download.

One per association, period, filters, format, language and audience: asking for it again
replaces it, and it is deleted after ``PARCOURS_REPORT_FILE_DAYS`` days (``report_files_purge``,
run by the daily run and whenever a file is made). It holds aggregates only (the export
audience: small counts hidden, no name), and the relapse section only when made for a member
who may learn of support: such a file is only given to such members.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportFile(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", _("report (PDF)")
        XLSX = "xlsx", _("tables (XLSX)")

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    # The filters beyond the period, as the report page's query string (sorted, normalised).
    filters = models.CharField(_("filters"), max_length=500, blank=True)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8)
    with_support = models.BooleanField(_("with the support figures"), default=False)
    name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(default=b"")
    job = models.ForeignKey(
        "background.BackgroundJob", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("asked by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["association", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]
