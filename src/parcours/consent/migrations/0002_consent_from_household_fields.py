"""Household.consent_given/consent_date become consent records: nothing is lost.

The old checkbox said the family agreed to be recorded: that is consent to follow-up, dated
consent_date (or, if it was missing, the day the household was created). A household without
consent_given gets no record, as before: its page asks for a lawful basis.
"""

from django.db import migrations


def forward(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    ConsentRecord = apps.get_model("consent", "ConsentRecord")
    rows = [
        ConsentRecord(
            association_id=h.association_id, household_id=h.pk, person=None,
            purpose="follow_up", basis="consent", action="given",
            day=h.consent_date or h.created_at.date(), collected_by=None,
            collected_by_name="",
        )
        for h in Household.objects.filter(consent_given=True).iterator(chunk_size=2000)
    ]
    ConsentRecord.objects.bulk_create(rows, batch_size=1000)


def backward(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    ConsentRecord = apps.get_model("consent", "ConsentRecord")
    first = {}
    for r in ConsentRecord.objects.filter(
        person=None, purpose="follow_up", basis="consent", action="given"
    ).order_by("id"):
        first.setdefault(r.household_id, r.day)
    for pk, day in first.items():
        Household.objects.filter(pk=pk).update(consent_given=True, consent_date=day)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_lawful_basis")]

    operations = [migrations.RunPython(forward, backward)]
