"""The avis records when the board met (the meeting's start), filled from its meeting for existing rows; the
meeting's link to the avis moves to the meetings side (meetings 0004), then the foreign key goes (0007)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Avis = apps.get_model("cases", "Avis")
    Meeting = apps.get_model("meetings", "Meeting")
    Avis.objects.update(meeting_at=Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).values("starts_at")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_relatlimab_atc"),
        ("meetings", "0003_meeting_planned_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="avis",
            name="meeting_at",
            field=models.DateTimeField(null=True, verbose_name="date de la RCP"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
