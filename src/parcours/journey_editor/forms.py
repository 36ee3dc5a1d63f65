"""The editor's form: one field per threshold or window of the rules, and why they change.

A field takes what is typed as it is; the definition loader judges it (a whole number is
passed as one, anything else as the text typed), so a refusal reads exactly as the loader's
message, translated, beside the field its key path names.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.core.forms import GuardedForm
from parcours.engine import DefinitionError, JourneyDefinition
from parcours.journey.reasons import current_language
from parcours.journey_editor import rules as journey_rules
from parcours.journey_editor.messages import error_text

NUMBER_LABELS = {
    "min_count": _("at least (count)"),
    "min_distinct": _("of which different activities, at least"),
    "window_days": _("within the last (days)"),
    "closed_within_days": _("or closed less than (days) ago"),
    "within_days": _("lapses within (days)"),
    "after_days": _("after (days)"),
    "due_days": _("to do within (days)"),
}
CONDITION_LABELS = {
    "touchpoint_count": _("Touchpoints"),
    "attendance_same_activity": _("Attendances at one same activity"),
    "attendance_distinct": _("Attendances"),
    "open_episode": _("Open episode"),
    "stage_for": _("Time at the stage"),
    "stage_lapse": _("Stage about to lapse"),
    "status": _("Time with the status"),
    "episode_idle": _("Episode without follow-up"),
}
SECTION_LABELS = {"stages": _("Stage"), "statuses": _("Status"), "tasks": _("Task")}
_WHOLE = re.compile(r"^\s*-?\d{1,9}\s*$")


def rule_title(parameter: journey_rules.Parameter, definition: JourneyDefinition) -> str:
    from parcours.worklists.reasons import title

    lang = current_language()
    if parameter.section == "stages":
        return f"{parameter.index + 1}. {definition.stage_label(parameter.rule, lang)}"
    if parameter.section == "statuses":
        return definition.status_label(parameter.rule, lang)
    return title(parameter.rule, definition)


def parameter_label(p: journey_rules.Parameter) -> str:
    return gettext("%(condition)s: %(number)s") % {
        "condition": CONDITION_LABELS.get(p.condition, p.condition),
        "number": NUMBER_LABELS[p.key],
    }


class RestoreForm(GuardedForm):
    why = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class RulesForm(GuardedForm):
    why = forms.CharField(
        label=_("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the version: who, when and why the rules changed."),
    )

    def __init__(self, *args, association, rules: dict, definition: JourneyDefinition, **kwargs):
        self.journey_association = association
        self.rules = rules
        self.journey_definition = definition
        self.parameters = journey_rules.parameters(rules)
        super().__init__(*args, **kwargs)
        for p in self.parameters:
            field = forms.CharField(
                label=parameter_label(p),
                initial=str(p.value),
                max_length=12,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "5"}),
            )
            field.parameter = p
            self.fields[p.name] = field

    def groups(self) -> list[tuple[str, str, list]]:
        """(section label, rule title, bound fields) per rule, in the rules' order."""
        out: list[tuple[str, str, list]] = []
        for p in self.parameters:
            title = rule_title(p, self.journey_definition)
            if not out or out[-1][1] != title:
                out.append((str(SECTION_LABELS[p.section]), title, []))
            out[-1][2].append(self[p.name])
        return out

    def edited_rules(self) -> dict | None:
        """The rules with the values typed, validated by the loader; None with the loader's
        message on the field it names (or on the form) when refused."""
        if not self.is_valid():
            return None
        values = {}
        for p in self.parameters:
            text = self.cleaned_data[p.name]
            values[p.path] = int(text) if _WHOLE.match(text) else text
        edited = journey_rules.with_values(self.rules, values)
        association = self.journey_association
        try:
            journey_rules.validate(association.journey, edited, association.vocabulary)
        except DefinitionError as exc:
            name = journey_rules.field_name(exc.path)
            self.add_error(name if name in self.fields else None, error_text(exc))
            return None
        return edited
