"""An association's own settings: its logo, its neighbourhoods, its activity types and its
contact channels. Name, default language, vocabulary and time zone are fields of
``accounts.Association`` itself (read on every request).

Activity types are the values of ``activities.Activity.category``; contact channels those of
``outreach.OutreachAction.channel``. Both are stored as a key (kept in the records) and a label
(shown). The shipped entries (``builtin``) have no label of their own until an administrator
renames them: they show the shipped name in the reader's language.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from parcours.activities.models import Activity
from parcours.outreach.models import OutreachChannel

LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000


class AssociationLogo(models.Model):
    """The association's logo, kept in the database and served only to its members."""

    association = models.OneToOneField(
        "accounts.Association", on_delete=models.CASCADE, related_name="logo"
    )
    image = models.BinaryField(_("image"))
    content_type = models.CharField(_("image type"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("logo")
        verbose_name_plural = _("logos")

    def __str__(self) -> str:
        return f"{self.association_id} {self.content_type}"


class Neighbourhood(models.Model):
    """A neighbourhood where the association works; households are placed in one of them."""

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="neighbourhoods"
    )
    name = models.CharField(_("name"), max_length=100)
    # Quartier prioritaire de la politique de la ville: the reports count these apart.
    priority = models.BooleanField(_("priority neighbourhood"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="neighbourhood_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    """One value of an association's list: a key kept in the records, a label shown."""

    BUILTIN: dict = {}

    association = models.ForeignKey(
        "accounts.Association", on_delete=models.CASCADE, related_name="+"
    )
    key = models.SlugField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=100, blank=True)
    builtin = models.BooleanField(_("shipped with Parcours"), default=False)
    active = models.BooleanField(
        _("offered in forms"),
        default=True,
        help_text=_("Records that already use it keep it either way."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ScopedManager(association="association")

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The label an administrator gave, else the shipped name in the reader's language."""
        if self.label:
            return self.label
        return str(self.BUILTIN.get(self.key, self.key))


class ActivityType(ListEntry):
    BUILTIN = dict(Activity.Category.choices)

    class Meta(ListEntry.Meta):
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        constraints = [
            models.UniqueConstraint(fields=["association", "key"], name="activity_type_unique")
        ]


class ContactChannel(ListEntry):
    BUILTIN = dict(OutreachChannel.choices)

    class Meta(ListEntry.Meta):
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        constraints = [
            models.UniqueConstraint(fields=["association", "key"], name="contact_channel_unique")
        ]
