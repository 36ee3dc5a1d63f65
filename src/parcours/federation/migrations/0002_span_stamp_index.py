"""An index on the stage spans' (association_id, id): the federation reads each member
association's spans count and highest id (parcours.federation.store.stamps) from it alone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("journey", "0002_audience"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX federation_span_stamp ON journey_stagespan (association_id, id)",
            "DROP INDEX federation_span_stamp",
        )
    ]
