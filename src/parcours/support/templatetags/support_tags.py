from django import template

from parcours.accounts.roles import Capability, role_can
from parcours.support.selectors import household_support

register = template.Library()


@register.inclusion_tag("support/_household_panel.html", takes_context=True)
def support_household_panel(context, household):
    """Support on the household page: only for roles that may see sensitive data (fail closed)."""
    allowed = role_can(getattr(context.get("membership"), "role", None), Capability.VIEW_SENSITIVE)
    data = household_support(household=household) if allowed else {}
    return {"allowed": allowed, "household": household, **data}
