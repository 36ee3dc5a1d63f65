"""Right of access and portability: everything Parcours holds about a household or a person.

The rows come from :mod:`parcours.privacy.registry` (every model that points at a household
or a person), so a model added later is exported without being listed. What is left out:

- other households and persons: a row shared with another family (a referral, a sponsorship,
  a visit) says "another household", never its name or id;
- team members: who recorded a row is the association's information, not the family's;
- sensitive data (support cases and their follow-ups, needs, listening notes, touchpoint
  notes, and any row whose stored values cite support: support touchpoints, the "in support"
  status, the stage span and the tasks it made) unless the requester's role holds
  ``Capability.VIEW_SENSITIVE``. The roles that may export (admin, coordinator, social worker)
  all hold it today; the rule keeps holding if a role without it is given the export.
  French law gives the family access to its social file; the role rule keeps a requester
  from learning through the export what their role may not read on the pages;
- rows that are another party's record merely naming the household (``REFERENCE_ONLY``)
  show their dates and categories, without their text.

A person's export holds the household-level records of their household (their journey is
the household's) but no other member's record.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from parcours.accounts import visibility
from parcours.households.models import Household, Person
from parcours.privacy import registry

FORMAT = "parcours-subject-export/1"


def links_by_model():
    grouped: dict[type[models.Model], list[registry.Link]] = {}
    for link in registry.exported_links():
        grouped.setdefault(link.model, []).append(link)
    return grouped


def subject_rows(model, links, household: Household, person: Person | None):
    """The rows of ``model`` about the subject, and whether the subject is only referenced."""
    owning = [link for link in links if not link.reference_only]
    match = models.Q()
    for link in owning or links:
        if link.target == registry.HOUSEHOLD:
            match |= models.Q(**{link.path: household.pk})
        elif person is not None:
            match |= models.Q(**{link.path: person.pk})
        else:
            match |= models.Q(**{f"{link.path}__household": household.pk})
    qs = model._default_manager.filter(match)
    if person is not None:
        for link in links:
            if link.target == registry.PERSON:
                qs = qs.filter(
                    models.Q(**{f"{link.path}__isnull": True}) | models.Q(**{link.path: person.pk})
                )
    return qs.distinct().order_by("pk"), not owning


def _display(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _column(field) -> str:
    """A column's heading; a link to a household or a person left unnamed reads as such."""
    if field.verbose_name == field.name.replace("_", " ") and field.is_relation:
        target = field.related_model._meta.label_lower
        if target == registry.HOUSEHOLD:
            return str(_("household"))
        if target == registry.PERSON:
            return str(_("person"))
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def _mentions_support(row) -> bool:
    """Whether any stored value of the row names a support code (see registry.SENSITIVE_CODES)."""
    values = json.dumps(
        [getattr(row, f.attname) for f in row._meta.concrete_fields], cls=DjangoJSONEncoder
    )
    return any(code in values for code in registry.SENSITIVE_CODES)


