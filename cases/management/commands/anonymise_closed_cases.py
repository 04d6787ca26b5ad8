"""Retention limit: anonymise the patients whose requests all ended more than TIGRE["CASE_RETENTION_YEARS"] ago."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.privacy.gdpr import cases_anonymise_closed


class Command(BaseCommand):
    help = "Anonymise les patients dont toutes les demandes sont closes depuis plus que la durée de conservation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Liste ce qui serait anonymisé, sans rien modifier.")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = cases_anonymise_closed(dry_run=options["dry_run"])
        for line in plan.lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write("Simulation : rien n'a été modifié.")
        elif plan.patients:
            self.stdout.write(self.style.SUCCESS(f"{len(plan.patients)} patient(s) anonymisé(s)."))
