"""Relations become relative to one reference person per household (issue 11).

Before, a member was a parent, child, grandparent or other *of the household*. Now each member is
placed relative to the household's reference person. Mapping of the recorded values:

- the reference person is the contact person, else the eldest parent (then the eldest member);
- when the reference person is a parent: the other parents become "spouse or partner", children
  stay children, grandparents become "parent" (of the reference person: the usual case of a
  grandparent living with the family), others stay "other";
- when the reference person is a child (no parent recorded): the other children become brothers
  or sisters; parents and grandparents keep their values (they are the children's);
- otherwise the values stay as they were.
"""

from django.db import migrations, models


def _eldest_key(person):
    return (person.birth_year is None, person.birth_year or 0, person.pk)


def place_relative_to_reference(apps, schema_editor):
    Person = apps.get_model("households", "Person")
    by_household = {}
    for person in Person.objects.all().order_by("household_id", "pk"):
        by_household.setdefault(person.household_id, []).append(person)
    for members in by_household.values():
        contacts = [p for p in members if p.is_contact]
        parents = sorted((p for p in members if p.relation == "parent"), key=_eldest_key)
        reference = (contacts or parents or sorted(members, key=_eldest_key))[0]
        was = reference.relation
        for person in members:
            old = person.relation
            if person is reference:
                new = "reference"
            elif was == "parent":
                new = {"parent": "spouse", "grandparent": "parent"}.get(old, old)
            elif was == "child":
                new = "sibling" if old == "child" else old
            else:
                new = old
            if new != old:
                person.relation = new
                person.save(update_fields=["relation"])


def back_to_household_relations(apps, schema_editor):
    Person = apps.get_model("households", "Person")
    Person.objects.filter(relation__in=["reference", "spouse"]).update(relation="parent")
    Person.objects.filter(relation="sibling").update(relation="child")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0004_household_archive"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="relation",
            field=models.CharField(
                choices=[
                    ("reference", "Reference person"),
                    ("spouse", "Spouse or partner"),
                    ("parent", "Parent"),
                    ("child", "Child"),
                    ("sibling", "Brother or sister"),
                    ("grandparent", "Grandparent"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="relation to the reference person",
            ),
        ),
        migrations.AlterField(
            model_name="household",
            name="archived_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("retention", "No contact from the family within the retention period"),
                    ("by_hand", "Archived by the team"),
                ],
                max_length=20,
                verbose_name="why archived",
            ),
        ),
        migrations.RunPython(place_relative_to_reference, back_to_household_relations),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("relation", "reference")),
                fields=("household",),
                name="households_one_reference_person",
            ),
        ),
    ]
