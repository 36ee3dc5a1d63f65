"""The family list's filters, read from the URL (a GET form: every choice is shareable).

A value that is not one of the choices (a status the member may not filter on, an activity of
another association, a sort that does not exist) is refused with a message naming the filter,
through parcours.core.forms.GuardedForm; the list then shows without that filter (the valid
ones still apply), never a server error.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts import visibility
from parcours.activities.models import Activity
from parcours.community.models import Group
from parcours.core import inputs
from parcours.core.forms import GuardedForm
from parcours.core.widgets import QuickSelect
from parcours.familylist import selectors
from parcours.familylist.selectors import NO_SPONSOR, FamilyFilter
from parcours.journey.reasons import current_language

SORT_LABELS = {
    "name": _("Name (A to Z)"),
    "-name": _("Name (Z to A)"),
    "stage": _("Stage (first to last)"),
    "-stage": _("Stage (last to first)"),
    "last_contact": _("Last contact (oldest first)"),
    "-last_contact": _("Last contact (newest first)"),
    "neighbourhood": _("Neighbourhood (A to Z)"),
    "-neighbourhood": _("Neighbourhood (Z to A)"),
}
# The URL parameters of the list, in the order the URL keeps them.
PARAMS = (
    "q",
    "stage",
    "status",
    "neighbourhood",
    "activity",
    "group",
    "sponsor",
    "no_contact_since",
    "sort",
)


def _any(label) -> list[tuple[str, object]]:
    return [("", label)]


class FamilyFilterForm(GuardedForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=inputs.PARAM_TEXT)
    # QuickSelect: the sponsors and groups are hundreds of options (parcours.core.widgets)
    stage = forms.ChoiceField(label=_("Stage"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    neighbourhood = forms.ChoiceField(label=_("Neighbourhood"), required=False, widget=QuickSelect)
    activity = forms.TypedChoiceField(
        label=_("Activity"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    group = forms.TypedChoiceField(
        label=_("Group of families"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    sponsor = forms.ChoiceField(label=_("Sponsor"), required=False, widget=QuickSelect)
    no_contact_since = forms.DateField(
        label=_("No contact from the family since"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=list(SORT_LABELS.items()), widget=QuickSelect
    )

    def __init__(self, data, *, membership, definition):
        super().__init__(data)
        lang = current_language()
        self.fields["stage"].choices = _any(_("All stages")) + [
            (k, definition.stage_label(k, lang)) for k in definition.stage_keys
        ]
        self.fields["status"].choices = _any(_("All statuses")) + [
            (k, definition.status_label(k, lang))
            for k in visibility.statuses_for(membership, definition)
        ]
        self.fields["neighbourhood"].choices = _any(_("All neighbourhoods")) + [
            (n, n) for n in selectors.neighbourhoods(membership=membership)
        ]
        self.fields["activity"].choices = _any(_("All activities")) + [
            (str(pk), name)
            for pk, name in Activity.objects.order_by("name").values_list("pk", "name")
        ]
        self.fields["group"].choices = _any(_("All groups")) + [
            (str(pk), name) for pk, name in Group.objects.order_by("name").values_list("pk", "name")
        ]
        self.fields["sponsor"].choices = [
            *_any(_("Any sponsor or none")),
            (NO_SPONSOR, _("No sponsor")),
            *selectors.sponsors(membership=membership),
        ]

    def filters(self) -> FamilyFilter:
        """The filters that are valid; one that is not is left out (and named by the form)."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        return FamilyFilter(**data)

    def query(self, **changes) -> str:
        """The URL query of the valid filters, empty ones left out (what the list links keep)."""
        self.is_valid()
        values = {
            k: str(self.data.get(k, "")).strip() if k in self.cleaned_data else "" for k in PARAMS
        }
        day = self.cleaned_data.get("no_contact_since")
        values["no_contact_since"] = day.isoformat() if day else ""
        values |= changes
        if values.get("sort") == "name":  # the default order needs no parameter
            values["sort"] = ""
        keys = [*PARAMS, *(k for k in changes if k not in PARAMS)]
        return urlencode([(k, values[k]) for k in keys if values.get(k)])
