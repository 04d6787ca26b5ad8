"""The documents panel of the meeting and session pages: agenda, minutes and fiches RCP, each PDF in a new tab, the
fiches limited to what the reader may open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.documents import services
from tests.factories.documents import build_meeting, validate_meeting
from tests.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def validated(cora: Any, monkeypatch: Any) -> Any:
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: None)
    meeting = build_meeting(3, coordinators=[cora], with_avis=True, drafted_by=cora)
    validate_meeting(meeting, by=cora)
    return meeting


def _links(panel: str) -> list[str]:
    return re.findall(r"<a [^>]*>", panel)


def _panel_queries(client: Any, meeting: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("documents:meeting_panel", args=[meeting.pk]))
    return len(queries)


def test_panel_lists_agenda_and_fiches_opening_in_a_new_tab(client: Any, cora: Any, validated: Any) -> None:
    login(client, cora)
    panel = client.get(reverse("documents:meeting_panel", args=[validated.pk])).content.decode()
    assert reverse("documents:agenda_pdf", args=[validated.pk]) in panel
    assert "3 fiches RCP" in panel
    for item in validated.items.select_related("avis", "case"):
        assert reverse("documents:fiche_pdf", args=[item.avis.pk]) in panel
        assert item.case.reference in panel
    links = _links(panel)
    assert len(links) == 4 and all('target="_blank"' in a and 'rel="noopener"' in a for a in links)


def test_panel_queries_do_not_grow_with_the_fiches(client: Any, cora: Any, validated: Any) -> None:
    login(client, cora)
    bigger = build_meeting(7, coordinators=[cora], with_avis=True, drafted_by=cora)
    validate_meeting(bigger, by=cora)
    _panel_queries(client, validated)  # the documents are requested on the first view
    _panel_queries(client, bigger)
    assert _panel_queries(client, bigger) == _panel_queries(client, validated)


def test_fiches_are_those_of_the_readers_scope(client: Any, validated: Any) -> None:
    item = validated.items.select_related("case__requester").first()
    login(client, item.case.requester)
    panel = client.get(reverse("documents:meeting_panel", args=[validated.pk])).content.decode()
    assert "1 fiche RCP" in panel
    assert reverse("documents:fiche_pdf", args=[item.avis.pk]) in panel
    others = validated.items.exclude(pk=item.pk).select_related("avis")
    for other in others:
        assert reverse("documents:fiche_pdf", args=[other.avis.pk]) not in panel


def test_no_fiches_before_validation(client: Any, cora: Any) -> None:
    meeting = build_meeting(2, coordinators=[cora], with_avis=True, drafted_by=cora)
    login(client, cora)
    panel = client.get(reverse("documents:meeting_panel", args=[meeting.pk])).content.decode()
    assert "fiche" not in panel.lower()


def test_session_page_loads_the_documents_panel(client: Any, cora: Any, validated: Any) -> None:
    login(client, cora)
    page = client.get(reverse("meetings:session", args=[validated.pk])).content.decode()
    assert reverse("documents:meeting_panel", args=[validated.pk]) in page
