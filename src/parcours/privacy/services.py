"""Right to erasure, by anonymisation, for one household or one person.

``household_erase`` and ``person_erase`` are the only writes of this app. They are called by
the erasure pages (after a double confirmation) and by the retention job (``actor=None``).
What goes and what stays:

- every free-text field (names, phone, address, notes, listening and support notes, task
  texts, subjects, reasons...) of every row that belongs to the subject, found through
  :mod:`parcours.privacy.registry`, is cleared; JSON fields keep their structure, numbers and
  machine codes only; a birth date is cut to its year;
- the subject's identifiers (name, phone, address, full names) are then looked for in the free
  text of the association's other rows and replaced by ``[…]``;
- the audit rows about the erased rows keep what happened, never a value;
- the peer family's login (for a household) loses its name, e-mail and password;
- stage spans, status spans, touchpoints (kind, day, activity), dates, categories and the
  neighbourhood stay: every aggregate figure is the same after an erasure.

It cannot be undone: nothing is copied aside. Parcours writes no export to disk (the subject
export is built in memory and sent), so there is no file to clean up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.households.models import Household, Person
from parcours.privacy import erasure, registry
from parcours.privacy.models import Erasure

MAX_REASON = 500
# Apps of the sign-in (django-allauth) whose rows about a user are deleted with its login.
SIGN_IN_APPS = frozenset({"account", "mfa", "socialaccount", "usersessions"})


@dataclass(frozen=True)
class ErasureResult:
    erasure: Erasure
    rows: int  # rows whose content was anonymised
    swept: int  # other rows where an identifier was replaced


def household_identity(household: Household) -> list[str]:
    """What names the household anywhere: its name, phone, address, members' full names.

    These are looked for in the association's other rows. A first name alone is too common to
    be looked for beyond the household's own rows (which the erasure clears anyway).
    """
    values = [household.name, household.phone, household.address]
    for person in Person.objects.with_scopes_disabled().filter(household=household):
        values += _full_names(person)
    return [v for v in values if v]


def _full_names(person: Person) -> list[str]:
    if not person.last_name.strip():
        return []
    return [f"{person.first_name} {person.last_name}", f"{person.last_name} {person.first_name}"]


def _words(household: Household) -> list[str]:
    """Everything a reason must not contain and a JSON code must not be: identity, first
    names, the peer family's login."""
    values = household_identity(household)
    values += (
        Person.objects.with_scopes_disabled()
        .filter(household=household)
        .values_list("first_name", flat=True)
    )
    for user in get_user_model().objects.filter(
        memberships__household=household, memberships__association_id=household.association_id
    ):
        values += [user.first_name, user.last_name, user.email]
    return [v for v in values if v]


def _check_reason(reason: str, identity: list[str]) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Reason: say why the data are erased.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Reason: too long (%(max)s characters at most).") % {"max": MAX_REASON}}
        )
    if any(
        len(v.strip()) >= 3 and re.search(rf"(?<!\w){re.escape(v.strip())}(?!\w)", reason, re.I)
        for v in identity
    ):
        raise ValidationError(
            {"reason": _("Reason: do not name the family, the reason is kept after the erasure.")}
        )
    return reason


def _placeholder(text):
    """A required name once erased: "Foyer anonymisé 42", in the association's language."""

    def value(row) -> str:
        with translation.override("fr"):
            return f"{text} {row.pk}"

    return value


def _links_of(target: str):
    return [
        link
        for link in registry.all_links()
        if link.target == target and not link.reference_only and link.model is not Person
    ]


def _close_logins(household: Household) -> None:
    """The peer family's user accounts: no name, no e-mail, no password, no access."""
    User = get_user_model()
    for user in User.objects.filter(
        memberships__household=household, memberships__association_id=household.association_id
    ):
        user.username = f"anonymised-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        for model in apps.get_models():  # its e-mail addresses and second factors go too
            if model._meta.app_label in SIGN_IN_APPS:
                for field in model._meta.concrete_fields:
                    if field.is_relation and field.related_model is User:
                        model._default_manager.filter(**{field.name: user}).delete()


