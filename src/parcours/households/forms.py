from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.activities.models import Activity
from parcours.households.models import Household, Person, TouchpointKind

LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("tr", _("Turkish")),
    ("ro", _("Romanian")),
    ("wo", _("Wolof")),
    ("ta", _("Tamil")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("other", _("Other")),
]


class HouseholdForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = [
            "name",
            "neighbourhood",
            "address",
            "phone",
            "languages",
            "composition",
            "needs",
            "heard_from",
            "consent_given",
            "consent_date",
        ]
        widgets = {
            "consent_date": forms.DateInput(attrs={"type": "date"}),
            "needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, show_sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_sensitive:
            del self.fields["needs"]

    def clean(self):
        data = super().clean()
        if data.get("consent_given") and not data.get("consent_date"):
            self.add_error("consent_date", _("Give the date the consent was given."))
        if data.get("consent_date") and data["consent_date"] > timezone.localdate():
            self.add_error("consent_date", _("The consent date cannot be in the future."))
        return data


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "birth_year", "relation", "is_contact"]

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Enter a birth year between 1900 and this year."))
        return year


class TouchpointForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=TouchpointKind.choices)
    activity = forms.ModelChoiceField(
        label=_("Activity"), queryset=Activity.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, show_sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.all()
        if not show_sensitive:
            del self.fields["note"]

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A touchpoint cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (TouchpointKind.ATTENDANCE, TouchpointKind.ACTIVITY_LED) and not data.get(
            "activity"
        ):
            self.add_error("activity", _("Choose the activity for this kind of touchpoint."))
        return data
