"""The lawful-basis fields every creation form carries, and the forms of the consent page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.consent.basis import Basis, allowed_bases, basis_check
from parcours.consent.models import OTHER_BASES, LawfulBasis, Purpose
from parcours.core.forms import DateInput, GuardedForm

BASIS_FIELDS = ("basis", "purposes", "consent_day", "collected_by_name")


def _purposes_field(label):
    # Never ticked in advance: consent is an explicit act of the family (GDPR art. 4.11).
    return forms.MultipleChoiceField(
        label=label, choices=Purpose.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _collected_by_field():
    return forms.CharField(
        label=_("Collected by someone else (optional)"), max_length=200, required=False,
        help_text=_("The name of who collected it, e.g. a partner on a paper form."),
    )  # fmt: skip


class LawfulBasisFields(GuardedForm):
    """Mixed into a creation form: cleaned_data gets `lawful_basis` (a Basis) instead of the
    four raw fields, checked with the service's own rules and the association's policy."""

    # Hidden when the association allows consent only; missing means consent.
    basis = forms.ChoiceField(label=_("Lawful basis"), choices=LawfulBasis.choices, required=False)
    purposes = _purposes_field(_("The family consents to"))
    consent_day = forms.DateField(label=_("Date of consent"), widget=DateInput(), required=False)
    collected_by_name = _collected_by_field()

    def __init__(self, *args, association=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        allowed = allowed_bases(association) if association is not None else []
        allowed = allowed or [LawfulBasis.CONSENT]
        field = self.fields["basis"]
        field.choices = [(b, LawfulBasis(b).label) for b in allowed]
        field.initial = LawfulBasis.CONSENT
        if len(allowed) == 1:
            field.widget = forms.HiddenInput()
        else:
            field.help_text = _(
                "Another basis covers follow-up only: sponsoring, messages and photos still "
                "need the family's consent."
            )
        self.fields["consent_day"].initial = timezone.localdate()
        for name in BASIS_FIELDS:  # after the form's own fields
            self.fields[name] = self.fields.pop(name)

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in BASIS_FIELDS):
            return data
        basis = Basis(
            data.get("basis") or LawfulBasis.CONSENT,
            data.get("consent_day"),
            frozenset(data.get("purposes") or ()),
            data.get("collected_by_name") or "",
        )
        try:
            data["lawful_basis"] = basis_check(association=self.association, lawful_basis=basis)
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        for name in BASIS_FIELDS:
            data.pop(name, None)
        return data


class ConsentGiveForm(GuardedForm):
    person = forms.ModelChoiceField(
        label=_("Who"), queryset=None, required=False, empty_label=_("The whole household")
    )
    purposes = _purposes_field(_("The family consents to"))
    consent_day = forms.DateField(label=_("Date of consent"), widget=DateInput())
    collected_by_name = _collected_by_field()

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = household.persons.all()
        self.fields["consent_day"].initial = timezone.localdate()


class ConsentWithdrawForm(GuardedForm):
    person = forms.ModelChoiceField(
        label=_("Who"), queryset=None, required=False, empty_label=_("The whole household")
    )
    purposes = _purposes_field(_("Consent withdrawn for"))
    everything = forms.BooleanField(label=_("Withdraw everything"), required=False)
    day = forms.DateField(label=_("Date of the withdrawal"), widget=DateInput())

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = household.persons.all()
        self.fields["day"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if not data.get("everything") and not data.get("purposes"):
            self.add_error(
                "purposes", _("Purposes: tick what is withdrawn, or “Withdraw everything”.")
            )
        return data


class PolicyForm(GuardedForm):
    other_bases = forms.MultipleChoiceField(
        label=_("Other lawful bases the association allows, for follow-up only"),
        choices=[(b, LawfulBasis(b).label) for b in OTHER_BASES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    justification = forms.CharField(
        label=_("Justification"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why the association may rely on them: its balancing test for legitimate interest, "
            "the reference of its public mandate."
        ),
    )  # fmt: skip
