"""The data stamp of an association: a token that changes with every write the dashboard reads.

The measures' inputs and results are cached per process (:mod:`parcours.analytics.cache`),
keyed by this token. The database itself changes it: triggers on every table the dashboard
reads (:mod:`parcours.analytics.stamps`) set a new random token in the transaction that
writes, whatever the writer (the ORM, bulk writers, raw SQL, COPY, cascades, the admin).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataStamp(models.Model):
    # no foreign key: the triggers may stamp an association while it is being deleted
    association_id = models.BigIntegerField(_("association"), primary_key=True)
    token = models.BigIntegerField(_("token"), default=0)
    # PostgreSQL: the transaction that set the token (it changes once per transaction)
    xact = models.BigIntegerField(_("transaction"), null=True, editable=False)

    class Meta:
        verbose_name = _("analytics data stamp")
        verbose_name_plural = _("analytics data stamps")

    def __str__(self) -> str:
        return f"{self.association_id}: {self.token}"
