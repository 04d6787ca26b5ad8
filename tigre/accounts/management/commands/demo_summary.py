"""Print the demo accounts and how to log in (demo settings only)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tigre.accounts.demo import DEMO_ACCOUNTS
from tigre.accounts.otp import demo_totp_lines


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TIGRE.get("DEMO"):
            raise CommandError("Réservé aux réglages de démonstration.")
        password = os.environ.get("DEMO_PASSWORD", "tigre-demo")
        out = self.stdout
        out.write("")
        out.write("=" * 72)
        out.write("TIGRE e-RCP — http://127.0.0.1:8000/")
        out.write(f"Comptes de démonstration (mot de passe : {password})")
        for email, first, last, *_rest, roles in DEMO_ACCOUNTS:
            out.write(f"  {email:28} {first} {last} — {', '.join(roles)}")
        for line in self._second_factor_lines():
            out.write(line)
        out.write("=" * 72)

    def _second_factor_lines(self) -> list[str]:
        return demo_totp_lines()