@transaction.atomic
def household_erase(*, actor, household: Household, reason: str) -> ErasureResult:
    """Anonymise a household and everything that belongs to it. Irreversible."""
    with scopes_disabled():
        household = Household.objects.select_for_update().get(pk=household.pk)
        identity = household_identity(household)
        words = _words(household)
        reason = _check_reason(reason, words)
        banned = erasure.banned_tokens(words)
        erased: dict[str, list[int]] = {}

        def clear(qs, overrides=None):
            ids = erasure.clear_rows(qs.distinct(), banned, overrides)
            erased.setdefault(qs.model._meta.label_lower, []).extend(ids)

        clear(
            Household.objects.filter(pk=household.pk),
            {"name": _placeholder(gettext_lazy("Anonymised household"))},
        )
        clear(
            Person.objects.filter(household=household),
            {"first_name": _placeholder(gettext_lazy("Anonymised person"))},
        )
        for link in _links_of(registry.HOUSEHOLD):
            clear(link.model._default_manager.filter(**{link.path: household.pk}))
        for link in _links_of(registry.PERSON):
            clear(link.model._default_manager.filter(**{f"{link.path}__household": household.pk}))
        _close_logins(household)
        erasure.clear_audit(erased, banned)
        swept = erasure.sweep(
            association_id=household.association_id, needles=erasure.identifiers(identity)
        )
        return _record(
            actor, household, Erasure.Subject.HOUSEHOLD, household.pk, reason, erased, swept
        )


@transaction.atomic
def person_erase(*, actor, person: Person, reason: str) -> ErasureResult:
    """Anonymise one member of a household; the household's other data stay. Irreversible."""
    with scopes_disabled():
        person = Person.objects.select_related("household").get(pk=person.pk)
        household = person.household
        names = [*_full_names(person), person.first_name]
        reason = _check_reason(reason, names)
        banned = erasure.banned_tokens(names)
        erased: dict[str, list[int]] = {}
        ids = erasure.clear_rows(
            Person.objects.filter(pk=person.pk),
            banned,
            {"first_name": _placeholder(gettext_lazy("Anonymised person"))},
        )
        erased[registry.PERSON] = ids
        for link in _links_of(registry.PERSON):
            qs = link.model._default_manager.filter(**{link.path: person.pk})
            erased.setdefault(link.label, []).extend(erasure.clear_rows(qs, banned))
        erasure.clear_audit(erased, banned)
        # full names anywhere in the association; the first name alone in the household's rows
        swept = erasure.sweep(
            association_id=household.association_id,
            needles=erasure.identifiers(_full_names(person)),
        )
        if len(person.first_name.strip()) >= 3:
            swept += erasure.sweep(
                association_id=household.association_id,
                needles=[person.first_name.strip()],
                household_id=household.pk,
            )
        return _record(actor, person, Erasure.Subject.PERSON, household.pk, reason, erased, swept)


def _record(actor, obj, subject, household_id, reason, erased, swept) -> ErasureResult:
    from parcours.directory.search import index_households

    index_households([household_id])  # the pickers no longer find the erased names
    rows = sum(len(ids) for ids in erased.values())
    record = Erasure(
        association_id=obj.association_id,
        subject=subject,
        object_id=obj.pk,
        household_id=household_id,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        rows=rows,
    )
    record.full_clean(exclude=["association", "actor"])
    record.save()
    audit_record(actor=actor, action=AuditEvent.Action.ERASE, obj=obj, fields=sorted(erased))
    return ErasureResult(record, rows, swept)


@transaction.atomic
def subject_export(*, actor, household: Household, person: Person | None = None, sensitive: bool):
    """The ZIP of everything held about a household or one member; the production is audited.

    ``sensitive``: whether the requester's role may read support records and sensitive notes
    (``Capability.VIEW_SENSITIVE``); without it they are left out of the export.
    """
    from parcours.privacy.export import subject_data, subject_zip

    with scopes_disabled():
        data = subject_data(household=household, person=person, sensitive=sensitive)
        audit_record(
            actor=actor, action=AuditEvent.Action.EXPORT, obj=person or household,
            fields=sorted(data["sections"]),
        )  # fmt: skip
        return subject_zip(data)
