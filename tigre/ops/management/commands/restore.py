"""manage.py restore ARCHIVE: into an EMPTY database (DATABASE_URL) and an empty MEDIA_ROOT, checksums first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tigre.ops.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "Restaure une archive de `manage.py backup` dans une base vide, après en avoir vérifié les sommes SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="L'archive tigre-backup-….tar")
        parser.add_argument("--media-root", default=None, help="Où écrire les fichiers (défaut : MEDIA_ROOT).")
        parser.add_argument("--check-only", action="store_true", help="Vérifier l'archive sans rien restaurer.")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            if options["check_only"]:
                manifest = backup_verify(archive)
                self.stdout.write(self.style.SUCCESS(f"Archive intègre ({len(manifest['files'])} fichiers)."))
                return
            if connection.vendor != "postgresql":
                raise CommandError("La restauration demande PostgreSQL (DATABASE_URL).")
            connection.close()  # the restore uses connections of its own
            manifest = backup_restore(
                archive_path=archive,
                db=connection.settings_dict,
                media_root=Path(options["media_root"] or settings.MEDIA_ROOT),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée : {rows} lignes dans {len(manifest['row_counts'])} tables, "
                f"{len(manifest['files']) - 1} fichiers, sauvegarde du {manifest['created_at']}."
            )
        )
        self.stdout.write("Ensuite : manage.py migrate (sans effet si le code est de la même version).")
