from __future__ import annotations

import re
from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.activities import selectors
from parcours.activities.models import Activity, Attendance, Schedule, Session
from parcours.association_settings.fields import choose_activity_type, choose_neighbourhood
from parcours.consent.forms import LawfulBasisFields
from parcours.core.forms import GuardedForm, GuardedModelForm
from parcours.directory.forms import use_picker
from parcours.households.models import Household, Person

PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,30}$")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ActivityForm(GuardedModelForm):
    class Meta:
        model = Activity
        fields = ["name", "category", "place", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        # the association's activity types (association settings)
        choose_activity_type(self, association, self.instance.category if self.instance.pk else "")


class FacilitatorMixin:
    """Facilitator: a team member or a household of the association, not both."""

    def setup_facilitators(self, association):
        self.fields["facilitator_user"] = UserChoiceField(
            label=_("Facilitator from the team"),
            queryset=selectors.team_members(association=association),
            required=False,
        )
        self.fields["facilitator_household"] = forms.ModelChoiceField(
            label=_("Or a household whose member leads it"),
            queryset=Household.objects.active(),
            required=False,
            help_text=_("Leading a session counts in the household's journey."),
        )
        use_picker(self.fields["facilitator_household"])

    def clean_facilitators(self, data):
        if data.get("facilitator_user") and data.get("facilitator_household"):
            self.add_error(
                "facilitator_household",
                _("Choose either a team member or a household as facilitator, not both."),
            )


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(FacilitatorMixin, GuardedModelForm):
    class Meta:
        model = Schedule
        fields = ["weekday", "start_time", "end_time", "place", "starts_on", "ends_on"]
        widgets = {"start_time": TIME, "end_time": TIME, "starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_facilitators(association)

    def clean(self):
        data = super().clean()
        self.clean_facilitators(data)
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", _("The end date must come after the start date."))
            elif (ends - starts).days > 731:
                self.add_error("ends_on", _("A schedule can span two years at most."))
        return data

    def _post_clean(self):  # the service validates the model, with its own messages
        pass


class SessionForm(FacilitatorMixin, GuardedModelForm):
    class Meta:
        model = Session
        fields = ["day", "start_time", "end_time", "place"]
        widgets = {"start_time": TIME, "end_time": TIME, "day": DATE}

    def __init__(self, *args, association, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_facilitators(association)
        if editing:
            self.fields["cancelled"] = forms.BooleanField(
                label=_("This session is cancelled"), required=False
            )

    def clean(self):
        data = super().clean()
        self.clean_facilitators(data)
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end time must come after the start time."))
        return data

    def _post_clean(self):
        pass


class MarkForm(GuardedForm):
    """One tap on the sheet: the intended mark of one household."""

    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    status = forms.ChoiceField(label=_("Mark"), choices=Attendance.Status.choices)
    mark_id = forms.CharField(required=False, max_length=64)
    base_version = forms.IntegerField(required=False, min_value=0)
    intent_at = forms.IntegerField(required=False, min_value=0)  # ms since the epoch

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.active()

    def clean_intent_at(self):
        ms = self.cleaned_data.get("intent_at")
        if ms is None:
            return None
        try:
            return datetime.fromtimestamp(ms / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None


class MembersForm(GuardedForm):
    """Who of a present household came: every member ticked by default."""

    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    present = forms.TypedMultipleChoiceField(
        label=_("Who came"), coerce=int, required=False, choices=()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.active()
        household = self.data.get("household") if self.is_bound else None
        try:
            ids = Person.objects.filter(household_id=int(household or 0)).values_list(
                "id", flat=True
            )
            self.fields["present"].choices = [(str(pk), str(pk)) for pk in ids]
        except (TypeError, ValueError, OverflowError):
            self.fields["present"].choices = []


class NewcomerForm(LawfulBasisFields, GuardedForm):
    """A person coming for the first time: the minimum to welcome them, with their consent."""

    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("For example: Famille Diallo, or Aïcha D.")
    )
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=100)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    mark_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_neighbourhood(self, self.association)  # the association's list (settings)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                _("Enter a phone number with digits only, e.g. 06 12 34 56 78.")
            )
        return phone


class GridAddForm(GuardedForm):
    """A family to add to the attendance grid: the household picker (search as you type)."""

    household = forms.ModelChoiceField(
        label=_("A family who is not in the grid"),
        queryset=Household.objects.none(),
        required=False,
    )

    def __init__(self, *args, visible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = visible
        use_picker(self.fields["household"])
