"""The trail names the request and the patient by id instead of a foreign key to another app (the shared layer
knows no app). The columns stay as they are (case_id, patient_id, already without constraint): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="accesslog", name="audit_acces_case_id_c57c54_idx"),
                migrations.RemoveField(model_name="accesslog", name="case"),
                migrations.RemoveField(model_name="accesslog", name="patient"),
                migrations.AddField(
                    model_name="accesslog",
                    name="case_id",
                    field=models.BigIntegerField(null=True, verbose_name="demande"),
                ),
                migrations.AddField(
                    model_name="accesslog",
                    name="patient_id",
                    field=models.BigIntegerField(db_index=True, null=True, verbose_name="patient"),
                ),
                migrations.AddIndex(
                    model_name="accesslog",
                    index=models.Index(fields=["case_id", "-at"], name="audit_acces_case_id_c57c54_idx"),
                ),
            ],
            database_operations=[],
        ),
    ]
