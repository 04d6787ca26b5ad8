"""Relatlimab's ATC code: it is only given as the fixed combination with nivolumab, coded L01FY02 ("nivolumab and
relatlimab", WHO ATC 2024; ATC-DE 2024 agrees). Databases seeded with the former wrong code are corrected; a code an
administrator changed by hand is left alone."""

from __future__ import annotations

from django.db import migrations


def correct(apps, schema_editor):
    apps.get_model("cases", "Drug").objects.filter(name="relatlimab", atc_code="L01XY03").update(atc_code="L01FY02")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_seed_drugs")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
