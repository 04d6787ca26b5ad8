"""Load the guideline summaries of referents/fixtures/guidelines.json (docs/domain.md#guidelines-beside-the-avis).

Reads the versioned file through ``referents.services.guidelines_load`` with the historical models: a later
version of the file is loaded by running ``guidelines_load`` again (it replaces the rows of an older version)."""

from __future__ import annotations

from django.db import migrations

from referents.services import guidelines_load


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    guidelines_load(
        guideline_model=apps.get_model("referents", "Guideline"),
        category_model=apps.get_model("referents", "OrganCategory"),
    )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("referents", "Guideline").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("referents", "0004_guideline")]

    operations = [migrations.RunPython(load, unload)]
