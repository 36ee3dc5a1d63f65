from django import template

from parcours.accounts.roles import Capability, role_can
from parcours.frontdesk.selectors import household_frontdesk

register = template.Library()


@register.inclusion_tag("frontdesk/_household_panel.html", takes_context=True)
def frontdesk_household_panel(context, household):
    """What the household page shows of the front desk (listening notes never: see the visit)."""
    role = getattr(context.get("membership"), "role", None)
    allowed = role_can(role, Capability.RECORD_TOUCHPOINTS)
    sensitive = role_can(role, Capability.VIEW_SENSITIVE)
    data = household_frontdesk(household=household, sensitive=sensitive) if allowed else {}
    return {"allowed": allowed, "household": household, **data}
