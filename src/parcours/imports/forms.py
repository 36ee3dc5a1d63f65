from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.consent.forms import LawfulBasisFields
from parcours.core.forms import GuardedForm
from parcours.imports.fields import FIELDS
from parcours.imports.reading import limit
from parcours.imports.values import REGIONS


class UploadForm(LawfulBasisFields):
    """The file, the country of its phone numbers, and the basis the families were recorded on."""

    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("Excel workbook or CSV text, as your software saves it; at most %(mb)s MB.")
        % {"mb": limit("max_bytes") // 1048576},
    )
    region = forms.ChoiceField(
        label=_("Phone numbers written without a country code are from"),
        choices=list(REGIONS.items()),
        initial="FR",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"
        self.order_fields(["file", "region"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limit("max_bytes"):
            raise forms.ValidationError(
                _("File: it weighs more than the %(mb)s MB allowed; split it.")
                % {"mb": limit("max_bytes") // 1048576}
            )
        return upload


class MappingForm(GuardedForm):
    """One choice per column of the file: the field it holds, or ignored."""

    def __init__(self, *args, headers: list[str], mapping: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— ignored —"))] + [(k, v) for k, v in FIELDS.items()]
        for i, header in enumerate(headers):
            self.fields[f"col{i}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping[i]
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col{i}", "") for i in range(len(self.fields))]


class DecisionForm(GuardedForm):
    """For each planned household that looks like known ones: link, create or skip."""

    def __init__(self, *args, proposals: list[tuple[str, str, list]], **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = {}
        for i, (key, name, matches) in enumerate(proposals):
            choices = [
                (f"link:{m.household.pk}", _("Same family as %(name)s (%(place)s)") % {
                    "name": m.household.name,
                    "place": m.household.neighbourhood or _("no neighbourhood")})
                for m in matches
            ] + [("create", _("A new family: create it anyway")),
                 ("skip", _("Do not import this family"))]  # fmt: skip
            self.fields[f"dup{i}"] = forms.ChoiceField(
                label=name, choices=choices, widget=forms.RadioSelect
            )
            self.keys[f"dup{i}"] = key

    def decisions(self) -> dict[str, str]:
        return {key: self.cleaned_data[name] for name, key in self.keys.items()}
