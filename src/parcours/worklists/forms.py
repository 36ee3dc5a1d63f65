from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import DateInput, GuardedForm, GuardedModelForm
from parcours.worklists.models import DigestPreference


class SnoozeForm(GuardedForm):
    until = forms.DateField(label=_("Remind me on"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].initial = timezone.localdate() + timedelta(days=7)


class DismissForm(GuardedForm):
    reason = forms.CharField(
        label=_("Why is this task not needed?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class DoneForm(GuardedForm):
    note = forms.CharField(label=_("What was done (optional)"), required=False, max_length=1000)


class AssignForm(GuardedForm):
    assignee = forms.ChoiceField(label=_("Give this task to"))

    def __init__(self, *args, members=(), families=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = [
            (
                f"u{m.user_id}",
                f"{m.user.get_full_name() or m.user.get_username()} — {m.get_role_display()}",
            )
            for m in members
        ]  # noqa: E501
        peers = [(f"h{h.pk}", f"{h.name} — {h.neighbourhood or '—'}") for h in families]
        self.fields["assignee"].choices = [
            ("", "—"),
            (_("Peer families"), peers),
            (_("Members of the association"), people),
        ]


class VisitForm(GuardedForm):
    day = forms.DateField(label=_("Day of the visit"), widget=DateInput)
    outcome = forms.ChoiceField(
        label=_("What happened?"),
        choices=[
            ("met", _("We met the family")),
            ("not_home", _("Nobody at home")),
            ("moved", _("The family has moved")),
        ],
        initial="met",
    )
    note = forms.CharField(
        label=_("Anything to tell the coordinator (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class PreferenceForm(GuardedModelForm):
    class Meta:
        model = DigestPreference
        fields = ["daily_digest", "language"]


class BulkForm(GuardedForm):
    """What to do with the tasks ticked on a list (the tick boxes are outside the form)."""

    action = forms.ChoiceField(
        label=_("With the selected tasks"),
        choices=[("done", _("Mark as done")), ("snooze", _("Remind me later"))],
    )
    until = forms.DateField(label=_("Remind me on"), widget=DateInput, required=False)
    assignee = forms.ChoiceField(label=_("Give them to"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].initial = timezone.localdate() + timedelta(days=7)
        if members:
            self.fields["action"].choices = [
                *self.fields["action"].choices,
                ("assign", _("Give them to someone")),
            ]
            self.fields["assignee"].choices = [("", "—")] + [
                (
                    str(m.user_id),
                    f"{m.user.get_full_name() or m.user.get_username()} — {m.get_role_display()}",
                )
                for m in members
            ]
        else:
            del self.fields["assignee"]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "snooze" and not data.get("until"):
            self.add_error("until", _("Choose the day the tasks come back."))
        if action == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose who gets the tasks."))
        return data
