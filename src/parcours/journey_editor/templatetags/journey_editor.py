from django import template
from django.utils.translation import gettext as _

from parcours.journey.reasons import current_language

register = template.Library()


@register.simple_tag
def stage_name(definition, key: str) -> str:
    """A stage's label in the reader's language and the association's vocabulary."""
    if not key:
        return _("no stage yet")
    return definition.stage_label(key, current_language())
