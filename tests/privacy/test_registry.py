"""Every model that points at a household or a person is walked by the export and the erasure."""

from __future__ import annotations

from django.apps import apps

from parcours.households.models import Household, Person
from parcours.privacy import registry


def _pointing_models():
    """Found here independently of the registry: any concrete FK to Household or Person."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Household, Person):
                found.add((model._meta.label_lower, field.name))
    return found


def test_every_link_is_exported_or_declared_out_of_scope_with_a_reason():
    links = {link.key for link in registry.all_links()}
    assert _pointing_models() <= links
    exported = {link.key for link in registry.exported_links()}
    for key in _pointing_models():
        assert key in exported or registry.OUT_OF_SCOPE.get(key, "").strip(), key


def test_declarations_name_real_links_and_give_reasons():
    links = {link.key for link in registry.all_links()}
    for declared in (registry.OUT_OF_SCOPE, registry.REFERENCE_ONLY):
        for key, reason in declared.items():
            assert key in links, f"{key} is declared but no longer points at a household"
            assert len(reason) > 10


def test_rows_cascading_from_a_linked_model_are_linked_too():
    paths = {(link.label, link.path) for link in registry.all_links()}
    assert ("support.followup", "case__household") in paths


def test_free_text_is_text_without_choices_and_json():
    names = {f.name for f in registry.free_text_fields(Household)}
    assert {"name", "address", "phone", "needs", "languages"} <= names
    assert not names & {"neighbourhood", "composition", "heard_from"}
