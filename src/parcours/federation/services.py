"""Writes on federations: the site operator's (``parcours manage federation ...``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.accounts.models import Association, Membership
from parcours.federation.models import Federation, FederationMember, FederationViewer


def federation_create(*, name: str, slug: str = "") -> Federation:
    federation = Federation(name=name, slug=slug or slugify(name)[:50])
    federation.full_clean()
    federation.save()
    return federation


@transaction.atomic
def associations_add(*, federation: Federation, slugs: list[str]) -> list[Association]:
    found = {a.slug: a for a in Association.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise ValidationError(_("No association named %(slugs)s.") % {"slugs": ", ".join(missing)})
    for slug in slugs:
        FederationMember.objects.get_or_create(federation=federation, association=found[slug])
    return [found[s] for s in slugs]


def association_remove(*, federation: Federation, slug: str) -> int:
    return FederationMember.objects.filter(federation=federation, association__slug=slug).delete()[
        0
    ]


@transaction.atomic
def viewer_add(*, federation: Federation, username: str, password: str | None = None):
    """Give ``username`` the federation role, creating the account when ``password`` is given.

    A federation viewer belongs to no association: an account with an association membership
    is refused (it would otherwise carry a member's access and a federation's at once)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        if password is None:
            raise ValidationError(_("No account named %(name)s.") % {"name": username})
        user = User(username=username)
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif Membership.objects.filter(user=user).exists():
        raise ValidationError(
            _("%(name)s is a member of an association: a federation viewer belongs to none.")
            % {"name": username}
        )
    viewer, _created = FederationViewer.objects.get_or_create(user=user, federation=federation)
    if not viewer.is_active:
        viewer.is_active = True
        viewer.save(update_fields=["is_active"])
    return viewer


def viewer_remove(*, federation: Federation, username: str) -> int:
    return FederationViewer.objects.filter(federation=federation, user__username=username).update(
        is_active=False
    )
