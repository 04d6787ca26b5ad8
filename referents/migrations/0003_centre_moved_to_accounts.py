"""Centres now live in the accounts app (same table, tigre/accounts/migrations/0003): the referent's foreign key
follows and the model leaves this app's state. Nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_centre"),
        ("cases", "0008_centre_in_accounts"),
        ("referents", "0002_seed_taxonomy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referent",
                    name="centre",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referents",
                        to="accounts.centre",
                        verbose_name="centre",
                    ),
                ),
                migrations.DeleteModel(name="Centre"),
            ],
            database_operations=[],
        ),
    ]
