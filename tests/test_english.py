"""The English catalogue: the footer's language cookie switches the UI to English; French stays the default."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def test_the_english_cookie_gives_the_login_page_in_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Log in to TIGRE e-RCP" in html
    assert "Connexion à TIGRE e-RCP" not in html


def test_without_the_cookie_the_login_page_stays_french(client) -> None:
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Connexion à TIGRE e-RCP" in html
    assert "Log in to TIGRE e-RCP" not in html


def test_plurals_and_placeholders_are_translated() -> None:
    with translation.override("en"):
        assert translation.ngettext("%(n)d réunion créée.", "%(n)d réunions créées.", 1) % {"n": 1} == (
            "1 meeting created."
        )
        assert translation.ngettext("%(n)d réunion créée.", "%(n)d réunions créées.", 3) % {"n": 3} == (
            "3 meetings created."
        )
        assert translation.gettext("Seul le demandeur peut soumettre cette demande.") == (
            "Only the requester can submit this request."
        )


def _unquote(lines: str) -> str:
    return "".join(re.findall(r'^"(.*)"$', lines, re.M)).replace('\\"', '"').replace("\\n", "\n")


def _po_entries(text: str) -> dict[str, str]:
    """msgid -> msgstr for every singular, non-header entry of the .po."""
    entries = {}
    for block in text.split("\n\n"):
        m = re.search(r'^msgid ("(?:.*)"\n(?:".*"\n)*)msgstr ("(?:.*)"(?:\n".*")*)', block + "\n", re.M)
        if m:
            msgid = _unquote(m.group(1))
            if msgid:
                entries[msgid] = _unquote(m.group(2))
    return entries


def test_the_compiled_catalogue_matches_the_po_and_leaves_nothing_untranslated() -> None:
    """The .mo is committed (run-time machines have no gettext): it must match the .po, every entry translated."""
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    with (CATALOGUE / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    entries = _po_entries(po)
    assert len(entries) > 1000
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == [], f"translate these messages: {untranslated[:5]!r}"
    stale = [msgid for msgid, msgstr in entries.items() if mo.gettext(msgid) != msgstr]
    assert stale == [], f"run `manage.py compilemessages -l en --ignore=.venv`: {stale[:5]!r}"
