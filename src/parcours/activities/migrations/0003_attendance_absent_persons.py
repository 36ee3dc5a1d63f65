# Attendance per person (issue 14): the members of a present household who did not come.
# Existing rows get none, so they keep meaning "the whole household came".

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_schedules_sessions_attendance"),
        ("households", "0004_household_archive"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="absent_persons",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="households.person",
                verbose_name="members who did not come",
            ),
        ),
    ]
