"""Kept report files for the access matrix (URL_KWARGS): one per association and audience, the
one the role walking the matrix would be given (with the support figures when it may learn of
support), so an allowed role reads 200 and the other association 404."""

from __future__ import annotations

from datetime import date

from django_scopes import scopes_disabled


def report_file(world, which, role=None):
    from parcours.accounts import visibility
    from parcours.accounts.models import Membership
    from parcours.reports.models import ReportFile

    association = world.a if which == "a" else world.b
    with_support = False
    if role is not None:
        with scopes_disabled():
            membership = Membership.objects.get(user=world.user(role, which))
        with_support = visibility.sees_support(membership)
    with scopes_disabled():
        return ReportFile.objects.get_or_create(
            association=association, start=date(2025, 1, 1), end=date(2025, 12, 31),
            format="pdf", language="fr", with_support=with_support,
            defaults={"name": "rapport.pdf", "content": b"%PDF-1.7 matrix"},
        )[0]  # fmt: skip


URL_KWARGS = {"file_pk": report_file}
