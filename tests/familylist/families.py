"""A few households of association A spread over stages, statuses, sponsors and groups, for the
family list and export tests (with world.household_a, "Famille Martin")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.activities.models import Activity
from parcours.community import services as community
from parcours.households import services
from parcours.support.services import support_case_open
from tests.basis import BASIS
from tests.journal import log_touchpoint


@dataclass
class Families:
    martin: object
    alpha: object
    beta: object
    gamma: object
    cafe: object
    choir: object
    group: object
    sponsor: object  # the volunteer user sponsoring Alpha


def build_families(world) -> Families:
    today = timezone.localdate()
    a = world.a
    with scopes_disabled():
        cafe = Activity.objects.get(association=a, name="Café des parents")
        choir = Activity.objects.create(association=a, name="Chorale", category="activity")

        def household(name, neighbourhood, **extra):
            return services.household_create(
                lawful_basis=BASIS,
                actor=None,
                association=a,
                name=name,
                neighbourhood=neighbourhood,
                **extra,
            )

        alpha = household("Famille Alpha", "Centre", phone="0611111111")
        log_touchpoint(
            household=alpha, day=today - timedelta(days=10), kind="attendance", activity=cafe
        )
        sponsor = world.user("volunteer")
        sponsor.first_name, sponsor.last_name = "Valérie", "Bénévole"
        sponsor.save()
        community.sponsorship_start(
            actor=None, household=alpha, start=today - timedelta(days=5), sponsor_user=sponsor
        )
        group = community.group_create(actor=None, association=a, name="Groupe du jeudi")
        community.group_join(
            actor=None, group=group, household=alpha, start=today - timedelta(days=4)
        )

        # Only the association wrote to Beta: a newsletter is no contact from the family.
        beta = household("Famille Beta", "Gare")
        log_touchpoint(household=beta, day=today - timedelta(days=3), kind="communication")

        # Gamma came long ago, then a support case opened (sensitive roles only learn of it).
        gamma = household("=Famille Gamma", "Centre", needs="Dettes de loyer")
        log_touchpoint(household=gamma, day=today - timedelta(days=400), kind="outreach_contact")
        log_touchpoint(
            household=gamma, day=today - timedelta(days=390), kind="attendance", activity=choir
        )
        support_case_open(
            actor=None, household=gamma, opened_on=today - timedelta(days=20), reason="Impayés"
        )
    return Families(world.household_a, alpha, beta, gamma, cafe, choir, group, sponsor)
