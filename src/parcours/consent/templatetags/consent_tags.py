from django import template

from parcours.consent.selectors import consent_summary

register = template.Library()


@register.inclusion_tag("consent/_household_panel.html", takes_context=True)
def consent_household_panel(context, household):
    """What the household page shows of consent: each purpose's state, and photos flagged."""
    capabilities = context.get("capabilities") or ()
    return {
        "household": household,
        "summary": consent_summary(household),
        "manage": "edit_households" in capabilities,
    }
