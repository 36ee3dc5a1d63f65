"""Every existing association gets the shipped activity types and contact channels (plus any
value its records already use), and its neighbourhood list from the values its households and
outreach actions already hold."""

from django.db import migrations

ACTIVITY_TYPES = ["listening", "sharing", "activity", "training", "participation"]
CONTACT_CHANNELS = ["door_to_door", "street_stand", "partner", "militant", "other"]


def _entries(model, association, builtin, used):
    rows = [model(association=association, key=k, builtin=True, position=i)
            for i, k in enumerate(builtin)]
    extra = sorted(set(used) - set(builtin) - {""})
    rows += [model(association=association, key=k[:20], label=k, position=len(builtin) + i)
             for i, k in enumerate(extra)]
    model.objects.bulk_create(rows)


def backfill(apps, schema_editor):
    Association = apps.get_model("accounts", "Association")
    Household = apps.get_model("households", "Household")
    Activity = apps.get_model("activities", "Activity")
    OutreachAction = apps.get_model("outreach", "OutreachAction")
    ActivityType = apps.get_model("association_settings", "ActivityType")
    ContactChannel = apps.get_model("association_settings", "ContactChannel")
    Neighbourhood = apps.get_model("association_settings", "Neighbourhood")
    for association in Association.objects.all():
        used = Activity.objects.filter(association=association).values_list("category", flat=True)
        _entries(ActivityType, association, ACTIVITY_TYPES, used)
        used = OutreachAction.objects.filter(association=association).values_list(
            "channel", flat=True
        )
        _entries(ContactChannel, association, CONTACT_CHANNELS, used)
        names = set()
        for model in (Household, OutreachAction):
            names |= set(
                model.objects.filter(association=association)
                .values_list("neighbourhood", flat=True)
                .distinct()
            )
        Neighbourhood.objects.bulk_create(
            [Neighbourhood(association=association, name=n.strip()[:100])
             for n in sorted({n.strip() for n in names if n and n.strip()})]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("association_settings", "0001_initial"),
        ("households", "0001_initial"),
        ("activities", "0004_alter_activity_category"),
        ("outreach", "0002_alter_outreachaction_channel"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
