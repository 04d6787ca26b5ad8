"""`manage.py french_plurals`: write the French catalogue, which holds only the plural messages.

The UI is written in French, so French needs no translation, except for one thing gettext cannot know: French
plural rules (0 and 1 take the singular: "0 demande", "1 demande", "2 demandes"). Without a French catalogue,
ngettext falls back to the English rule (only 1 is singular). The catalogue therefore carries each plural message
with its own two forms and French's Plural-Forms. It is written from the English catalogue's plural entries
(`makemessages -l en` keeps that one complete); then `compilemessages -l fr`. `make messages` does all three.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

HEADER = (
    "French catalogue of TIGRE e-RCP: only the plural messages, with their own forms, for French plural rules.\n"
    "Written by `manage.py french_plurals` from the English catalogue; do not edit by hand."
)


class Command(BaseCommand):
    help = "Write locale/fr/LC_MESSAGES/django.po: the plural messages of the English catalogue, French rules."

    def handle(self, *args: Any, **options: Any) -> None:
        import polib

        locale = Path(settings.BASE_DIR) / "locale"
        english = polib.pofile(str(locale / "en" / "LC_MESSAGES" / "django.po"))
        french = polib.POFile(wrapwidth=120)
        french.header = HEADER
        french.metadata = {
            "Project-Id-Version": "TIGRE e-RCP",
            "Language": "fr",
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": "nplurals=2; plural=(n > 1);",
        }
        for entry in english:
            if entry.msgid_plural and not entry.obsolete:
                french.append(
                    polib.POEntry(
                        msgid=entry.msgid,
                        msgid_plural=entry.msgid_plural,
                        msgctxt=entry.msgctxt,
                        msgstr_plural={0: entry.msgid, 1: entry.msgid_plural},
                        flags=[f for f in entry.flags if f != "fuzzy"],
                    )
                )
        target = locale / "fr" / "LC_MESSAGES" / "django.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        french.save(str(target))
        self.stdout.write(f"{len(french)} plural messages written to {target.relative_to(settings.BASE_DIR)}")
