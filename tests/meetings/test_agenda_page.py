"""The agenda page at scale: rendered afresh on every view (any edit shows at once) in a fixed number of queries, the
per-item menu and the "add a late request" search loaded on demand, the rare meeting edits on their own page."""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from cases.models import CaseStatus
from meetings.agenda import views as views_agenda
from meetings.agenda.selectors import agenda_rows
from meetings.agenda.services import agenda_build
from meetings.models import Meeting, Participant
from meetings.session.services import participant_add
from tests.dates import day, meeting_start
from tests.factories.agenda import accepted_case, referent_for
from tests.factories.agenda import built_agenda as built
from tests.factories.cases import ToxicityFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.referents import CentreFactory, OrganCategoryFactory, ToxicityEventFactory
from tests.helpers import login
from tigre.accounts.models import Title
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting() -> Meeting:
    return MeetingFactory(starts_at=meeting_start(1), planned_date=day(weeks=1))


def page(client: Any, meeting: Meeting) -> str:
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def refs_in_order(html: str) -> list[str]:
    return re.findall(r'class="fw-semibold">([A-Z]+)</a>', html)


# --- The table, rendered afresh ----------------------------------------------------------------------------------


def test_build_and_publish_buttons_follow_the_agenda(client: Any, meeting: Meeting, sam: Any) -> None:
    login(client, sam)
    empty = page(client, meeting)
    assert "Construire l’ordre du jour" in empty and "Publier l’ordre du jour" not in empty
    assert re.search(r"\b0 demandes? sur \d+ créneaux", empty)
    built(meeting, sam)
    full = page(client, meeting)
    assert "Reconstruire l’ordre du jour" in full and "Publier l’ordre du jour" in full
    assert "3 demandes sur" in full


