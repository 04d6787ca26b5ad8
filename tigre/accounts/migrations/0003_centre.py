"""Centres move from the referents app to accounts (users belong to one; this layer depends on no app). The table
keeps its name: the model, its rows and every foreign key to it stay as they are (state only). The content type
follows, so the permissions on centres keep their ids and their groups."""

import django.db.models.deletion
from django.db import migrations, models

import tigre.lib.validators


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="centre").exists():
        ContentType.objects.filter(app_label="referents", model="centre").update(app_label="accounts")


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="accounts", model="centre").update(app_label="referents")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("referents", "0002_seed_taxonomy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Centre",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="nom")),
                        ("city", models.CharField(max_length=100, verbose_name="ville")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("chu", "CHU coordonnateur"),
                                    ("hospital", "Centre hospitalier"),
                                    ("cancer_centre", "Centre de lutte contre le cancer"),
                                    ("clinic", "Clinique privée"),
                                ],
                                default="hospital",
                                max_length=16,
                                verbose_name="type",
                            ),
                        ),
                        (
                            "finess",
                            models.CharField(
                                blank=True,
                                max_length=9,
                                validators=[tigre.lib.validators.validate_finess],
                                verbose_name="numéro FINESS",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "centre",
                        "verbose_name_plural": "centres",
                        "db_table": "referents_centre",
                        "ordering": ["name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("name", "city"), name="centre_unique_name_city"),
                            models.UniqueConstraint(
                                condition=models.Q(("finess", ""), _negated=True),
                                fields=("finess",),
                                name="centre_unique_finess",
                            ),
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="user",
                    name="centre",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="users",
                        to="accounts.centre",
                        verbose_name="centre",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, back),
    ]
