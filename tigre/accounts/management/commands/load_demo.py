"""Load the demo data (invented people only). Idempotent; refused outside demo settings."""

from __future__ import annotations

import importlib
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each step is "module:function", called in this order with (password=..., stdout=...).
DEMO_STEPS = [
    "referents.demo:load_centres",
    "tigre.accounts.demo:load",
    "referents.demo:load_referents",
    "cases.demo:load",
    "meetings.demo:load",
    "meetings.demo_session:load",
    "meetings.demo_history:load",
    "meetings.exports.demo:load",
    "cases.pharmacovigilance.demo:load",
    "meetings.statistics.demo:load",
    "tigre.accounts.otp:load_demo_devices",
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (personnes et patients fictifs). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TIGRE.get("DEMO"):
            raise CommandError(
                "Refusé : les données de démonstration ne se chargent jamais avec les réglages de production."
            )
        password = os.environ.get("DEMO_PASSWORD", "tigre-demo")
        with transaction.atomic():
            for step in DEMO_STEPS:
                module_name, func_name = step.split(":")
                func = getattr(importlib.import_module(module_name), func_name)
                func(password=password, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
