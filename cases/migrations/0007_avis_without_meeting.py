"""Requests know nothing of meetings: the avis' foreign key to its meeting goes (the agenda item points at the
avis since meetings 0004) and its meeting date becomes required."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_avis_meeting_at"),
        ("meetings", "0004_agendaitem_avis"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="avis", name="avis_unique_case_meeting"),
        migrations.RemoveField(model_name="avis", name="meeting"),
        migrations.AlterField(
            model_name="avis",
            name="meeting_at",
            field=models.DateTimeField(verbose_name="date de la RCP"),
        ),
    ]
