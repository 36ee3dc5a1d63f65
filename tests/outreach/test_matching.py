"""Duplicate detection: the same family typed differently is proposed, not twinned."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from parcours.households import services as hs
from parcours.households.duplicates import (
    household_duplicates,
    normalise_name,
    normalise_phone,
    normalise_text,
)
from tests.basis import BASIS


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("06 01 02 03 04", "0601020304"),
        ("06.01.02.03.04", "0601020304"),
        ("+33 6 01 02 03 04", "0601020304"),
        ("+33 (0)6 01 02 03 04", "0601020304"),
        ("0033601020304", "0601020304"),
        ("+32 470 12 34 56", "+32470123456"),
        ("", ""),
    ],
)
def test_phone_normalisation(raw, expected):
    assert normalise_phone(raw) == expected


def test_text_and_name_normalisation():
    assert normalise_text("  Les   Tilleuls ") == "les tilleuls"
    assert normalise_text("Léon-Blum") == "leon blum"
    assert normalise_name("Famille  MARTÍN") == "martin"
    assert normalise_name("Famille") == "famille"


@pytest.fixture
def known(world):
    with scope(association=[world.a.pk]):
        yield world


def test_same_phone_in_another_format_is_a_duplicate(known):
    matches = household_duplicates(name="Dupont", phone="+33 6 01 02 03 04")
    assert [m.household for m in matches] == [known.household_a]
    assert matches[0].reasons == ["phone"]


def test_same_name_and_neighbourhood_ignoring_accents_case_spaces(known):
    matches = household_duplicates(name="famille  martin", neighbourhood="les  tilleuls")
    assert [m.household for m in matches] == [known.household_a]
    assert matches[0].reasons == ["name_neighbourhood"]
    hs.household_create(
        lawful_basis=BASIS, actor=None, association=known.a, name="Bérénice", neighbourhood="Gare"
    )
    assert household_duplicates(name="BERENICE", neighbourhood="gare")[0].household.name == (
        "Bérénice"
    )


def test_same_name_in_another_neighbourhood_is_not_a_duplicate(known):
    assert household_duplicates(name="Martin", neighbourhood="Le Centre") == []


def test_name_without_neighbourhood_is_a_weak_match(known):
    matches = household_duplicates(name="Martin")
    assert matches[0].reasons == ["name"] and not matches[0].strong


def test_another_association_is_never_matched(world):
    with scope(association=[world.b.pk]):
        assert household_duplicates(name="Martin", neighbourhood="Les Tilleuls") == []
        assert household_duplicates(name="X", phone="0601020304") == []


def test_a_creation_outside_any_scope_compares_only_its_own_association(world):
    # Commands and jobs run with scopes disabled: association A's Martin family (same name,
    # neighbourhood and phone) is no duplicate in association B and does not block the creation.
    with scopes_disabled():
        created = hs.household_create(
            lawful_basis=BASIS,
            actor=None,
            association=world.b,
            name="Martin",
            neighbourhood="Les Tilleuls",
            phone="0601020304",
        )
        found = household_duplicates(name="Martin", phone="0601020304", association=world.b)
        assert [m.household for m in found] == [created]
        found = household_duplicates(name="Martin", phone="0601020304", association=world.a)
        assert [m.household for m in found] == [world.household_a]