def test_an_edit_shows_at_once(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    assert refs_in_order(page(client, meeting)) == ["A", "B", "C"]
    item_c = meeting.items.get(case__reference="C")
    client.post(
        reverse("meetings:agenda_shift", args=[meeting.pk, item_c.pk]), {"version": meeting.version, "direction": "up"}
    )
    assert refs_in_order(page(client, meeting)) == ["A", "C", "B"]


def test_an_edit_of_a_request_on_the_agenda_shows_at_once(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    assert "Néphron" not in page(client, meeting)
    case = meeting.items.get(case__reference="B").case
    case.primary_site_label = "Néphroblastome"
    case.save()  # every service edit of a request saves it (updated_at)
    assert "Néphroblastome" in page(client, meeting)


def test_each_page_carries_its_own_session_s_csrf_token(meeting: Meeting, sam: Any, cora: Any) -> None:
    """The rows' forms carry the token of the session that got the page, and it works."""
    built(meeting, sam)
    pages = {}
    for user in (sam, cora):
        client = Client(enforce_csrf_checks=True)
        login(client, user)
        html = page(client, meeting)
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert tokens
        pages[user.pk] = (client, tokens)
    assert not pages[sam.pk][1] & pages[cora.pk][1]
    client, tokens = pages[cora.pk]
    item_b = meeting.items.get(case__reference="B")
    response = client.post(
        reverse("meetings:agenda_shift", args=[meeting.pk, item_b.pk]),
        {"version": meeting.version, "direction": "up", "csrfmiddlewaretoken": sorted(tokens)[0]},
    )
    assert response.status_code == 302
    assert refs_in_order(page(client, meeting)) == ["B", "A", "C"]


def test_the_table_follows_the_language(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    assert "Référents attendus" in page(client, meeting)
    client.cookies["django_language"] = "en"
    assert "Référents attendus" not in page(client, meeting)
    client.cookies["django_language"] = "fr"
    assert "Référents attendus" in page(client, meeting)


def test_every_view_is_traced(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    page(client, meeting)
    page(client, meeting)
    rows = AccessLog.objects.filter(user=sam, target=f"ordre du jour {meeting.pk}")
    case_ids = set(meeting.items.values_list("case_id", flat=True))
    assert rows.count() == 2 * len(case_ids)
    assert {r.case_id for r in rows} == case_ids
    assert all(r.patient_id is not None and r.action == AccessLog.Action.VIEW_CASE for r in rows)


# --- The item menu, loaded when it opens --------------------------------------------------------------------------


def test_item_menu_offers_move_and_remove(client: Any, meeting: Meeting, sam: Any) -> None:
    later = MeetingFactory(starts_at=meeting_start(2))
    built(meeting, sam)
    login(client, sam)
    item = meeting.items.get(case__reference="B")
    url = reverse("meetings:agenda_item_actions", args=[meeting.pk, item.pk])
    assert f'hx-get="{url}"' in page(client, meeting)
    menu = client.get(url, HTTP_HX_REQUEST="true")
    html = menu.content.decode()
    assert menu.status_code == 200 and "<html" not in html
    assert f'<option value="{later.pk}">' in html
    assert reverse("meetings:agenda_remove", args=[meeting.pk, item.pk]) in html
    assert 'hx-target="#agenda"' in html
    full = client.get(url)  # without htmx: a page of its own, plain forms
    assert full.status_code == 200 and "<html" in full.content.decode()
    assert 'hx-target="#agenda"' not in full.content.decode()


def test_item_menu_of_another_meeting_s_item_is_404(client: Any, meeting: Meeting, sam: Any) -> None:
    other = MeetingFactory(starts_at=meeting_start(2))
    built(meeting, sam)
    login(client, sam)
    item = meeting.items.first()
    assert item is not None
    assert client.get(reverse("meetings:agenda_item_actions", args=[other.pk, item.pk])).status_code == 404
    assert client.get(reverse("meetings:agenda_item_actions", args=[meeting.pk, 987654])).status_code == 404


def test_item_menu_of_a_validated_meeting_offers_nothing(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.VALIDATED)
    login(client, sam)
    item = meeting.items.first()
    assert item is not None
    html = client.get(reverse("meetings:agenda_item_actions", args=[meeting.pk, item.pk])).content.decode()
    assert "ne peut plus être modifiée" in html
    assert "agenda_remove" not in html and "retirer/" not in html


# --- Adding a late request: a search -----------------------------------------------------------------------------


def test_candidates_are_searched_by_reference_or_name(client: Any, meeting: Meeting, sam: Any) -> None:
    accepted_case(reference="TIGRE-2026-0501", patient__birth_name="Durand")
    accepted_case(reference="TIGRE-2026-0502", patient__birth_name="Martin", status=CaseStatus.SUBMITTED)
    accepted_case(reference="TIGRE-2026-0503", patient__birth_name="Durandal", status=CaseStatus.DECLINED)
    login(client, sam)
    url = reverse("meetings:agenda_candidates", args=[meeting.pk])

    def found(q: str) -> list[str]:
        response = client.get(url, {"q": q}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return re.findall(r"TIGRE-2026-05\d\d", response.content.decode())

    assert found("durand") == ["TIGRE-2026-0501"]  # the declined request is not offered
    assert found("0502") == ["TIGRE-2026-0502"]
    assert sorted(found("")) == ["TIGRE-2026-0501", "TIGRE-2026-0502"]
    assert found("personne") == []
    assert (
        "Aucune demande acceptée ou soumise ne correspond"
        in client.get(url, {"q": "personne"}, HTTP_HX_REQUEST="true").content.decode()
    )


def test_candidates_list_says_when_it_is_cut(client: Any, meeting: Meeting, sam: Any) -> None:
    for n in range(views_agenda.CANDIDATES_SHOWN + 2):
        accepted_case(reference=f"TIGRE-2026-06{n:02d}")
    login(client, sam)
    html = client.get(reverse("meetings:agenda_candidates", args=[meeting.pk]), HTTP_HX_REQUEST="true").content
    assert html.decode().count('name="case"') == views_agenda.CANDIDATES_SHOWN
    assert "précisez la recherche" in html.decode()


def test_candidates_search_without_htmx_and_bad_input(client: Any, meeting: Meeting, sam: Any) -> None:
    accepted_case(reference="TIGRE-2026-0701")
    login(client, sam)
    url = reverse("meetings:agenda_candidates", args=[meeting.pk])
    plain = client.get(url, {"q": "0701"})
    assert plain.status_code == 200
    assert '<section id="agenda"' in plain.content.decode() and "TIGRE-2026-0701" in plain.content.decode()
    too_long = client.get(url, {"q": "x" * 101})
    assert too_long.status_code == 400
    assert "Recherche trop longue" in too_long.content.decode()
    fragment = client.get(url, {"q": "x" * 101}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "Recherche trop longue" in fragment.content.decode()


def test_the_page_loads_the_candidates_on_demand(client: Any, meeting: Meeting, sam: Any) -> None:
    accepted_case(reference="TIGRE-2026-0801")
    login(client, sam)
    html = page(client, meeting)
    assert "TIGRE-2026-0801" not in html
    assert 'hx-trigger="intersect once"' in html


def test_adding_without_choosing_is_a_french_400_that_keeps_the_search(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    accepted_case(reference="TIGRE-2026-0901")
    login(client, sam)
    url = reverse("meetings:agenda_add", args=[meeting.pk])
    response = client.post(url, {"version": meeting.version, "q": "0901"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez la demande à ajouter dans la liste" in html
    assert "TIGRE-2026-0901" in html  # the candidates are listed again
    assert refs_in_order(html) == ["A", "B", "C"]  # nothing lost


# --- The rare edits on their own page -----------------------------------------------------------------------------


def test_manage_page_offers_rescheduling_to_the_secretariat_only(
    client: Any, meeting: Meeting, sam: Any, cora: Any
) -> None:
    url = reverse("meetings:manage", args=[meeting.pk])
    login(client, cora)
    html = client.get(url).content.decode()
    assert reverse("meetings:coordinators", args=[meeting.pk]) in html
    assert reverse("meetings:cancel", args=[meeting.pk]) not in html
    login(client, sam)
    html = client.get(url).content.decode()
    assert reverse("meetings:cancel", args=[meeting.pk]) in html
    assert reverse("meetings:move", args=[meeting.pk]) in html
    assert url in page(client, meeting)


def test_manage_page_refusals_stay_on_it(client: Any, meeting: Meeting, sam: Any) -> None:
    login(client, sam)
    url = reverse("meetings:cancel", args=[meeting.pk])
    empty = client.post(url, {"version": meeting.version, "reason": ""})
    assert empty.status_code == 302 and empty["Location"] == reverse("meetings:manage", args=[meeting.pk])
    stale = client.post(url, {"version": meeting.version + 5, "reason": "Grève"})
    assert stale.status_code == 409
    assert "Gérer la" in stale.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


# --- The people beside the agenda ---------------------------------------------------------------------------------


def test_coordinators_and_people_added_in_session_show_at_once(
    client: Any, meeting: Meeting, sam: Any, cora: Any, alice: Any
) -> None:
    built(meeting, sam)
    login(client, sam)
    html = page(client, meeting)
    assert "Aucun coordinateur désigné." in html and alice.display_name not in html
    client.post(
        reverse("meetings:coordinators", args=[meeting.pk]), {"version": meeting.version, "coordinators": [cora.pk]}
    )
    html = page(client, meeting)
    assert "Aucun coordinateur désigné." not in html
    assert html.count(cora.display_name) >= 2  # coordinator, and invited as such
    with time_machine.travel(meeting.starts_at):  # people are added in session, once the meeting has begun
        participant_add(meeting=meeting, user=alice, by=cora)
    assert alice.display_name in page(client, meeting)


def test_only_the_secretariat_is_offered_to_reschedule(meeting: Meeting, sam: Any, cora: Any) -> None:
    built(meeting, sam)
    coordinator, secretary = Client(), Client()
    login(coordinator, cora)
    login(secretary, sam)
    assert "Déplacer ou annuler la réunion" not in page(coordinator, meeting)
    assert "Déplacer ou annuler la réunion" in page(secretary, meeting)


def test_an_error_shows_once(client: Any, meeting: Meeting, sam: Any) -> None:
    built(meeting, sam)
    login(client, sam)
    stale = client.post(reverse("meetings:agenda_publish", args=[meeting.pk]), {"version": meeting.version + 3})
    assert stale.status_code == 409 and "alert-danger" in stale.content.decode()
    assert "alert-danger" not in page(client, meeting)


def test_the_rows_name_no_patient_and_show_what_the_board_needs(meeting: Meeting, sam: Any) -> None:
    heart, skin = OrganCategoryFactory(label="Cœur"), OrganCategoryFactory(label="Peau")
    referent_for(heart, title=Title.PR, first_name="Irène", last_name="Cardin")
    case = accepted_case(
        reference="TIGRE-2026-0042",
        category=heart,
        grade=2,
        patient__birth_name="Dupont",
        patient__first_names="Jeanne",
        patient__birth_date=dt.date(1958, 5, 1),
        primary_site_label="Mélanome",
    )
    accepted_case(reference="TIGRE-2026-0043", category=skin, grade=3, urgent=True)  # nobody covers the skin
    agenda_build(meeting=meeting, by=sam)
    first, second = agenda_rows(meeting)
    assert (first["reference"], first["urgent"], second["reference"]) == ("TIGRE-2026-0043", True, "TIGRE-2026-0042")
    assert second["pseudonym"] == "D.J. (1958)" and second["site"] == "Mélanome"
    assert second["patient_id"] == case.patient_id and second["requester"] == case.requester.display_name
    assert [t["category"] for t in second["toxicities"]] == ["Cœur"]
    assert second["referents"] == [{"name": "Pr Irène CARDIN", "category": "Cœur"}] and second["missing"] == []
    assert first["referents"] == [] and first["missing"] == ["Peau"]


def test_names_edited_elsewhere_show_at_once(client: Any, meeting: Meeting, sam: Any) -> None:
    """Nothing of the page is kept between views: a referent's or a centre's new name shows on the next one."""
    heart = OrganCategoryFactory(label="Cœur")
    referent = referent_for(heart, last_name="Cardin")
    accepted_case(reference="TIGRE-2026-0050", category=heart)
    agenda_build(meeting=meeting, by=sam)
    login(client, sam)
    assert "CARDIN" in page(client, meeting)
    referent.user.last_name = "Cardin-Lefèvre"
    referent.user.save(update_fields=["last_name"])
    assert "CARDIN-LEFÈVRE" in page(client, meeting)


@pytest.mark.parametrize("n", [5, 60])
def test_page_queries_do_not_grow_with_the_agenda(
    client: Any, meeting: Meeting, sam: Any, cora: Any, n: int, django_assert_max_num_queries: Any
) -> None:
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=12)  # room for 60 items
    meeting.save(update_fields=["ends_at"])
    meeting.coordinators.add(cora)
    categories = [OrganCategoryFactory() for _ in range(4)]
    for category in categories[:3]:  # the fourth has nobody: its requests show the gap
        referent_for(category)
    for k in range(n):
        accepted_case(category=categories[k % 4], grade=1 + k % 4, urgent=k % 6 == 0)
    agenda_build(meeting=meeting, by=sam)
    assert meeting.items.count() == n
    Participant.objects.get_or_create(meeting=meeting, user=cora, defaults={"role": Participant.Role.COORDINATOR})
    login(client, sam)
    url = reverse("meetings:detail", args=[meeting.pk])
    for _ in range(2):  # the same on every view: nothing is kept between views
        with django_assert_max_num_queries(12):
            response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and html.count('<tr id="item-') == n
        assert "Aucun référent :" in html
    with django_assert_max_num_queries(10):
        assert client.get(reverse("meetings:list")).status_code == 200


def test_manage_page_without_any_coordinator_offers_no_empty_form(client: Any, meeting: Meeting, sam: Any) -> None:
    Group.objects.get(name=Role.COORDINATOR).user_set.clear()
    login(client, sam)
    html = client.get(reverse("meetings:manage", args=[meeting.pk])).content.decode()
    assert "Aucun coordinateur enregistré." in html
    assert ">Enregistrer</button>" not in html


def test_manage_page_lists_the_coordinators_to_choose(client: Any, meeting: Meeting, sam: Any, cora: Any) -> None:
    login(client, sam)
    html = client.get(reverse("meetings:manage", args=[meeting.pk])).content.decode()
    assert cora.display_name in html and ">Enregistrer</button>" in html


# --- The table's rows, built in Python (meetings/agenda/table.py) -------------------------------------------------
# Every value someone typed comes out escaped, whoever typed it (a requester, an administrator naming a centre or a
# toxicity, a referent's own name), and the rows carry what the page's buttons and scripts rely on.

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


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
