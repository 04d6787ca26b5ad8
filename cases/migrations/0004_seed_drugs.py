"""Seed the ICI catalogue of docs/domain.md#drug-catalogue (admin-editable afterwards)."""

from __future__ import annotations

from django.db import migrations

# (name, target, ATC code). Every ICI is a monoclonal antibody, hence a biologic (batch number for PV).
DRUGS = [
    ("nivolumab", "PD-1", "L01FF01"),
    ("pembrolizumab", "PD-1", "L01FF02"),
    ("cemiplimab", "PD-1", "L01FF06"),
    ("dostarlimab", "PD-1", "L01FF07"),
    ("retifanlimab", "PD-1", "L01FF10"),
    ("toripalimab", "PD-1", "L01FF13"),
    ("tislelizumab", "PD-1", "L01FF09"),
    ("durvalumab", "PD-L1", "L01FF03"),
    ("avelumab", "PD-L1", "L01FF04"),
    ("atezolizumab", "PD-L1", "L01FF05"),
    ("ipilimumab", "CTLA-4", "L01FX04"),
    ("tremelimumab", "CTLA-4", "L01FX20"),
    ("relatlimab", "LAG-3", "L01FY02"),  # only as the fixed combination with nivolumab: its ATC code (WHO 2024)
]


def seed(apps, schema_editor):
    Drug = apps.get_model("cases", "Drug")
    for name, target, atc in DRUGS:
        Drug.objects.update_or_create(name=name, defaults={"target": target, "atc_code": atc, "is_biologic": True})


def unseed(apps, schema_editor):
    apps.get_model("cases", "Drug").objects.filter(name__in=[d[0] for d in DRUGS], lines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_draft_fields")]

    operations = [migrations.RunPython(seed, unseed)]
