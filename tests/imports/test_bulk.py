"""The bulk path keeps the ownership rule: an owned kind only from its owner's module."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from parcours.households.bulk import touchpoint_rows_write
from parcours.households.models import Household, Touchpoint
from parcours.households.ownership import OwnedKindError, check_bulk_write


def test_owned_kinds_only_from_their_owner_module(association):
    with scopes_disabled():
        h = Household.objects.create(association=association, name="Famille Test")
        with pytest.raises(OwnedKindError):
            touchpoint_rows_write(
                association=association, rows=[(h.pk, date(2025, 1, 2), "attendance", None,
                                                None, None)],
            )  # fmt: skip
        with transaction.atomic():
            ids = touchpoint_rows_write(
                association=association,
                rows=[(h.pk, date(2025, 1, 2), "info_request", None, None, None)] * 2,
            )
        assert list(Touchpoint.objects.filter(household=h).values_list("id", flat=True)) == sorted(
            ids, reverse=True
        )
    check_bulk_write(kind="attendance", caller="parcours.activities.bulk")
    check_bulk_write(kind="attendance", caller="parcours.activities.services")
    with pytest.raises(OwnedKindError):
        check_bulk_write(kind="attendance", caller="parcours.imports.services")
