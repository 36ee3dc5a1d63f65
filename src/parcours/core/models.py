from __future__ import annotations

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """A form's one-time submission token, consumed by the request that wrote something.

    parcours.core.submissions: a second POST of the same token (a double click, a resent
    form) writes nothing and gets the first one's answer. Holds no personal data; rows older
    than a day are removed as new ones come.
    """

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.token} {self.path} {self.status}"
