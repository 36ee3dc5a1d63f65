"""Reads of the data-protection pages: what an erasure would touch, past erasures."""

from __future__ import annotations

from parcours.households.models import Household, Person
from parcours.privacy import registry
from parcours.privacy.export import links_by_model, subject_rows
from parcours.privacy.models import Erasure


def _title(model) -> str:
    return str(model._meta.verbose_name_plural).capitalize()


def erasure_preview(*, household: Household, person: Person | None = None) -> list[tuple[str, int]]:
    """(kind of record, rows) the erasure would anonymise, largest first."""
    counts: list[tuple[str, int]] = []
    if person is not None:
        counts.append((str(Person._meta.verbose_name).capitalize(), 1))
        for link in registry.all_links():
            if link.target == registry.PERSON and not link.reference_only:
                n = link.model._default_manager.filter(**{link.path: person.pk}).count()
                if n:
                    counts.append((_title(link.model), n))
        return counts
    counts.append((str(Household._meta.verbose_name).capitalize(), 1))
    for model, links in links_by_model().items():
        rows, reference_only = subject_rows(model, links, household, None)
        if not reference_only and (n := rows.count()):
            counts.append((_title(model), n))
    return sorted(counts, key=lambda c: -c[1])


def erasures(*, household: Household) -> list[Erasure]:
    return list(Erasure.objects.filter(household_id=household.pk).select_related("actor"))
