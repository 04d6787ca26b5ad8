"""French plural rules: the French catalogue carries every plural message with its own forms (0 and 1 singular)."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


def _plurals(po_path: Path) -> dict[str, str]:
    import polib

    return {e.msgid: e.msgid_plural for e in polib.pofile(str(po_path)) if e.msgid_plural and not e.obsolete}


def test_zero_and_one_take_the_singular_in_french() -> None:
    with translation.override("fr"):
        for n, expected in ((0, "0 réunion créée."), (1, "1 réunion créée."), (2, "2 réunions créées.")):
            assert translation.ngettext("%(n)d réunion créée.", "%(n)d réunions créées.", n) % {"n": n} == expected
    with translation.override("en"):  # English keeps its own rule
        assert translation.ngettext("%(n)d réunion créée.", "%(n)d réunions créées.", 0) % {"n": 0} == (
            "0 meetings created."
        )


def test_the_french_catalogue_holds_every_plural_message_with_its_own_forms() -> None:
    english = _plurals(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    french = _plurals(LOCALE / "fr" / "LC_MESSAGES" / "django.po")
    assert len(english) > 20
    assert french == english, "run `make messages` (manage.py french_plurals, compilemessages -l fr)"
    with (LOCALE / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for singular, plural in french.items():
        assert (mo.ngettext(singular, plural, 0), mo.ngettext(singular, plural, 2)) == (singular, plural)


def test_the_command_writes_the_same_catalogue(tmp_path, settings) -> None:
    """What is committed is what the command writes from the English catalogue."""
    import shutil

    shutil.copytree(LOCALE / "en", tmp_path / "locale" / "en")
    settings.BASE_DIR = tmp_path
    call_command("french_plurals", stdout=io.StringIO())
    written = (tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert written == (LOCALE / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_an_empty_agenda_says_0_demande(client, sam) -> None:
    from django.urls import reverse

    from tests.factories.meetings import MeetingFactory
    from tests.helpers import login

    meeting = MeetingFactory()
    login(client, sam)
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "0 demande sur" in html and "0 demandes sur" not in html
