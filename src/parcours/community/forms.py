from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.community.models import (
    ClosureReason,
    CommunicationKind,
    Group,
    RoleKind,
    VisitOutcome,
)
from parcours.core.forms import GuardedForm
from parcours.directory.forms import use_picker
from parcours.households.models import Household, Person
from parcours.outreach.forms import DateInput


class HouseholdChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.neighbourhood}" if obj.neighbourhood else obj.name


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _households(exclude=None):
    qs = Household.objects.active().only("id", "name", "neighbourhood").order_by("name", "id")
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


class GroupForm(GuardedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    facilitator = UserChoice(label=_("Facilitator"), queryset=None, required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = users


class JoinForm(GuardedForm):
    start = forms.DateField(label=_("Start date"), widget=DateInput())


class EndForm(GuardedForm):
    end = forms.DateField(label=_("End date"), widget=DateInput())


class LeaveForm(EndForm):
    end_reason = forms.CharField(label=_("Reason for leaving"), max_length=300, required=False)


class SponsorshipForm(GuardedForm):
    start = forms.DateField(label=_("Start date"), widget=DateInput())
    sponsor_user = UserChoice(label=_("Sponsoring volunteer"), queryset=None, required=False)
    sponsor_household = HouseholdChoice(
        label=_("or sponsor family"), queryset=Household.objects.none(), required=False
    )

    def __init__(self, *args, users, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor_user"].queryset = users
        self.fields["sponsor_household"].queryset = _households(household)
        use_picker(self.fields["sponsor_household"], exclude=household)

    def clean(self):
        data = super().clean()
        if bool(data.get("sponsor_user")) == bool(data.get("sponsor_household")):
            self.add_error(
                "sponsor_user", _("Sponsor: choose either a volunteer or a sponsor family.")
            )
        return data


class SponsorshipEndForm(EndForm):
    closure_reason = forms.ChoiceField(label=_("Closure reason"), choices=ClosureReason.choices)
    closure_note = forms.CharField(
        label=_("Closure note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferralForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    referred = HouseholdChoice(
        label=_("Family brought (if already known)"), queryset=Household.objects.none(),
        required=False,
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred"].queryset = _households(household)
        use_picker(self.fields["referred"], exclude=household)


class AbsentVisitForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    visited = HouseholdChoice(label=_("Family visited"), queryset=Household.objects.none())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)

    def __init__(self, *args, visited_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited"].queryset = visited_queryset


class RoleForm(GuardedForm):
    kind = forms.ChoiceField(label=_("Role"), choices=RoleKind.choices)
    person = forms.ModelChoiceField(
        label=_("Member of the household"), queryset=Person.objects.none(), required=False
    )
    start = forms.DateField(label=_("Start date"), widget=DateInput())

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            self.fields["person"].queryset = Person.objects.filter(household=household)


class ProjectForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommunicationForm(GuardedForm):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunicationKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    group = forms.ModelChoiceField(
        label=_("To a group of families"), queryset=Group.objects.none(), required=False
    )

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            del self.fields["group"]
        else:
            self.fields["group"].queryset = Group.objects.order_by("name")
            self.fields["group"].required = True
