"""PARCOURS_JOURNEY names the shipped journey new associations start from."""

from __future__ import annotations

from django.test import override_settings

from parcours.accounts.services import association_create
from parcours.journey.definitions import definition_for
from parcours.journey_editor.checks import shipped_journey


def test_a_new_association_starts_from_the_configured_journey(db):
    with override_settings(PARCOURS_JOURNEY="beneficiary"):
        association = association_create(
            name="Les Lucioles", admin_username="sophie", admin_password="un-mot-de-passe-2026"
        )
    assert association.journey == "beneficiary"
    assert definition_for(association).key == "beneficiary"


def test_manage_check_refuses_a_journey_that_is_not_shipped():
    with override_settings(PARCOURS_JOURNEY="beneficiary"):
        assert shipped_journey(None) == []
    with override_settings(PARCOURS_JOURNEY="nowhere"):
        (error,) = shipped_journey(None)
    assert error.id == "parcours.E001" and "'nowhere'" in error.msg and "beneficiary" in error.msg
