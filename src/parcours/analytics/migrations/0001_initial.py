# The data stamp and its triggers (parcours.analytics.stamps).

from django.db import migrations, models

from parcours.analytics import stamps


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_association_settings"),
        ("households", "0006_person_sex"),
        ("journey", "0002_audience"),
        ("activities", "0004_alter_activity_category"),
        ("community", "0002_closure_consent_withdrawn"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataStamp",
            fields=[
                (
                    "association_id",
                    models.BigIntegerField(
                        primary_key=True, serialize=False, verbose_name="association"
                    ),
                ),
                ("token", models.BigIntegerField(default=0, verbose_name="token")),
            ],
            options={
                "verbose_name": "analytics data stamp",
                "verbose_name_plural": "analytics data stamps",
            },
        ),
        migrations.RunPython(stamps.install, stamps.uninstall),
    ]
