from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.association_settings.fields import choose_neighbourhood
from parcours.consent.basis import COVERED_BY_HOUSEHOLD
from parcours.consent.forms import LawfulBasisFields
from parcours.core.forms import GuardedForm, GuardedModelForm
from parcours.households.models import Household, Person
from parcours.households.ownership import generic_kinds_for

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


class HouseholdForm(GuardedModelForm):
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
        ]
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, show_sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_sensitive:
            del self.fields["needs"]
        if self.instance.pk:  # the association's neighbourhoods (association settings)
            choose_neighbourhood(self, self.instance.association, self.instance.neighbourhood)


class NewHouseholdForm(LawfulBasisFields, HouseholdForm):
    """A new household: its details, then the family's consent or another lawful basis."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_neighbourhood(self, self.association)


def _sex_field():
    """Optional: a form posted without it (an older page, a script) leaves it "not stated"."""
    return Person._meta.get_field("sex").formfield(required=False)


class _BirthYear:
    def clean_sex(self):
        return self.cleaned_data.get("sex") or Person.Sex.NOT_STATED

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Enter a birth year between 1900 and this year."))
        return year


class PersonEditForm(_BirthYear, GuardedModelForm):
    """A member's name, birth year, sex (optional), relation to the reference person and contact
    flag."""

    sex = _sex_field()

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "birth_year", "sex", "relation", "is_contact"]


class PersonForm(_BirthYear, LawfulBasisFields, GuardedModelForm):
    """A new member: covered by the household's basis, or with their own consent."""

    coverage = forms.ChoiceField(
        label=_("Lawful basis for this person"),
        choices=[
            (COVERED_BY_HOUSEHOLD, _("Covered by the household's consent")),
            ("own", _("Their own consent, below")),
        ],
        initial=COVERED_BY_HOUSEHOLD,
        widget=forms.RadioSelect,
    )
    sex = _sex_field()

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "birth_year", "sex", "relation", "is_contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].label = _("The person consents to")
        for name in ("basis", "purposes", "consent_day", "collected_by_name"):
            self.fields[name].required = False
        order = ["first_name", "last_name", "birth_year", "sex", "relation", "is_contact",
                 "coverage"]  # fmt: skip
        self.order_fields(order)

    def clean(self):
        if self.data.get(self.add_prefix("coverage"), COVERED_BY_HOUSEHOLD) == "own":
            data = super().clean()
        else:  # the household's basis: the service checks that it has one
            data = forms.ModelForm.clean(self)
            for name in ("basis", "purposes", "consent_day", "collected_by_name"):
                data.pop(name, None)
            data["lawful_basis"] = COVERED_BY_HOUSEHOLD
        data.pop("coverage", None)
        return data


class TouchpointForm(GuardedForm):
    """A touchpoint recorded by hand: only kinds no record owns (households.ownership), and
    only those the role may record. Owned kinds come with their record, on its own page."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        error_messages={
            "invalid_choice": _(
                "Kind: « %(value)s » cannot be recorded here. Support cases, roles, groups, "
                "sponsorships, referrals, visits, projects, welcome visits and attendance are "
                "recorded on their own pages."
            )
        },
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, role: str | None, show_sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = generic_kinds_for(role)
        if not show_sensitive:
            del self.fields["note"]

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A touchpoint cannot be in the future."))
        return day
