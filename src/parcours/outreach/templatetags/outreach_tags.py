from django import template

from parcours.accounts.roles import Capability, role_can
from parcours.outreach.selectors import household_outreach

register = template.Library()


@register.inclusion_tag("outreach/_household_panel.html", takes_context=True)
def outreach_household_panel(context, household):
    """What the household page shows of outreach: the actions that reached the household."""
    membership = context.get("membership")
    allowed = role_can(getattr(membership, "role", None), Capability.RECORD_TOUCHPOINTS)
    return {
        "allowed": allowed,
        "contacts": household_outreach(household=household) if allowed else [],
        # the channels' labels are the association's (association settings)
        "association": context.get("association"),
        "request": context.get("request"),
    }
