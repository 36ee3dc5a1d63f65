"""Writes on associations and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.text import slugify

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role


@transaction.atomic
def association_create(*, name: str, admin_username: str, admin_password: str) -> Association:
    """A new association with its first administrator."""
    User = get_user_model()
    association = Association(name=name, slug=slugify(name)[:50])
    association.full_clean()
    association.save()
    user = User(username=admin_username)
    validate_password(admin_password, user)
    user.set_password(admin_password)
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, association=association, role=Role.ADMIN)
    return association
