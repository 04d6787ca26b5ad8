"""The agenda table's rows, built in Python (meetings/agenda/table.py): every value that someone typed comes out
escaped, whoever typed it (a requester, an administrator naming a centre or a toxicity, a referent's own name), and
the rows carry what the page's buttons and scripts rely on."""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest
from django.urls import reverse

from meetings.agenda.services import agenda_build
from meetings.models import Meeting
from tests.dates import day, meeting_start
from tests.factories.agenda import accepted_case, referent_for
from tests.factories.cases import ToxicityFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import CentreFactory, OrganCategoryFactory, ToxicityEventFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def meeting() -> Meeting:
    return MeetingFactory(starts_at=meeting_start(1), planned_date=day(weeks=1))


def page(client: Any, meeting: Meeting) -> str:
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_typed_value_comes_out_escaped(client: Any, meeting: Meeting, sam: Any) -> None:
    covered = OrganCategoryFactory(label=f"Cœur {HOSTILE}")
    uncovered = OrganCategoryFactory(label=f"Peau {HOSTILE}")  # nobody covers it: the "Aucun référent" line
    referent_for(covered, first_name=HOSTILE, last_name=f"Cardin {HOSTILE}")
    case = accepted_case(
        reference="TIGRE-2026-0101",
        category=covered,
        primary_site_label=f"Mélanome {HOSTILE}",
        patient__birth_name=HOSTILE,
        requester__last_name=f"Durand {HOSTILE}",
        requester_centre=CentreFactory(name=f"CH {HOSTILE}"),
    )
    event = ToxicityEventFactory(category=uncovered, label=f"Colite {HOSTILE}")
    ToxicityFactory(case=case, event=event, grade=3)
    agenda_build(meeting=meeting, by=sam)
    login(client, sam)
    html = page(client, meeting)
    row = re.search(r'<tr id="item-\d+".*?</tr>', html, re.S)
    assert row is not None
    shown = row.group(0)
    assert "<script" not in shown.lower()  # names are upper-cased on the way: no raw tag in any case
    # Site, requester, centre, toxicity, both categories, the referent's names: each escaped where it shows.
    for text in ("Mélanome ", "CH ", "Colite ", "Cœur ", "Peau "):
        assert f"{text}{ESCAPED}" in shown, text
    assert f"DURAND {escape(HOSTILE.upper())}" in shown
    assert f"CARDIN {escape(HOSTILE.upper())}" in shown
    assert "Aucun référent :" in row.group(0)


def test_an_editable_agenda_has_its_buttons_and_the_first_and_last_cannot_move_out(
    client: Any, meeting: Meeting, sam: Any
) -> None:
    for ref, grade in (("A", 4), ("B", 3), ("C", 2)):
        accepted_case(reference=ref, grade=grade)
    agenda_build(meeting=meeting, by=sam)
    meeting.refresh_from_db()
    items = list(meeting.items.order_by("position"))
    login(client, sam)
    html = page(client, meeting)
    first, last = items[0].pk, items[-1].pk
    assert re.search(rf'id="up-{first}"[^>]*\sdisabled', html)
    assert not re.search(rf'id="down-{first}"[^>]*\sdisabled', html)
    assert re.search(rf'id="down-{last}"[^>]*\sdisabled', html)
    assert html.count('draggable="true"') == 3
    shift = reverse("meetings:agenda_shift", args=[meeting.pk, items[1].pk])
    assert f'action="{shift}" hx-post="{shift}"' in html
    assert reverse("meetings:agenda_item_actions", args=[meeting.pk, items[1].pk]) in html
    assert f'name="version" value="{meeting.version}"' in html
    assert 'aria-label="Monter B"' in html and 'aria-label="Autres actions pour B"' in html


def test_a_validated_meeting_s_agenda_offers_no_edit(client: Any, meeting: Meeting, sam: Any) -> None:
    accepted_case(reference="A", category=OrganCategoryFactory(label="Peau"))  # nobody covers it
    agenda_build(meeting=meeting, by=sam)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.VALIDATED)
    login(client, sam)
    html = page(client, meeting)
    assert 'class="fw-semibold">A</a>' in html
    assert "draggable" not in html and 'id="up-' not in html and "agenda-menu" not in html
    assert "Aucun référent :" not in html  # nobody can call a backup any longer
