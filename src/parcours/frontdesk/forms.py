from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import GuardedForm
from parcours.directory.forms import use_picker
from parcours.frontdesk.models import Explanation, RequestChannel
from parcours.households.models import Household
from parcours.outreach.forms import DateInput


class HouseholdChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.neighbourhood}" if obj.neighbourhood else obj.name


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _peer_field(label, required):
    return HouseholdChoice(label=label, queryset=Household.objects.none(), required=required)


class _PeerMixin:
    def _set_peers(self, household):
        qs = Household.objects.active().only("id", "name", "neighbourhood").order_by("name", "id")
        if household is not None:
            qs = qs.exclude(pk=household.pk)
        self.fields["peer_household"].queryset = qs
        use_picker(self.fields["peer_household"], exclude=household)


class InfoRequestForm(_PeerMixin, GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    channel = forms.ChoiceField(label=_("Channel"), choices=RequestChannel.choices)
    peer_household = _peer_field(_("Through the family (if a family sent them)"), False)
    subject = forms.CharField(label=_("What they asked about"), max_length=300, required=False)

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_peers(household)

    def clean(self):
        data = super().clean()
        if data.get("channel") == RequestChannel.PEER and not data.get("peer_household"):
            self.add_error("peer_household", _("Through the family: say which family sent them."))
        return data


class PeerContactForm(_PeerMixin, GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    peer_household = _peer_field(_("Member family met"), True)

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_peers(household)


class AppointmentForm(GuardedForm):
    starts_at = forms.DateTimeField(
        label=_("Appointment (day and time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    with_user = UserChoice(label=_("With"), queryset=None, required=False)
    note = forms.CharField(label=_("Practical note"), max_length=300, required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_user"].queryset = users


class IntakeVisitForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    reception = forms.CharField(
        label=_("Reception: how the family was welcomed"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    listening_notes = forms.CharField(
        label=_("Individual listening notes (confidential)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    needs = forms.CharField(
        label=_("Needs (confidential)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    explanations = forms.MultipleChoiceField(
        label=_("Explanations given"), choices=Explanation.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    explanations_note = forms.CharField(
        label=_("Other explanations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, show_sensitive: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_sensitive:  # fail closed: a volunteer never sees nor sends these fields
            del self.fields["listening_notes"]
            del self.fields["needs"]
