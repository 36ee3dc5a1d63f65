"""{% activity_type_label key %} and {% contact_channel_label key %}: the label an association
gives to a stored key (one query per list and request, cached on the request)."""

from __future__ import annotations

from django import template

from parcours.association_settings import selectors
from parcours.association_settings.models import ActivityType, ContactChannel, ListEntry

register = template.Library()


def _label(context, model: type[ListEntry], key: str) -> str:
    request = context.get("request")
    association = context.get("association")
    if association is None:
        return str(model.BUILTIN.get(key, key))
    cache = getattr(request, "_association_list_labels", None) if request else None
    if cache is None:
        cache = {}
        if request is not None:
            request._association_list_labels = cache
    if model not in cache:
        cache[model] = selectors.labels(model, association)
    return cache[model].get(key) or str(model.BUILTIN.get(key, key))


@register.simple_tag(takes_context=True)
def activity_type_label(context, key: str) -> str:
    return _label(context, ActivityType, key)


@register.simple_tag(takes_context=True)
def contact_channel_label(context, key: str) -> str:
    return _label(context, ContactChannel, key)
