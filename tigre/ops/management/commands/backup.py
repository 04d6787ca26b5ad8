"""manage.py backup [--output-dir DIR]: the database and MEDIA_ROOT in one dated, checksummed archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tigre.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sauvegarde la base (pg_dump -Fc) et MEDIA_ROOT dans une archive datée, avec ses sommes SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            default=str(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups")),
            help="Dossier où écrire l'archive (défaut : BACKUP_DIR).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "La sauvegarde demande PostgreSQL (DATABASE_URL) ; la base SQLite de démonstration n'en a pas."
            )
        try:
            path = backup_create(
                db=connection.settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                output_dir=Path(options["output_dir"]),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {path}"))
        self.stdout.write(f"Vérification : sha256sum -c {path.name}.sha256 (dans {path.parent})")
