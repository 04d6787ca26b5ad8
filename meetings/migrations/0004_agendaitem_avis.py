"""A meeting's agenda item points at the avis given on it (the avis no longer points at the meeting). Existing
avis are linked to their item; an avis without one (never the case through the app) gets a discussed item."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max


def link(apps, schema_editor):
    Avis = apps.get_model("cases", "Avis")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for avis in Avis.objects.all().only("pk", "case_id", "meeting_id").iterator():
        item = AgendaItem.objects.filter(meeting_id=avis.meeting_id, case_id=avis.case_id).first()
        if item is None:
            last = AgendaItem.objects.filter(meeting_id=avis.meeting_id).aggregate(m=Max("position"))["m"]
            item = AgendaItem.objects.create(
                meeting_id=avis.meeting_id,
                case_id=avis.case_id,
                position=(last or 0) + 1,
                outcome="discussed",
                placed_manually=True,
            )
        AgendaItem.objects.filter(pk=item.pk).update(avis_id=avis.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_avis_meeting_at"),
        ("meetings", "0003_meeting_planned_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="avis",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="agenda_item",
                to="cases.avis",
            ),
        ),
        migrations.RunPython(link, migrations.RunPython.noop),
    ]
