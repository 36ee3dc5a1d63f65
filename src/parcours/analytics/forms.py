"""The dashboard's filters: a GET form, so that the URL holds the whole state of a view."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.analytics.measures.base import Filters, Period
from parcours.core.forms import GuardedForm
from parcours.households.models import Channel

MAX_DAYS = 366 * 10


def whole_months(period: Period, today: date) -> Period:
    """``period`` widened to whole calendar months (the end no later than today): the board's
    periods, so that two views a day apart cannot be subtracted to isolate one day's families
    (docs/analytics.md)."""
    start = period.start.replace(day=1)
    month = period.end.year * 12 + period.end.month  # the month after the end's
    last = date(month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return Period(start, max(start, min(last, today)))


def default_period(today: date) -> Period:
    """The twelve months up to today: from the first day of the month eleven months ago."""
    month = today.year * 12 + today.month - 1 - 11
    return Period(date(month // 12, month % 12 + 1, 1), today)


class FilterForm(GuardedForm):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    neighbourhood = forms.ChoiceField(label=_("Neighbourhood"), required=False)
    cohort = forms.ChoiceField(label=_("First welcome visit in"), required=False)
    activity = forms.TypedChoiceField(
        label=_("Attended the activity"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label=_("Heard of us through"), required=False)

    def __init__(self, data, *, choices: dict[str, list], **kwargs):
        super().__init__(data, **kwargs)
        everyone = [("", _("All"))]
        self.fields["neighbourhood"].choices = everyone + [
            (n, n) for n in choices["neighbourhoods"]
        ]
        self.fields["cohort"].choices = everyone + [(m, m) for m in choices["cohorts"]]
        self.fields["activity"].choices = everyone + [
            (str(pk), name) for pk, name in choices["activities"]
        ]
        self.fields["channel"].choices = everyone + list(Channel.choices)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period must come after its start."))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("start", _("The period can cover at most ten years."))
        return data

    def period(self, today: date | None = None) -> Period:
        default = default_period(today or timezone.localdate())
        if not self.is_valid():
            return default
        start = self.cleaned_data.get("start") or default.start
        end = self.cleaned_data.get("end") or default.end
        return Period(start, end) if start <= end else default

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        d = self.cleaned_data
        return Filters(
            neighbourhood=d.get("neighbourhood") or None,
            cohort=d.get("cohort") or None,
            activity=d.get("activity"),
            channel=d.get("channel") or None,
        )
