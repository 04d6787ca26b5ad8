"""`manage.py import_referents FILE`: the CSV import of the directory, all-or-nothing (see README-import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from referents.csv_io import referents_import


class Command(BaseCommand):
    help = (
        "Importe une liste de référents (CSV « ; » ou « , », UTF-8 ou Windows-1252). Tout ou rien : "
        "une seule ligne fausse et rien n'est importé. Colonnes : referents/README-import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Chemin du fichier CSV")
        parser.add_argument("--dry-run", action="store_true", help="Vérifie le fichier sans rien enregistrer")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Lecture impossible de {path} : {exc.strerror or exc}") from exc
        report = referents_import(data=data, dry_run=options["dry_run"])
        for message in report.file_errors:
            self.stderr.write(message)
        for error in report.errors:
            self.stderr.write(f"Ligne {error.line} : " + " ; ".join(error.reasons))
        if not report.ok:
            raise CommandError(
                f"Fichier refusé ({len(report.errors)} ligne(s) en erreur sur {report.rows}) : rien n'a été importé."
            )
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"Fichier correct : {report.rows} ligne(s). Rien n'a été enregistré."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Import réussi : {report.created} référent(s) ajouté(s), {report.updated} mis à jour "
                f"({report.rows} ligne(s))."
            )
        )
