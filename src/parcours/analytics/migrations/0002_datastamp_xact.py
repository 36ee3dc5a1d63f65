# The stamp changes once per transaction on PostgreSQL (parcours.analytics.stamps): the
# transaction that set it is kept beside it, and the trigger functions are replaced.

from django.db import migrations, models

from parcours.analytics import stamps


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="datastamp",
            name="xact",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="transaction"),
        ),
        migrations.RunPython(stamps.install, migrations.RunPython.noop),
    ]
