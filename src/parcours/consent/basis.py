"""The lawful basis a creation must carry, and its checks (messages name the field)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.consent.models import OTHER_BASES, LawfulBasis, Purpose

EARLIEST = date(1990, 1, 1)

# What a new person may carry instead of a Basis: the household's current basis covers them.
COVERED_BY_HOUSEHOLD = "household"


@dataclass(frozen=True)
class Basis:
    """What the family agreed to (or the other basis the association relies on), and when.

    With consent, `purposes` must include follow-up. With another basis, follow-up rests on it
    and `purposes` lists what the family consented to besides (sponsoring, messages, photos).
    """

    basis: str
    day: date | None
    purposes: frozenset[str] = field(default_factory=frozenset)
    collected_by_name: str = ""

    @classmethod
    def consent(cls, day: date, purposes=None, collected_by_name: str = "") -> Basis:
        chosen = frozenset(purposes) if purposes is not None else frozenset(Purpose.values)
        return cls(LawfulBasis.CONSENT, day, chosen, collected_by_name)


def allowed_bases(association) -> list[str]:
    """Consent, and the other bases the association's policy enables."""
    from parcours.consent.models import ConsentPolicy

    policy = ConsentPolicy.objects.with_scopes_disabled().filter(association=association).first()
    others = set(policy.other_bases) if policy else set()
    return [LawfulBasis.CONSENT, *(b for b in OTHER_BASES if b in others)]


def basis_check(*, association, lawful_basis: Basis | None) -> Basis:
    """The basis cleaned, or ValidationError naming the field; nothing is written."""
    if lawful_basis is None or not getattr(lawful_basis, "basis", ""):
        raise ValidationError(
            {
                "basis": _(
                    "Lawful basis: record the family's consent (or another basis the "
                    "association allows) before saving. Nothing was saved."
                )
            }
        )
    errors = {}
    if lawful_basis.basis not in LawfulBasis.values:
        errors["basis"] = _("Lawful basis: choose one of the proposed bases.")
    elif lawful_basis.basis not in allowed_bases(association):
        errors["basis"] = _(
            "Lawful basis: the association does not allow “%(basis)s”; record the family's "
            "consent instead."
        ) % {"basis": LawfulBasis(lawful_basis.basis).label}
    purposes = frozenset(lawful_basis.purposes or ())
    if purposes - set(Purpose.values):
        errors["purposes"] = _("Purposes: choose among the proposed purposes.")
    elif lawful_basis.basis == LawfulBasis.CONSENT and Purpose.FOLLOW_UP not in purposes:
        errors["purposes"] = _(
            "Purposes: the consent must at least cover follow-up by the association."
        )
    day_error = day_problem(lawful_basis.day)
    if day_error:
        errors["consent_day"] = day_error
    name = " ".join((lawful_basis.collected_by_name or "").split())
    if len(name) > 200:
        errors["collected_by_name"] = _("Collected by: at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return Basis(lawful_basis.basis, lawful_basis.day, purposes, name)


def day_problem(day: date | None) -> str:
    """Why a consent or withdrawal day is not acceptable ('' when it is)."""
    if day is None:
        return _("Date of consent: give the day the family agreed.")
    if day > timezone.localdate():
        return _("Date of consent: it cannot be in the future.")
    if day < EARLIEST:
        return _("Date of consent: it cannot be before 1990.")
    return ""
