from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.association_settings.fields import choose_contact_channel, choose_neighbourhood
from parcours.consent.forms import LawfulBasisFields
from parcours.core.forms import DateInput, GuardedForm
from parcours.outreach.models import OutreachChannel


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ActionForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=100, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=OutreachChannel.choices)
    team = UserChoices(
        label=_("Team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, team_queryset, association=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_queryset
        if association is not None:  # the association's own lists (association settings)
            choose_neighbourhood(self, association)
            choose_contact_channel(self, association)


class QuickHouseholdForm(LawfulBasisFields, GuardedForm):
    """The minimum to record a family met in the street or at the desk, with its consent."""

    name = forms.CharField(label=_("Name"), max_length=200)
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_neighbourhood(self, self.association)
