"""The outbox knows no domain: what a message is about becomes a generic relation (it was two foreign keys to
requests and meetings), and each row carries its template and in-app link. Existing rows keep what they were
about, their subject (without the e-mail prefix, which delivery adds) and a link to the same page as before."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type, _ = ContentType.objects.get_or_create(app_label="cases", model="case")
    meeting_type, _ = ContentType.objects.get_or_create(app_label="meetings", model="meeting")
    for n in Notification.objects.all().only("pk", "kind", "case_id", "meeting_id", "subject").iterator():
        if n.case_id:
            about_type, about_id, link = case_type, n.case_id, f"/demandes/{n.case_id}/"
        elif n.meeting_id:
            about_type, about_id, link = meeting_type, n.meeting_id, f"/reunions/{n.meeting_id}/"
        else:
            about_type, about_id, link = None, None, ""
        subject = n.subject.removeprefix("[TIGRE] ")
        Notification.objects.filter(pk=n.pk).update(
            about_type=about_type, about_id=about_id, link=link, template=f"emails/{n.kind}", subject=subject
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0002_outbox_backoff"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="about_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="template",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="link",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="case"),
        migrations.RemoveField(model_name="notification", name="meeting"),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(max_length=32, verbose_name="type"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="subject",
            field=models.CharField(max_length=300, verbose_name="objet"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["about_type", "about_id", "kind"], name="notification_about"),
        ),
    ]
