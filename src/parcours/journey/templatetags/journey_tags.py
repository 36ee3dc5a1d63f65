from django import template

from parcours.accounts.roles import Capability, role_can
from parcours.journey.selectors import household_journey as select_journey

register = template.Library()


@register.inclusion_tag("journey/_household_journey.html", takes_context=True)
def household_journey(context, household):
    request = context["request"]
    role = request.membership.role if getattr(request, "membership", None) else None
    return {
        "household": household,
        "journey": select_journey(
            household=household, sensitive=role_can(role, Capability.VIEW_SENSITIVE)
        ),
        "can_place": role_can(role, Capability.EDIT_HOUSEHOLDS),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