class _Exporter:
    def __init__(self, household: Household, person: Person | None, sensitive: bool):
        from django.contrib.auth import get_user_model

        from parcours.journey.definitions import definition_for

        self.household, self.person, self.sensitive = household, person, sensitive
        self.user_model = get_user_model()
        self.definition = definition_for(household.association)
        from parcours.activities.models import Activity

        self.activities = dict(
            Activity.objects.filter(association_id=household.association_id).values_list(
                "id", "name"
            )
        )

    def _touchpoints(self) -> list[tuple]:
        """(day, kind) of the household's touchpoints: which kind happened, for a reason over
        several kinds (read once, when such a reason is exported)."""
        if not hasattr(self, "_seen"):
            from parcours.accounts.visibility import public_evidence
            from parcours.households.models import Touchpoint

            rows = list(
                Touchpoint.objects.filter(household=self.household).values_list("day", "kind")
            )
            self._seen = rows if self.sensitive else public_evidence(rows)
        return self._seen

    def _columns(self, model, reference_only: bool):
        label = model._meta.label_lower
        for field in model._meta.concrete_fields:
            if field.name == "association" or field.related_model is self.user_model:
                continue
            if not self.sensitive and registry.is_sensitive(model, field.name):
                continue
            if reference_only and registry.is_free_text(field) and not field.is_relation:
                continue
            if label == registry.HOUSEHOLD and field.name == "id":
                continue
            yield field

    def _value(self, row, field) -> tuple[Any, str]:
        """(value for machines, text for people)."""
        if field.is_relation:
            target = field.related_model._meta.label_lower
            pk = getattr(row, field.attname)
            if pk is None:
                return None, ""
            if target == registry.HOUSEHOLD:
                mine = pk == self.household.pk
                text = _("this household") if mine else _("another household")
                return ("self" if mine else "other"), str(text)
            if target == registry.PERSON:
                mine = self.person is None or pk == self.person.pk
                if self.person is None:
                    return pk, str(getattr(row, field.name))
                text = _("this person") if mine else _("another member")
                return ("self" if mine else "other"), str(text)
            related = getattr(row, field.name)
            if target == "households.touchpoint":  # "12 mars 2026 · Welcome visit"
                return pk, f"{_display(related.day)} · {related.get_kind_display()}"
            return pk, str(related)
        value = getattr(row, field.attname)
        if field.choices and value not in (None, ""):
            return value, str(getattr(row, f"get_{field.name}_display")())
        return value, _display(value)

    def _explanation(self, model, row) -> str | None:
        label = model._meta.label_lower
        if label in ("journey.stagespan", "journey.householdjourney") and row.reasons:
            from parcours.journey.reasons import render_placement

            try:
                return render_placement(
                    row.stage, row.reasons, definition=self.definition,
                    activities=self.activities, touchpoints=self._touchpoints,
                )  # fmt: skip
            except (KeyError, TypeError, ValueError):  # an erased or older reason
                return None
        if label == "worklists.task" and row.reason:
            from parcours.worklists.reasons import reason_text

            try:
                return reason_text(row.reason, self.household.association)
            except (KeyError, TypeError, ValueError):
                return None
        return None

    def section(self, model, rows, reference_only: bool) -> dict:
        columns = list(self._columns(model, reference_only))
        related = [
            f.name
            for f in columns
            if f.is_relation
            and f.related_model._meta.label_lower not in (registry.HOUSEHOLD, registry.PERSON)
        ]
        if related and isinstance(rows, models.QuerySet):  # a caller may pass filtered rows
            rows = rows.select_related(*related)
        out_rows, readable = [], []
        for row in rows:
            machine, text = {}, []
            for field in columns:
                value, shown = self._value(row, field)
                machine[field.name] = value
                text.append(shown)
            if not self.sensitive and _mentions_support(row):
                continue
            explanation = self._explanation(model, row)
            if explanation:
                machine["explanation"] = explanation
            out_rows.append(machine)
            readable.append({"cells": text, "explanation": explanation})
        return {
            "title": str(model._meta.verbose_name_plural).capitalize(),
            "sensitive": registry.is_sensitive(model),
            "reference_only": reference_only,
            "columns": [_column(f) for f in columns],
            "rows": out_rows,
            "readable": readable,
        }

    def build(self) -> dict:
        sections: dict[str, dict] = {}
        hh = Household.objects.filter(pk=self.household.pk)
        sections[registry.HOUSEHOLD] = self.section(Household, hh, False)
        persons = Person.objects.filter(household=self.household).order_by("pk")
        if self.person is not None:
            persons = persons.filter(pk=self.person.pk)
        sections[registry.PERSON] = self.section(Person, persons, False)
        for model, links in links_by_model().items():
            if model is Person:
                continue
            if not self.sensitive and registry.is_sensitive(model):
                continue
            rows, reference_only = subject_rows(model, links, self.household, self.person)
            # stored journeys and tasks: all that is held for a reader who may see support,
            # else only the views computed without it (accounts.visibility)
            if not self.sensitive and any(f.name == "audience" for f in model._meta.fields):
                rows = rows.filter(audience__in=visibility.PUBLIC_VIEW)
            section = self.section(model, rows, reference_only)
            if section["rows"]:
                sections[model._meta.label_lower] = section
        return sections


def subject_data(*, household: Household, person: Person | None, sensitive: bool) -> dict:
    """Everything held about the subject, as plain data (JSON-ready)."""
    with translation.override("fr"):
        sections = _Exporter(household, person, sensitive).build()
        rule = (
            _("Support records and sensitive notes are included.")
            if sensitive
            else _(
                "Support records and sensitive notes are left out: "
                "the requester's role may not read them."
            )
        )
        return {
            "format": FORMAT,
            "produced_at": timezone.now(),
            "association": household.association.name,
            "subject": {
                "type": "person" if person is not None else "household",
                "household": household.pk,
                "person": person.pk if person is not None else None,
            },
            "includes_sensitive": sensitive,
            "rule": str(rule),
            "sections": sections,
        }


def subject_zip(data: dict) -> bytes:
    """The ZIP handed to the family: a readable French document and the same data as JSON."""
    machine = {
        **data,
        "sections": {
            key: {k: v for k, v in s.items() if k != "readable"}
            for key, s in data["sections"].items()
        },
    }
    with translation.override("fr"):
        html = render_to_string("privacy/export_document.html", {"data": data})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.html", html)
        archive.writestr(
            "donnees.json",
            json.dumps(machine, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
    return buffer.getvalue()
