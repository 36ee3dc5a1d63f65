"""Form fields that offer an association's own lists (used by the households, activities and
outreach forms). A record's current value stays offered even when the list no longer has it."""

from __future__ import annotations

from django import forms

from parcours.association_settings import selectors


def _select(form, name: str, choices, blank: bool) -> None:
    old = form.fields[name]
    if blank:
        choices = [("", "—"), *choices]
    form.fields[name] = forms.ChoiceField(
        label=old.label, choices=choices, required=old.required, help_text=old.help_text
    )


def choose_neighbourhood(form, association, current: str = "", name: str = "neighbourhood"):
    """The association's neighbourhoods as a list; a free text while it has none."""
    if association is None:
        return
    choices = selectors.neighbourhood_choices(association, current)
    if choices:
        _select(form, name, choices, blank=True)


def choose_activity_type(form, association, current: str = "", name: str = "category"):
    _select(form, name, selectors.activity_type_choices(association, current), blank=False)


def choose_contact_channel(form, association, current: str = "", name: str = "channel"):
    _select(form, name, selectors.contact_channel_choices(association, current), blank=False)
