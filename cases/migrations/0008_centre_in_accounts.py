"""Centres now live in the accounts app (same table): the foreign keys follow, in the state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_centre"),
        ("cases", "0007_avis_without_meeting"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="requester_centre",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="accounts.centre",
                        verbose_name="centre du demandeur",
                    ),
                ),
                migrations.AlterField(
                    model_name="patient",
                    name="treating_centre",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="accounts.centre",
                        verbose_name="centre de prise en charge",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
