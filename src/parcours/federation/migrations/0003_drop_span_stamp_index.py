"""The federation's stored figures are stamped by the analytics data stamp now (any write to an
association's journeys changes it, an update of a span's end included, which the spans' count
and highest id missed): the index that served that count goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0002_span_stamp_index"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX federation_span_stamp",
            "CREATE INDEX federation_span_stamp ON journey_stagespan (association_id, id)",
        )
    ]
