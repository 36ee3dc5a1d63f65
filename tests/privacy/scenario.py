"""The erasure acceptance scenario, run in its own process on a database file or a PG database.

`prepare`: migrate, seed a generated association, plant a unique marker in every free-text
field of every household's rows (the subject's last, so rows it shares carry its markers), and
give the subject the peer family's login. `erase`: compute the dashboard's measures, snapshot
every row, export the subject, erase it, and compare. Each prints one JSON line; the test
(tests/privacy/test_acceptance.py) asserts on it and scans the database's bytes.

Run as `python -m tests.privacy.scenario <prepare|erase> <work dir>` with DATABASE_URL set.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

HOUSEHOLDS = 40
END = date(2026, 11, 1)
PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),
    (date(2025, 11, 2), END),
    (date(2024, 11, 1), END),
]


def _marker(n: int) -> str:
    """ASCII (JSON on SQLite escapes non-ASCII), not a machine code, never inside another."""
    return f"Zq{n:06d}Xk"


def _planted_value(field, current, marker):
    from django.db import models

    if isinstance(field, models.JSONField):
        if isinstance(current, dict):
            return {**current, "planted": marker}
        return [*(current or []), marker]
    return marker


def _owning_rows(household_id: int):
    """(model, queryset) of the rows that belong to the household, by the registry's links."""
    from parcours.households.models import Household
    from parcours.privacy import registry

    yield Household, Household._base_manager.filter(pk=household_id)
    for link in registry.all_links():
        if link.reference_only:
            continue
        path = link.path if link.target == registry.HOUSEHOLD else f"{link.path}__household"
        yield link.model, link.model._base_manager.filter(**{path: household_id})


def _plant(household_id: int, counter: list[int], out: dict[str, dict]) -> set[str]:
    """Plant markers in every free-text field of the household's rows; returns covered links."""
    from parcours.privacy import registry

    covered = set()
    for model, qs in _owning_rows(household_id):
        fields = registry.free_text_fields(model)
        for row in qs.distinct():
            covered.add(model._meta.label_lower)
            for field in fields:
                counter[0] += 1
                marker = _marker(counter[0])
                setattr(
                    row, field.attname, _planted_value(field, getattr(row, field.attname), marker)
                )
                out[marker] = {
                    "household": household_id,
                    "where": f"{model._meta.label_lower}.{field.name}",
                    "row": f"{model._meta.label_lower}#{row.pk}",
                }
            if fields:
                row.save(update_fields=[f.name for f in fields])
    return covered


def _coverage(household_id: int) -> set[str]:
    return {m._meta.label_lower for m, qs in _owning_rows(household_id) if qs.exists()}


def _top_up(subject, other) -> None:
    """Rows of the kinds the generated history did not give the subject, through the services
    where they exist (they write the touchpoints too), before any figure is computed."""
    from parcours.accounts.models import Membership
    from parcours.community import services as community
    from parcours.consent.basis import COVERED_BY_HOUSEHOLD
    from parcours.frontdesk import services as frontdesk
    from parcours.households import services as households
    from parcours.journey.services import placement_set_manual
    from parcours.worklists.models import SponsorMatch, SponsorProfile

    actor = Membership.objects.get(association=subject.association, role="coordinator").user
    day = date(2026, 10, 1)
    kinds = _coverage(subject.pk)
    person = subject.persons.first() or households.person_add(
        actor=None,
        household=subject,
        first_name="Marie",
        relation="parent",
        lawful_basis=COVERED_BY_HOUSEHOLD,
    )
    households.household_update(actor=None, household=subject, needs="Besoins")  # an audit row
    if "community.absentvisit" not in kinds:
        community.absent_visit_record(
            actor=None, visitor=other, visited=subject, day=day, outcome="met"
        )
    if "community.communityrole" not in kinds:
        community.role_start(
            actor=None, household=subject, kind="activity_leader", start=day, person=person
        )
    if "community.projectproposal" not in kinds:
        community.project_propose(
            actor=None, household=subject, day=day, title="Jardin", description="Potager"
        )
    if "community.referral" not in kinds:
        community.referral_record(
            actor=None, referrer=subject, referred=other, day=day, note="Voisins"
        )
    if "frontdesk.peercontact" not in kinds:
        frontdesk.peer_contact_record(
            actor=None,
            association=subject.association,
            day=day,
            peer_household=other,
            household=subject,
        )
    if "journey.manualplacement" not in kinds:
        placement_set_manual(actor=actor, household=subject, stage="usage", reason="Vu en réunion")
    if "worklists.sponsorprofile" not in kinds:
        SponsorProfile.objects.create(
            association=subject.association,
            household=subject,
            neighbourhood="Fives",
            languages=["ar"],
        )
    if "compliance.retentionevent" not in kinds:
        from django.utils import timezone

        from parcours.compliance.services import retention_extend

        retention_extend(
            actor=actor,
            household=subject,
            until=timezone.localdate() + timedelta(days=90),
            reason="Suivi logement en cours",
        )
    if "directory.householdmerge" not in kinds:
        from parcours.directory.models import HouseholdMerge

        HouseholdMerge.objects.create(
            association=subject.association, household=subject, merged_id=0,
            merged_name="Famille en double", day=day, moved={"households.touchpoint": 3},
        )  # fmt: skip
    if "worklists.sponsormatch" not in kinds:
        SponsorMatch.objects.create(
            association=subject.association,
            household=subject,
            sponsor_household=other,
            proposed="family",
            reasons=[{"code": "same_neighbourhood", "params": {}}],
            decided_on=day,
        )


