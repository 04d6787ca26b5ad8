"""Right of access: everything held about one patient, as JSON (recorded in the access trail as EXPORT)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.privacy.gdpr import export_json, patient_export, patients_for_query
from tigre.audit.models import AccessLog
from tigre.audit.services import access_log_write


class Command(BaseCommand):
    help = "Exporte en JSON tout ce qui est conservé sur un patient (droit d'accès RGPD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="Référence d'une demande du patient (TIGRE-AAAA-NNNN) ou INS.")
        parser.add_argument("--output", "-o", help="Fichier à écrire (sinon la sortie standard).")

    def handle(self, *args: Any, **options: Any) -> None:
        patients = patients_for_query(options["query"])
        if not patients:
            raise CommandError("Aucun patient ne correspond à cette référence ou à cet INS.")
        text = export_json(patient_export(patients=patients))
        for patient in patients:
            access_log_write(
                user=None,
                action=AccessLog.Action.EXPORT,
                patient=patient,
                target="Export RGPD (commande export_patient)",
            )
        patient = patients[0]
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Export écrit dans {options['output']} (patient n°{patient.pk}).")
        else:
            self.stdout.write(text)
