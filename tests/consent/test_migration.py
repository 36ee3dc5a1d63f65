"""The old Household.consent_given/consent_date become consent records: nothing is lost."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("consent", "0001_lawful_basis"), ("households", "0002_alter_touchpoint_activity")]


@pytest.mark.django_db(transaction=True)
def test_consent_fields_become_follow_up_consent_records():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        _check_the_migration(executor)
    finally:  # never leave this worker's database on the old schema
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_the_migration(executor):
    old = executor.loader.project_state(BEFORE).apps
    Association = old.get_model("accounts", "Association")
    Household = old.get_model("households", "Household")
    assoc = Association.objects.create(name="Avant", slug="avant")
    dated = Household.objects.create(association=assoc, name="Famille Datée",
                                     consent_given=True, consent_date=date(2025, 3, 4))  # fmt: skip
    undated = Household.objects.create(association=assoc, name="Famille Sans Date",
                                       consent_given=True)  # fmt: skip
    never = Household.objects.create(association=assoc, name="Famille Sans Accord")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Record = new.get_model("consent", "ConsentRecord")
    rows = {r.household_id: r for r in Record.objects.all()}
    assert set(rows) == {dated.pk, undated.pk}
    assert (rows[dated.pk].purpose, rows[dated.pk].basis, rows[dated.pk].action) == (
        "follow_up", "consent", "given",
    )  # fmt: skip
    assert rows[dated.pk].day == date(2025, 3, 4)
    assert rows[undated.pk].day == undated.created_at.date()
    assert never.pk not in rows
    assert rows[dated.pk].association_id == assoc.pk