def cmd_prepare(work: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Membership
    from parcours.households.models import Household
    from parcours.privacy import registry
    from parcours.seed import seed_association

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        seed = seed_association(
            name="Les Mésanges", slug="mesanges", households=HOUSEHOLDS, seed=11, end=END
        )
        assoc = seed.association
        ids = list(
            Household.objects.filter(association=assoc).order_by("pk").values_list("pk", flat=True)
        )
        subject = max(ids, key=lambda pk: (len(_coverage(pk)), -pk))
        _top_up(
            Household.objects.get(pk=subject),
            Household.objects.get(pk=ids[-1] if ids[-1] != subject else ids[0]),
        )
        # the subject is the family whose member signs in as a peer family
        peer = Membership.objects.get(association=assoc, role="peer_family")
        peer.household_id = subject
        peer.save()
        markers: dict[str, dict] = {}
        counter = [0]
        for pk in ids:
            if pk != subject:
                _plant(pk, counter, markers)
        covered = _plant(subject, counter, markers)
        user = get_user_model().objects.get(pk=peer.user_id)
        for name in ("username", "first_name", "last_name", "email"):
            counter[0] += 1
            marker = _marker(counter[0])
            setattr(user, name, f"{marker}@example.org" if name == "email" else marker)
            markers[marker] = {"household": subject, "where": f"auth.user.{name}", "login": True}
        user.save()
        from allauth.account.models import EmailAddress  # the sign-in keeps the e-mail too

        EmailAddress.objects.create(user=user, email=user.email, verified=True)
        owning = {link.label for link in registry.all_links() if not link.reference_only}
    state = {"association": assoc.pk, "subject": subject, "markers": markers}
    (work / "state.json").write_text(json.dumps(state))
    return {
        "subject": subject,
        "markers": len(markers),
        "uncovered": sorted(owning - covered - {"households.person"} - set()),
        "covered": sorted(covered),
    }


def _figures(association_id: int) -> str:
    from parcours.accounts.models import Association, Membership
    from parcours.analytics.measures import run_all
    from parcours.analytics.measures.base import Filters, Period, Query
    from parcours.analytics.selectors import journey_data
    from parcours.journey.definitions import definition_for

    assoc = Association.objects.get(pk=association_id)
    coordinator = Membership.objects.get(association=assoc, role="coordinator")  # full view
    data = journey_data(
        association=assoc, stage_keys=definition_for(assoc).stage_keys, membership=coordinator
    )
    out = []
    for start, end in PERIODS:
        results = run_all(data, Query(assoc.pk, Period(start, end), Filters()))
        out.append(repr(sorted(results.items())))
    return hashlib.sha256("\n".join(out).encode()).hexdigest() + f" ({len(out[0])} chars)"


def _snapshot() -> dict[str, dict]:
    from django.apps import apps

    rows = {}
    for model in apps.get_models():
        if model._meta.label_lower == "analytics.datastamp":
            # the dashboard cache's token: every write changes it by design (any household's
            # erasure included); it holds a random number, nothing about anyone
            continue
        for values in model._base_manager.values():
            rows[
                f"{model._meta.label_lower}#{values['id'] if 'id' in values else values.get('pk')}"
            ] = repr(sorted(values.items()))
    return rows


def _subject_rows(subject: int, peer_user: int) -> set[str]:
    """Row keys the erasure may change: the subject's rows, their audit rows, its login."""
    from parcours.audit.models import AuditEvent

    keys = set()
    typed: dict[str, list[int]] = {}
    for model, qs in _owning_rows(subject):
        label = model._meta.label_lower
        for pk in qs.values_list("pk", flat=True):
            keys.add(f"{label}#{pk}")
            typed.setdefault(label, []).append(pk)
    for label, pks in typed.items():
        for pk in AuditEvent._base_manager.filter(object_type=label, object_id__in=pks).values_list(
            "pk", flat=True
        ):
            keys.add(f"audit.auditevent#{pk}")
    keys.add(f"auth.user#{peer_user}")
    from allauth.account.models import EmailAddress

    for pk in EmailAddress.objects.filter(user_id=peer_user).values_list("pk", flat=True):
        keys.add(f"account.emailaddress#{pk}")
    return keys


def _erase_a_member(state: dict, actor) -> dict:
    """person_erase on a member of another household, preferably one with rows of their own."""
    from parcours.households.models import Person
    from parcours.privacy import registry
    from parcours.privacy.services import person_erase

    own = [link for link in registry.all_links() if link.target == registry.PERSON]
    persons = Person.objects.filter(association_id=state["association"]).exclude(
        household_id=state["subject"]
    )

    def rows_of(person) -> list[str]:
        keys = [f"households.person#{person.pk}"]
        for link in own:
            for pk in link.model._base_manager.filter(**{link.path: person.pk}).values_list(
                "pk", flat=True
            ):
                keys.append(f"{link.label}#{pk}")
        from parcours.audit.models import AuditEvent

        for key in list(keys):  # the audit rows about them are cleared too
            label, pk = key.split("#")
            audit = AuditEvent._base_manager.filter(object_type=label, object_id=int(pk))
            keys += [f"audit.auditevent#{a}" for a in audit.values_list("pk", flat=True)]
        return keys

    person = max(persons.order_by("pk"), key=lambda p: len(rows_of(p)))
    rows = rows_of(person)
    figures = _figures(state["association"])
    person_erase(actor=actor, person=person, reason="Demande de la personne")
    return {
        "household": person.household_id,
        "rows": rows,
        "figures_equal": figures == _figures(state["association"]),
    }


def cmd_erase(work: Path) -> dict:
    from django_scopes import scopes_disabled

    from parcours.accounts.models import Membership
    from parcours.households.models import Household
    from parcours.privacy.services import household_erase, subject_export

    state = json.loads((work / "state.json").read_text())
    subject_id = state["subject"]
    markers = state["markers"]
    with scopes_disabled():
        figures_before = _figures(state["association"])
        before = _snapshot()
        household = Household.objects.get(pk=subject_id)
        coordinator = Membership.objects.get(
            association_id=state["association"], role="coordinator"
        ).user
        archive = zipfile.ZipFile(
            io.BytesIO(subject_export(actor=coordinator, household=household, sensitive=True))
        )
        exported = {name: archive.read(name).decode() for name in archive.namelist()}
        peer_user = Membership.objects.get(household_id=subject_id).user_id
        may_change = _subject_rows(subject_id, peer_user)
        household_erase(actor=coordinator, household=household, reason="Demande d'effacement reçue")
        figures_after = _figures(state["association"])
        after = _snapshot()
        member = _erase_a_member(state, coordinator)
    changed_others = sorted(
        k for k, v in before.items() if k not in may_change and after.get(k) != v
    )
    subject_markers = [m for m, info in markers.items() if info["household"] == subject_id]
    return {
        "member": member,
        "figures_before": figures_before,
        "figures_after": figures_after,
        "changed_others": changed_others[:20],
        "changed_subject_rows": sum(1 for k in may_change if before.get(k) != after.get(k)),
        "export_missing": {
            name: [m for m in subject_markers if not markers[m].get("login") and m not in text]
            for name, text in exported.items()
        },
        "export_foreign": {
            name: [
                m for m, info in markers.items() if info["household"] != subject_id and m in text
            ]
            for name, text in exported.items()
        },
    }


if __name__ == "__main__":
    import django

    django.setup()
    command, work = sys.argv[1], Path(sys.argv[2])
    result = {"prepare": cmd_prepare, "erase": cmd_erase}[command](work)
    print(json.dumps(result))
