"""Lawful bases for the demo association's households, written in bulk by parcours.seed.

Realistic and deterministic: most families consent at their first contact (collected by a
volunteer, sometimes by a partner on paper); a few newcomers to open activities are followed on
the association's legitimate interest, which the demo policy allows with its justification.
Families in a sponsorship consented to sponsoring; about 85% to messages, half to photos; some
withdrew photos later, and a few withdrew messages.
"""

from __future__ import annotations

import zlib
from datetime import date

from parcours.consent.models import ConsentPolicy, ConsentRecord, LawfulBasis, Purpose

JUSTIFICATION = (
    "Intérêt légitime : inscrire le nom et le quartier des personnes venues d'elles-mêmes à une "
    "activité ouverte, pour les accueillir et compter la fréquentation. Mise en balance faite le "
    "5 janvier 2026 : données minimales, pas de données sensibles, opposition possible à tout "
    "moment ; le consentement reste demandé pour le parrainage, les messages et les photos."
)
PARTNERS = ("CCAS de Roubaix", "Assistante sociale du département", "Centre social Lazare-Garreau")


def _roll(*key) -> float:
    """A deterministic number in [0, 1) for the key (stable across runs and platforms)."""
    return (zlib.crc32(repr(key).encode()) % 10_000) / 10_000


def seed_consents(*, association, households, consent_days, sponsoring: set[int], users, end):
    """Bulk-create the consent records of `households` (Household rows, saved).

    consent_days: household pk -> day of first consent; sponsoring: pks of households in a
    sponsorship (sponsored or sponsor family); users: who collected consents.
    """
    ConsentPolicy.objects.create(
        association=association,
        other_bases=[LawfulBasis.LEGITIMATE_INTEREST],
        justification=JUSTIFICATION,
    )
    given, withdrawn = ConsentRecord.Action.GIVEN, ConsentRecord.Action.WITHDRAWN
    rows = []
    for h in households:
        day = consent_days[h.pk]
        by = users[zlib.crc32(f"by{h.pk}".encode()) % len(users)] if users else None
        partner = PARTNERS[h.pk % len(PARTNERS)] if _roll("paper", h.pk) < 0.1 else ""
        other = h.pk not in sponsoring and _roll("basis", h.pk) < 0.06

        def row(purpose, basis, action, on, h=h, by=by, partner=partner):
            return ConsentRecord(
                association=association, household=h, purpose=purpose, basis=basis,
                action=action, day=on, collected_by=by, collected_by_name=partner,
            )  # fmt: skip

        basis = LawfulBasis.LEGITIMATE_INTEREST if other else LawfulBasis.CONSENT
        rows.append(row(Purpose.FOLLOW_UP, basis, given, day))
        wants = {
            Purpose.SPONSORING: h.pk in sponsoring or _roll("sp", h.pk) < 0.6,
            Purpose.MESSAGES: _roll("msg", h.pk) < 0.85,
            Purpose.PHOTOS: _roll("ph", h.pk) < 0.5,
        }
        for purpose, yes in wants.items():
            if yes and not other:
                rows.append(row(purpose, LawfulBasis.CONSENT, given, day))
        if wants[Purpose.PHOTOS] and not other and _roll("ph-w", h.pk) < 0.1:
            later = date.fromordinal(day.toordinal() + (end.toordinal() - day.toordinal()) // 2)
            rows.append(row(Purpose.PHOTOS, LawfulBasis.CONSENT, withdrawn, later))
        if wants[Purpose.MESSAGES] and not other and _roll("msg-w", h.pk) < 0.03:
            rows.append(row(Purpose.MESSAGES, LawfulBasis.CONSENT, withdrawn, end))
    ConsentRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
