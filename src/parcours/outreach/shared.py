"""Pieces shared by the daily-operations apps (outreach, front desk, support, community).

- date checks whose messages name the field, in the user's language;
- the quick creation of a household with duplicate detection;
- small view helpers: map a service's ValidationError onto a form, find the household a page
  is about.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from parcours.households import services as household_services
from parcours.households.duplicates import DuplicateHousehold
from parcours.households.models import Household

__all__ = ["DuplicateHousehold"]  # one exception for every creation path, raised by the service


def check_day(
    value: date | None, *, field: str, label, required: bool = True,
    not_before: date | None = None, not_before_label=None,
) -> None:  # fmt: skip
    """Raise ValidationError({field: ...}) if the day is missing, in the future or too early."""
    name = capfirst(str(label))
    if value is None:
        if required:
            raise ValidationError({field: _("%(field)s is required.") % {"field": name}})
        return
    if value > timezone.localdate():
        raise ValidationError({field: _("%(field)s cannot be in the future.") % {"field": name}})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("%(field)s cannot be before %(other)s (%(day)s).")
                % {
                    "field": name,
                    "other": str(not_before_label),
                    "day": date_format(not_before, "SHORT_DATE_FORMAT"),
                }
            }
        )


def apply_errors(exc: ValidationError, form, *others) -> None:
    """Put a service's errors on the form fields they name; the rest above the first form."""
    forms = [f for f in (form, *others) if f is not None]
    if not hasattr(exc, "error_dict"):
        forms[0].add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = next((f for f in forms if name in f.fields), None)
        if target is None:
            forms[0].add_error(None, errors)
        else:
            target.add_error(name, errors)


@transaction.atomic
def household_quick_create(
    *, actor, association, name: str, neighbourhood: str = "", phone: str = "",
    lawful_basis=None, heard_from: str = "", allow_duplicate: bool = False,
) -> Household:  # fmt: skip
    """Create a household from the minimal data gathered in the street or at the desk.

    Raises DuplicateHousehold when a similar household exists, unless allow_duplicate, and
    ValidationError without a lawful basis (the household service checks both).
    """
    if not (name or "").strip():
        raise ValidationError({"name": _("Name is required.")})
    return household_services.household_create(
        actor=actor, association=association, name=name.strip(),
        neighbourhood=(neighbourhood or "").strip(), phone=(phone or "").strip(),
        heard_from=heard_from, lawful_basis=lawful_basis, allow_duplicate=allow_duplicate,
    )  # fmt: skip


@transaction.atomic
def household_resolve(
    *, actor, association, household: Household | None = None,
    new_household: dict | None = None, heard_from: str = "", allow_duplicate: bool = False,
) -> Household:  # fmt: skip
    """The household a record is about: the one given, or a new one from quick-add data."""
    if household is not None:
        if household.association_id != association.pk:
            raise ValidationError({"household": _("Household: not found.")})
        return household
    if not new_household:
        raise ValidationError({"household": _("Household: choose a family or record a new one.")})
    return household_quick_create(
        actor=actor, association=association, heard_from=heard_from,
        allow_duplicate=allow_duplicate, **new_household,
    )  # fmt: skip


def household_step(request, *, prefix: str = "new"):
    """For a form about one household: (household chosen or None, quick-add form or None)."""
    from parcours.outreach.forms import QuickHouseholdForm

    household = household_from_request(request)
    if household is not None:
        return household, None
    data = request.POST if request.method == "POST" else None
    return None, QuickHouseholdForm(data, prefix=prefix, association=request.association)


def household_or_404(pk, membership) -> Household:
    """A household of the active association this member may see (accounts.visibility), or
    'not found' (another association's too)."""
    from parcours.accounts import visibility

    try:
        return visibility.households(membership).get(pk=int(pk))
    except (Household.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def household_from_request(request) -> Household | None:
    """The household named by ?household= (GET) or household= (POST), if any."""
    value = request.POST.get("household") or request.GET.get("household")
    return household_or_404(value, request.membership) if value else None


def household_search(q: str, limit: int = 10, *, membership):
    from parcours.households.selectors import household_list

    q = (q or "").strip()
    return list(household_list(membership=membership, search=q)[:limit]) if q else []
