from django import template

from parcours.accounts.roles import Capability, role_can
from parcours.community.selectors import household_community

register = template.Library()


@register.inclusion_tag("community/_household_panel.html", takes_context=True)
def community_household_panel(context, household):
    """The household's sponsor, groups, roles, referrals and latest communications."""
    role = getattr(context.get("membership"), "role", None)
    allowed = role_can(role, Capability.VIEW_HOUSEHOLDS)
    data = household_community(household=household) if allowed else {}
    return {
        "allowed": allowed, "household": household,
        "manage": role_can(role, Capability.EDIT_HOUSEHOLDS),
        "record": role_can(role, Capability.RECORD_TOUCHPOINTS),
        **data,
    }  # fmt: skip
