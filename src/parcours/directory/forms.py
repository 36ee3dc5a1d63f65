"""The search-as-you-type household picker, and the forms of merging and archiving."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import GuardedForm
from parcours.households.models import Household


class HouseholdPicker(forms.Widget):
    """A search box whose answers are radio buttons (name, neighbourhood, address, members),
    fetched by htmx from directory:picker. No inline script: choosing is a native radio
    (keyboard: Tab into the list, arrows to choose; read as a group by screen readers)."""

    template_name = "directory/_picker.html"

    def __init__(self, attrs=None, exclude: int | None = None):
        super().__init__(attrs)
        self.exclude = exclude

    def get_context(self, name, value, attrs):
        from parcours.directory.selectors import picker_options

        context = super().get_context(name, value, attrs)
        chosen = None
        if value not in (None, ""):
            try:
                chosen = int(str(value))
            except ValueError:
                chosen = None
        options = picker_options(Household.objects.active().filter(pk=chosen)) if chosen else []
        params = f"field={name}&box={context['widget']['attrs']['id']}"
        params += f"&exclude={self.exclude}" if self.exclude else ""
        context["picker"] = {
            "url": f"{reverse('directory:picker')}?{params}",
            "options": options,
            "chosen": chosen,
        }
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def use_picker(field: forms.ModelChoiceField, *, exclude=None) -> None:
    """Turn a household drop-down into a search-as-you-type picker (same field, same checks)."""
    widget = HouseholdPicker(exclude=getattr(exclude, "pk", exclude))
    widget.is_required = field.required
    field.widget = widget


class MergeForm(GuardedForm):
    """Which household is the duplicate of this one; the page shows both before confirming."""

    duplicate = forms.ModelChoiceField(
        label=_("The duplicate, merged into this household"), queryset=Household.objects.none()
    )
    confirm = forms.BooleanField(
        label=_("I checked: both records are the same family. Merge them."), required=False
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["duplicate"]
        field.queryset = Household.objects.active().exclude(pk=household.pk)
        use_picker(field, exclude=household)


class ArchiveForm(GuardedForm):
    reason = forms.CharField(
        label=_("Why (kept with the archive, optional)"), max_length=300, required=False
    )
