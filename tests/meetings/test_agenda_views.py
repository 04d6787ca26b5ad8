"""The meeting list and agenda pages: permissions, edits with htmx, conflicts, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from meetings.models import Meeting
from tests.dates import at, day, meeting_start
from tests.factories.agenda import accepted_case
from tests.factories.agenda import built_agenda as built
from tests.factories.meetings import MeetingFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting() -> Meeting:
    return MeetingFactory(starts_at=meeting_start(1), planned_date=day(weeks=1))


def order(meeting: Meeting) -> list[str]:
    return list(meeting.items.order_by("position").values_list("case__reference", flat=True))


@pytest.mark.parametrize("who", ["alice", "rita", "victor"])
def test_only_secretariat_and_coordinators_see_and_edit(
    client: Any, request: pytest.FixtureRequest, who: str, meeting: Meeting, sam: Any
) -> None:
    built(meeting, sam)
    login(client, request.getfixturevalue(who))
    item = meeting.items.first()
    assert item is not None
    assert client.get(reverse("meetings:list")).status_code == 403
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 403
    for name, args in (
        ("meetings:agenda_build", [meeting.pk]),
        ("meetings:agenda_publish", [meeting.pk]),
        ("meetings:agenda_shift", [meeting.pk, item.pk]),
        ("meetings:agenda_remove", [meeting.pk, item.pk]),
        ("meetings:cancel", [meeting.pk]),
    ):
        response = client.post(reverse(name, args=args), {"version": meeting.version, "direction": "up"})
        assert response.status_code == 403, name
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and order(meeting) == ["A", "B", "C"]


@pytest.mark.parametrize("who", ["sam", "cora"])
def test_secretariat_and_coordinator_open_list_and_agenda(
    client: Any, request: pytest.FixtureRequest, who: str, meeting: Meeting, sam: Any
) -> None:
    meeting.holiday_name = "Noël"
    meeting.save(update_fields=["holiday_name"])
    built(meeting, sam)
    login(client, request.getfixturevalue(who))
    listing = client.get(reverse("meetings:list"))
    assert listing.status_code == 200
    assert "Jour férié : Noël" in listing.content.decode()
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ordre du jour" in html and "A" in html and "17\u00a0h\u00a020" in html
    assert "Annulez la réunion ou déplacez-la" in html


def test_unknown_meeting_is_404(client: Any, sam: Any) -> None:
    login(client, sam)
    assert client.get(reverse("meetings:detail", args=[999999])).status_code == 404


def test_build_from_the_page(client: Any, meeting: Meeting, sam: Any) -> None:
    accepted_case(reference="X")
    login(client, sam)
    response = client.post(reverse("meetings:agenda_build", args=[meeting.pk]), follow=True)
    assert response.status_code == 200
    assert "1 demande ajoutée." in response.content.decode()
    assert order(meeting) == ["X"]


def test_htmx_shift_returns_the_agenda_block(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    item_c = meeting.items.get(case__reference="C")
    response = client.post(
        reverse("meetings:agenda_shift", args=[meeting.pk, item_c.pk]),
        {"version": meeting.version, "direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="agenda"')
    assert "<html" not in html
    assert order(meeting) == ["A", "C", "B"]
    assert f'data-version="{meeting.version + 1}"' in html


def test_stale_edit_gets_the_conflict_message_and_the_fresh_agenda(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    stale = meeting.version
    a, b = meeting.items.get(case__reference="A"), meeting.items.get(case__reference="B")
    first = client.post(
        reverse("meetings:agenda_shift", args=[meeting.pk, b.pk]), {"version": stale, "direction": "up"}
    )
    assert first.status_code == 302
    assert order(meeting) == ["B", "A", "C"]
    # A second secretary, still on the old page, moves A down.
    second = client.post(
        reverse("meetings:agenda_shift", args=[meeting.pk, a.pk]), {"version": stale, "direction": "down"}
    )
    assert second.status_code == 409
    html = second.content.decode()
    assert "modifiée par quelqu'un d'autre" in html or "modifiée par quelqu&#x27;un d&#x27;autre" in html
    assert html.index(">B<") < html.index(">A<")  # the fresh order is shown
    assert order(meeting) == ["B", "A", "C"]  # nothing the first did is lost
    htmx = client.post(
        reverse("meetings:agenda_shift", args=[meeting.pk, a.pk]),
        {"version": stale, "direction": "down"},
        HTTP_HX_REQUEST="true",
    )
    assert htmx.status_code == 200 and "alert-danger" in htmx.content.decode()


def test_bad_input_is_a_french_400_never_500(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    item = meeting.items.first()
    assert item is not None
    bad = client.post(reverse("meetings:agenda_shift", args=[meeting.pk, item.pk]), {"version": "x"})
    assert bad.status_code == 400
    assert "nombre entier" in bad.content.decode()
    gone = client.post(reverse("meetings:agenda_remove", args=[meeting.pk, 424242]), {"version": meeting.version})
    assert gone.status_code == 400
    assert "plus à l&#x27;ordre du jour" in gone.content.decode()
    wrong_target = client.post(
        reverse("meetings:agenda_move", args=[meeting.pk, item.pk]), {"version": meeting.version, "target": 999}
    )
    assert wrong_target.status_code == 400


def test_add_remove_move_publish_through_the_page(client: Any, meeting: Meeting, sam: Any) -> None:
    later = MeetingFactory(starts_at=meeting_start(2))
    built(meeting, sam)
    late = accepted_case(reference="LATE", submitted_at=at(day(6), 10))
    login(client, sam)
    url = reverse("meetings:agenda_add", args=[meeting.pk])
    assert client.post(url, {"version": meeting.version, "case": late.pk}).status_code == 302
    assert order(meeting) == ["A", "B", "C", "LATE"]
    meeting.refresh_from_db()
    item = meeting.items.get(case__reference="B")
    response = client.post(
        reverse("meetings:agenda_move", args=[meeting.pk, item.pk]), {"version": meeting.version, "target": later.pk}
    )
    assert response.status_code == 302
    assert order(later) == ["B"]
    meeting.refresh_from_db()
    item = meeting.items.get(case__reference="C")
    client.post(reverse("meetings:agenda_remove", args=[meeting.pk, item.pk]), {"version": meeting.version})
    assert order(meeting) == ["A", "LATE"]
    meeting.refresh_from_db()
    client.post(reverse("meetings:agenda_publish", args=[meeting.pk]), {"version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    late.refresh_from_db()
    assert late.status == CaseStatus.SCHEDULED


def test_cancel_and_move_are_for_the_secretariat(client: Any, meeting: Meeting, sam: Any, cora: Any) -> None:
    MeetingFactory(starts_at=meeting_start(2))
    login(client, cora)
    url = reverse("meetings:cancel", args=[meeting.pk])
    assert client.post(url, {"version": meeting.version, "reason": "Noël"}).status_code == 403
    login(client, sam)
    response = client.post(url, {"version": meeting.version, "reason": ""}, follow=True)
    assert "Ce champ est obligatoire" in response.content.decode()
    client.post(url, {"version": meeting.version, "reason": "Noël"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.cancelled_reason == "Noël"


def test_coordinators_form(client: Any, meeting: Meeting, sam: Any, cora: Any) -> None:
    login(client, sam)
    url = reverse("meetings:coordinators", args=[meeting.pk])
    client.post(url, {"version": meeting.version, "coordinators": [cora.pk]})
    assert list(meeting.coordinators.all()) == [cora]
    meeting.refresh_from_db()
    response = client.post(url, {"version": meeting.version, "coordinators": [sam.pk]}, follow=True)
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_drag_and_drop_reorder_endpoint(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    ids = dict(meeting.items.values_list("case__reference", "pk"))
    url = reverse("meetings:agenda_reorder", args=[meeting.pk])
    new_order = f"{ids['C']},{ids['A']},{ids['B']}"
    response = client.post(url, {"version": meeting.version, "order": new_order}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="agenda"' in response.content.decode()
    assert order(meeting) == ["C", "A", "B"]
    meeting.refresh_from_db()
    # An order that does not match the agenda (an item added meanwhile elsewhere) is a conflict, not a 500.
    partial = client.post(url, {"version": meeting.version, "order": f"{ids['A']},{ids['B']}"})
    assert partial.status_code == 409
    garbage = client.post(url, {"version": meeting.version, "order": "1,x"})
    assert garbage.status_code == 400 and "Ordre invalide" in garbage.content.decode()
    assert order(meeting) == ["C", "A", "B"]
