"""Create the meetings of the coming Wednesdays (idempotent): what the periodic task does, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.services import meetings_create_ahead


class Command(BaseCommand):
    help = "Crée les réunions des prochains mercredis (idempotent) et signale les jours fériés."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--weeks", type=int, default=8, help="Nombre de mercredis à couvrir (défaut : 8).")

    def handle(self, *args: Any, **options: Any) -> None:
        weeks = options["weeks"]
        if not 1 <= weeks <= 104:
            raise CommandError("--weeks doit être compris entre 1 et 104.")
        created = meetings_create_ahead(weeks=weeks)
        for meeting in created:
            when = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M")
            flag = f" — jour férié : {meeting.holiday_name}" if meeting.holiday_name else ""
            self.stdout.write(f"Réunion créée : {when}{flag}")
        self.stdout.write(self.style.SUCCESS(f"{len(created)} réunion(s) créée(s)."))
