"""The secretariat's triage queue and its actions."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import CaseMessage, CaseStatus, StatusChange
from meetings.models import AgendaItem
from tests.dates import at, day, french_day_month, meeting_start
from tests.factories.agenda import accepted_case
from tests.factories.cases import CaseFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import CentreFactory, OrganCategoryFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.notifications.models import Notification

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db
QUEUE = "cases:triage"


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def refs(response: Any) -> list[str]:
    return [c.reference for c in response.context["cases"]]


@pytest.mark.parametrize("who", ["alice", "rita", "victor"])
def test_queue_and_actions_forbidden_to_others(client: Any, request: pytest.FixtureRequest, who: str) -> None:
    case = accepted_case(status=CaseStatus.SUBMITTED)
    login(client, request.getfixturevalue(who))
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.post(reverse("cases:triage_accept", args=[case.pk])).status_code == 403
    assert client.get(reverse("cases:triage_decline", args=[case.pk])).status_code == 403
    assert client.post(reverse("cases:triage_decline", args=[case.pk]), {"reason": "Hors champ"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_queue_shows_triage_states_urgent_first_then_oldest(client: Any, sam: Any) -> None:
    accepted_case(status=CaseStatus.SUBMITTED, submitted_at=paris(2026, 12, 1, 9), reference="OLD")
    accepted_case(status=CaseStatus.SUBMITTED, submitted_at=paris(2026, 12, 2, 9), reference="NEW")
    accepted_case(status=CaseStatus.ACCEPTED, submitted_at=paris(2026, 11, 30, 9), reference="ACC")
    accepted_case(status=CaseStatus.INFO_REQUESTED, submitted_at=paris(2026, 12, 1, 12), reference="INFO")
    accepted_case(status=CaseStatus.SUBMITTED, urgent=True, submitted_at=paris(2026, 12, 3, 9), reference="URG")
    for status in (CaseStatus.SCHEDULED, CaseStatus.DECLINED, CaseStatus.DRAFT):
        accepted_case(status=status, reference=f"X-{status}")
    login(client, sam)
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert refs(response) == ["URG", "ACC", "OLD", "INFO", "NEW"]
    html = response.content.decode()
    assert "URGENT" in html and "table-urgent" in html and "depuis " in html
    assert response.context["counts"] == {"submitted": 3, "info_requested": 1, "accepted": 1, "urgent": 1}


def test_filters_and_search(client: Any, sam: Any) -> None:
    heart = OrganCategoryFactory(label="Cœur")
    reims = CentreFactory(name="CHU de Reims", city="Reims")
    accepted_case(status=CaseStatus.SUBMITTED, category=heart, grade=4, reference="HEART-4")
    accepted_case(status=CaseStatus.SUBMITTED, grade=2, requester_centre=reims, reference="REIMS-2")
    accepted_case(status=CaseStatus.ACCEPTED, grade=2, urgent=True, reference="URG-ACC")
    named = accepted_case(status=CaseStatus.SUBMITTED, grade=1, reference="TIGRE-2026-0777")
    named.patient.birth_name = "Delacroix"
    named.patient.save(update_fields=["birth_name"])
    login(client, sam)
    get = lambda **q: refs(client.get(reverse(QUEUE), q))  # noqa: E731
    assert get(organe=heart.pk) == ["HEART-4"]
    assert get(centre=reims.pk) == ["REIMS-2"]
    assert get(grade=2) == ["URG-ACC", "REIMS-2"]
    assert get(urgence="urgent") == ["URG-ACC"]
    assert get(urgence="standard", etat="accepted") == []
    assert get(etat="accepted") == ["URG-ACC"]
    assert get(q="delacr") == ["TIGRE-2026-0777"]
    assert get(q="0777") == ["TIGRE-2026-0777"]


def test_bad_filter_values_are_ignored_never_500(client: Any, sam: Any) -> None:
    accepted_case(status=CaseStatus.SUBMITTED, reference="ONE")
    login(client, sam)
    for params in (
        {"etat": "draft"},
        {"etat": "status__in"},
        {"grade": "9"},
        {"grade": "x"},
        {"organe": "abc"},
        {"centre": "-1"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"urgence": "urgency"},
    ):
        response = client.get(reverse(QUEUE), params)
        assert response.status_code == 200, params
        if "page" not in params:
            assert 'id="filter-errors"' in response.content.decode(), params  # said, in French
    assert refs(client.get(reverse(QUEUE), {"etat": "draft"})) == ["ONE"]
    accepted_case(status=CaseStatus.SUBMITTED, reference="URG", urgent=True)
    # The bad value is left out, the good one still applies; the message names the filter.
    response = client.get(reverse(QUEUE), {"etat": "draft", "urgence": "urgent"})
    assert refs(response) == ["URG"]
    body = html.unescape(response.content.decode())
    assert "<strong>État</strong> : Sélectionnez un choix valide. draft n’en fait pas partie." in body
    response = client.get(reverse(QUEUE), {"q": "x" * 500}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="triage-results")
    assert "Assurez-vous que cette valeur comporte au plus 100 caractères" in html.unescape(response.content.decode())


def test_pagination_keeps_filters(client: Any, sam: Any) -> None:
    for n in range(30):
        accepted_case(status=CaseStatus.SUBMITTED, submitted_at=paris(2026, 12, 1, 8) + dt.timedelta(minutes=n))
    login(client, sam)
    first = client.get(reverse(QUEUE), {"etat": "submitted"})
    assert len(first.context["cases"]) == 25
    assert "etat=submitted&amp;page=2" in first.content.decode()
    second = client.get(reverse(QUEUE), {"etat": "submitted", "page": 2})
    assert len(second.context["cases"]) == 5


def test_htmx_filter_returns_only_the_results_block(client: Any, sam: Any) -> None:
    accepted_case(status=CaseStatus.SUBMITTED, reference="ONE")
    login(client, sam)
    response = client.get(reverse(QUEUE), {"q": "ONE"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="triage-results")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="triage-results"')
    assert "<html" not in html and "ONE" in html


@pytest.mark.parametrize("n", [5, 60])
def test_queue_query_count_is_constant(client: Any, sam: Any, n: int, django_assert_max_num_queries: Any) -> None:
    categories = [OrganCategoryFactory() for _ in range(3)]
    for k in range(n):
        accepted_case(
            status=[CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.INFO_REQUESTED][k % 3],
            category=categories[k % 3],
            urgent=k % 5 == 0,
        )
    login(client, sam)
    # 15: the patients are prefetched for the page (a join would hash every patient before the sort; bench), and
    # one query finds their other requests (cases/history.py, other_requests_count).
    with django_assert_max_num_queries(15):
        response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert len(response.context["cases"]) == min(n, 25)
    with django_assert_max_num_queries(15):
        client.get(reverse(QUEUE), {"q": "a", "grade": 2, "etat": "submitted"})


def test_accept(client: Any, sam: Any) -> None:
    case = accepted_case(status=CaseStatus.SUBMITTED)
    login(client, sam)
    response = client.post(reverse("cases:triage_accept", args=[case.pk]), {"next": "https://evil.test/"})
    assert response.status_code == 302 and response["Location"] == reverse(QUEUE)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert StatusChange.objects.filter(case=case, to_status=CaseStatus.ACCEPTED, by=sam).exists()
    # Twice: refused with a French message, no error page.
    again = client.post(reverse("cases:triage_accept", args=[case.pk]), follow=True)
    assert "Action impossible" in again.content.decode()


def test_accept_with_htmx_redirects_back(client: Any, sam: Any) -> None:
    case = accepted_case(status=CaseStatus.SUBMITTED)
    login(client, sam)
    back = reverse(QUEUE) + "?etat=submitted"
    response = client.post(reverse("cases:triage_accept", args=[case.pk]), {"next": back}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == back


def test_request_information(client: Any, sam: Any) -> None:
    case = accepted_case(status=CaseStatus.SUBMITTED)
    login(client, sam)
    url = reverse("cases:triage_request_info", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200 and case.reference in page.content.decode()
    assert AccessLog.objects.filter(user=sam, case_id=case.pk, action="view_case").exists()
    empty = client.post(url, {"body": "  "})
    assert empty.status_code == 400 and "Ce champ est obligatoire" in empty.content.decode()
    response = client.post(url, {"body": "Merci de joindre la troponine et l'ECG."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.INFO_REQUESTED
    message = CaseMessage.objects.get(case=case)
    assert message.kind == CaseMessage.Kind.INFO_REQUEST and message.author == sam
    note = Notification.objects.get(kind="info_requested", case=case)
    assert note.recipient == case.requester and "troponine" in note.context["message"]


def test_decline_needs_a_reason_and_tells_the_requester(client: Any, sam: Any) -> None:
    case = accepted_case(status=CaseStatus.INFO_REQUESTED)
    login(client, sam)
    url = reverse("cases:triage_decline", args=[case.pk])
    bad = client.post(url, {"reason": "x"})
    assert bad.status_code == 400 and "Indiquez le motif du refus" in bad.content.decode()
    client.post(url, {"reason": "Hors du champ de la RCP TIGRE"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED and case.closed_at is not None
    assert case.status_changes.last().reason == "Hors du champ de la RCP TIGRE"
    assert Notification.objects.get(kind="declined", case=case).recipient == case.requester
    # A declined case leaves the queue; a second decline is refused.
    assert client.get(url, follow=True).status_code == 200
    assert case.reference not in refs(client.get(reverse(QUEUE)))


def test_put_on_a_given_meeting(client: Any, sam: Any, cora: Any) -> None:
    MeetingFactory(starts_at=meeting_start(1))
    later = MeetingFactory(starts_at=meeting_start(2))
    case = accepted_case(status=CaseStatus.SUBMITTED)
    url = reverse("meetings:schedule_case", args=[case.pk])
    with time_machine.travel(at(day(-1), 10), tick=False):
        login(client, cora)
        page = client.get(url)
        assert page.status_code == 200 and french_day_month(day(weeks=2)) in page.content.decode()
        assert client.post(url, {"meeting": 999999}).status_code == 400
        response = client.post(url, {"meeting": later.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SCHEDULED
    item = AgendaItem.objects.get(case=case)
    assert item.meeting == later and item.placed_manually
    assert Notification.objects.filter(kind="scheduled", case=case, key__contains=f":meeting{later.pk}:").exists()


def test_case_page_shows_triage_actions_to_the_secretariat_only(client: Any, sam: Any) -> None:
    case = accepted_case(status=CaseStatus.SUBMITTED)
    login(client, sam)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Tri (secrétariat)" in html and reverse("cases:triage_accept", args=[case.pk]) in html
    login(client, case.requester)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Tri (secrétariat)" not in html


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (CaseStatus.SUBMITTED, {"accept", "schedule", "request_info", "decline"}),
        (CaseStatus.INFO_REQUESTED, {"decline"}),
        (CaseStatus.ACCEPTED, {"schedule", "request_info", "decline"}),
        (CaseStatus.SCHEDULED, set()),
    ],
)
def test_the_page_offers_exactly_the_actions_the_views_accept(
    client: Any, sam: Any, status: str, offered: set[str]
) -> None:
    case = accepted_case(status=status)
    login(client, sam)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    urls = {
        "accept": reverse("cases:triage_accept", args=[case.pk]),
        "schedule": reverse("meetings:schedule_case", args=[case.pk]),
        "request_info": reverse("cases:triage_request_info", args=[case.pk]),
        "decline": reverse("cases:triage_decline", args=[case.pk]),
    }
    assert {name for name, url in urls.items() if url in html} == offered
    assert ("Tri (secrétariat)" in html) == bool(offered)
    # What is not offered is refused by the view too (a message, the status unchanged).
    for name in {"accept", "request_info", "decline"} - offered:
        response = client.post(urls[name], {"body": "Quel grade ?", "reason": "Hors champ"})
        assert response.status_code == 302, name
        case.refresh_from_db()
        assert case.status == status


def test_age_label_is_short() -> None:
    from cases.triage.views import age_label

    assert age_label(dt.timedelta(minutes=45)) == "45 min"
    assert age_label(dt.timedelta(hours=3, minutes=5)) == "3 h 05"
    assert age_label(dt.timedelta(days=6, hours=3, minutes=59)) == "6 j 3 h"
    assert age_label(dt.timedelta(seconds=-5)) == "0 min"


def test_queue_and_agenda_pages_are_traced(client: Any, sam: Any) -> None:
    from meetings.agenda.services import agenda_build

    shown = accepted_case(status=CaseStatus.SUBMITTED)
    meeting = MeetingFactory(starts_at=meeting_start(1))
    on_agenda = accepted_case()
    agenda_build(meeting=meeting, by=sam)
    login(client, sam)
    client.get(reverse(QUEUE))
    assert AccessLog.objects.filter(user=sam, case_id=shown.pk, target="tri des demandes").exists()
    client.get(reverse("meetings:detail", args=[meeting.pk]))
    row = AccessLog.objects.get(user=sam, case_id=on_agenda.pk, target=f"ordre du jour {meeting.pk}")
    assert row.patient_id == on_agenda.patient_id and row.action == "view_case"


def test_the_queue_says_when_the_patient_has_other_requests(client: Any, sam: Any, alice: Any) -> None:
    """Linked as the case page's history links them (docs/domain.md#a-patients-history): the same INS, or the same
    birth name, first names and date of birth whatever the accents and hyphens; a draft is its author's alone."""
    born = dt.date(1958, 5, 1)
    first = accepted_case(
        reference="TIGRE-2026-0201",
        status=CaseStatus.SUBMITTED,
        patient__ins="",
        patient__birth_name="Le Gall-Müller",
        patient__first_names="Anne-Marie",
        patient__birth_date=born,
    )
    accepted_case(  # closed long ago, same person typed another way
        reference="TIGRE-2025-0007",
        status=CaseStatus.CLOSED,
        patient__ins="",
        patient__birth_name="LEGALL MULLER",
        patient__first_names="Anne Marie",
        patient__birth_date=born,
    )
    accepted_case(  # a namesake born another day: another person
        reference="TIGRE-2026-0202",
        status=CaseStatus.SUBMITTED,
        patient__ins="",
        patient__birth_name="Le Gall-Müller",
        patient__first_names="Anne-Marie",
        patient__birth_date=dt.date(1960, 1, 1),
    )
    CaseFactory(  # a draft of the same person: its author's alone, not counted
        requester=alice,
        patient__ins="",
        patient__birth_name="Le Gall-Müller",
        patient__first_names="Anne-Marie",
        patient__birth_date=born,
    )
    by_ins = accepted_case(reference="TIGRE-2026-0203", status=CaseStatus.SUBMITTED, patient__ins="269054958815780")
    accepted_case(reference="TIGRE-2026-0204", status=CaseStatus.ACCEPTED, patient__ins="269054958815780")
    login(client, sam)
    page = client.get(reverse(QUEUE)).content.decode()
    rows = dict(re.findall(r">(TIGRE-\d{4}-\d{4})</a>(.*?)</tr>", page, re.S))
    assert "1 autre demande pour ce patient" in rows[first.reference]
    assert f'href="{reverse("cases:detail", args=[first.pk])}#section-patient-history"' in rows[first.reference]
    assert "autre demande" not in rows["TIGRE-2026-0202"]
    assert "1 autre demande pour ce patient" in rows[by_ins.reference]  # the same INS, whatever the names
