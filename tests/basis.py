"""The lawful basis test data is created on: the family's consent to every purpose."""

from datetime import date

from parcours.consent.basis import COVERED_BY_HOUSEHOLD, Basis

BASIS = Basis.consent(date(2026, 1, 1))
COVERED = COVERED_BY_HOUSEHOLD
