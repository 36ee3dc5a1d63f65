"""household_erase and person_erase on the shared two-association world."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.households import services as households
from parcours.households.models import Household, Person, Touchpoint
from parcours.journey.models import StageSpan
from parcours.privacy.models import Erasure
from parcours.privacy.services import household_erase, person_erase
from parcours.support import services as support
from tests.basis import BASIS, COVERED

pytestmark = pytest.mark.django_db


def _spans(household):
    return list(StageSpan.objects.filter(household=household).values_list("stage", "start", "end"))


def test_household_erase_clears_identifiers_and_keeps_the_journey(world):
    coordinator = world.user("coordinator")
    with scopes_disabled():
        ha = world.household_a
        households.household_update(
            actor=None, household=ha, address="12 rue des Lilas", languages=["ar"]
        )
        case = support.support_case_open(
            actor=None, household=ha, opened_on=date(2026, 1, 10), reason="Expulsion Martin"
        )
        support.support_followup_add(
            actor=None, case=case, day=date(2026, 1, 12), note="Appel Amina, 0601020304"
        )
        spans, touchpoints = _spans(ha), Touchpoint.objects.filter(household=ha).count()
        b_before = Household.objects.filter(pk=world.household_b.pk).values().get()

        result = household_erase(actor=coordinator, household=ha, reason="Demande de la famille")

        ha.refresh_from_db()
        assert ha.name == f"Foyer anonymisé {ha.pk}"
        assert (ha.phone, ha.address, ha.needs, ha.languages) == ("", "", "", [])
        assert ha.neighbourhood == "Les Tilleuls"
        person = Person.objects.get(pk=world.person_a.pk)
        assert person.first_name == f"Personne anonymisée {person.pk}"
        assert set(Touchpoint.objects.filter(household=ha).values_list("note", flat=True)) == {""}
        assert Touchpoint.objects.filter(household=ha).count() == touchpoints
        assert _spans(ha) == spans
        case.refresh_from_db()
        assert case.reason == "—"
        assert case.followups.get().note == "—"
        assert Household.objects.filter(pk=world.household_b.pk).values().get() == b_before
        record = Erasure.objects.get()
        assert (record.subject, record.object_id, record.actor) == ("household", ha.pk, coordinator)
        assert record.reason == "Demande de la famille" and record.rows == result.rows > 5
        event = AuditEvent.objects.get(action="erase", object_type="households.household")
        assert event.actor == coordinator and "households.household" in event.fields


def test_the_reason_is_required_and_must_not_name_the_family(world):
    with scopes_disabled():
        cases = (("", "Motif : indiquez"), ("Famille Martin a demandé", "ne doit pas nommer"))
        for reason, message in cases:
            with pytest.raises(ValidationError) as exc:
                household_erase(actor=None, household=world.household_a, reason=reason)
            assert message in exc.value.message_dict["reason"][0]
        world.household_a.refresh_from_db()
        assert world.household_a.name == "Famille Martin"
        assert not Erasure.objects.exists()


def test_a_note_of_another_household_naming_the_family_is_swept(world):
    with scopes_disabled():
        other = households.household_create(
            actor=None,
            association=world.a,
            name="Famille Leroy",
            needs="Voisins de Famille Martin",
            lawful_basis=BASIS,
        )
        household_erase(actor=None, household=world.household_a, reason="Fin de suivi")
        other.refresh_from_db()
        assert other.needs == "Voisins de […]"
        assert other.name == "Famille Leroy"


def test_person_erase_keeps_the_household(world):
    with scopes_disabled():
        ha = world.household_a
        amina = households.person_add(
            actor=None,
            household=ha,
            first_name="Amina",
            last_name="Ziani",
            relation="parent",
            lawful_basis=COVERED,
        )
        households.household_update(actor=None, household=ha, needs="Amina cherche un emploi")
        person_erase(actor=None, person=amina, reason="Demande de la personne")
        amina.refresh_from_db()
        ha.refresh_from_db()
        assert (amina.first_name, amina.last_name) == (f"Personne anonymisée {amina.pk}", "")
        assert ha.name == "Famille Martin" and ha.needs == "[…] cherche un emploi"
        record = Erasure.objects.get()
        assert (record.subject, record.household_id) == ("person", ha.pk)


def test_common_words_of_the_peer_login_and_first_names_are_not_swept(world):
    """Only what names the family (its name, phone, address, full names) is looked for in
    other rows: a first name alone or the peer family's login would hit everyone's notes."""
    from parcours.accounts.models import Membership

    with scopes_disabled():
        peer = Membership.objects.get(user=world.user("peer_family"))  # acts for household_a
        peer.user.first_name = "Famille"
        peer.user.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=peer.user, email="benali@example.org", verified=True)
        other = households.household_create(
            actor=None, association=world.a, name="Famille Leroy",
            needs="Accueil par une famille paire ; Amina, la voisine, aide.", lawful_basis=BASIS,
        )  # fmt: skip
        household_erase(actor=None, household=world.household_a, reason="Fin de suivi")
        other.refresh_from_db()
        assert other.needs == "Accueil par une famille paire ; Amina, la voisine, aide."
        peer.user.refresh_from_db()
        assert (peer.user.first_name, peer.user.is_active) == ("", False)
        assert not peer.user.has_usable_password()
        assert not EmailAddress.objects.filter(user=peer.user).exists()
