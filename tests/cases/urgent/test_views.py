"""Pages of the urgent track: the urgent list, "je prends la demande", the urgent opinion form."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cases.messages import Kind
from cases.models import CaseStatus
from cases.urgent.services import urgent_acknowledge, urgent_case_alert
from tests.helpers import login
from tests.urgent_world import NOW
from tigre.notifications import services
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_and_no_broker(monkeypatch: Any) -> Any:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))
    with time_machine.travel(NOW, tick=True):
        yield


def test_urgent_list_is_for_coordinators_referents_and_secretariat(client: Any, alice: Any, victor: Any) -> None:
    for user in (alice, victor):
        login(client, user)
        assert client.get(reverse("urgent:list")).status_code == 403


def test_urgent_list_shows_a_referent_only_the_requests_sent_to_them(
    client: Any, urgent_case: Any, cardio_primary: Any, rita: Any, sam: Any, meeting: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    login(client, cardio_primary.user)
    body = client.get(reverse("urgent:list")).content.decode()
    assert urgent_case.reference in body and "Je prends la demande" in body
    assert "Durand" not in body  # pseudonym only
    login(client, rita)  # a referent not alerted for this case
    body = client.get(reverse("urgent:list")).content.decode()
    assert urgent_case.reference not in body
    login(client, sam)  # the secretariat sees it, without the button
    body = client.get(reverse("urgent:list")).content.decode()
    assert urgent_case.reference in body and "Je prends la demande" not in body


def test_take_then_the_others_see_who_took_it(
    client: Any, urgent_case: Any, cardio_primary: Any, cora: Any, meeting: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    login(client, cardio_primary.user)
    response = client.post(reverse("urgent:take", args=[urgent_case.pk]))
    assert response.status_code == 302
    assert response.url == reverse("urgent:opinion", args=[urgent_case.pk])
    login(client, cora)
    response = client.post(reverse("urgent:take", args=[urgent_case.pk]), follow=True)
    assert "déjà été prise en charge par Dr Carla CARDIN" in response.content.decode()
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_acknowledged_by == cardio_primary.user


def test_take_needs_post_and_the_right_person(
    client: Any, urgent_case: Any, rita: Any, sam: Any, cardio_primary: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    url = reverse("urgent:take", args=[urgent_case.pk])
    login(client, cardio_primary.user)
    assert client.get(url).status_code == 405
    login(client, rita)
    assert client.post(url).status_code == 404  # not alerted: outside their scope
    login(client, sam)
    assert client.post(url).status_code == 403  # the secretariat follows, does not take
    assert client.post(reverse("urgent:take", args=[999999])).status_code == 403


def test_urgent_opinion_form_validates_in_french_then_records(
    client: Any, urgent_case: Any, cardio_primary: Any, cora: Any, meeting: Any, alice: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cardio_primary.user)
    url = reverse("urgent:opinion", args=[urgent_case.pk])
    login(client, cora)
    assert client.get(url).status_code == 403  # not the one who took it
    login(client, cardio_primary.user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"opinion": "court"})
    assert response.status_code == 400 and "trop court" in response.content.decode()
    response = client.post(url, {"opinion": "Arrêt définitif de l'ICI ; méthylprednisolone 1 g/j 3 jours."})
    assert response.status_code == 302
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_opinion_at is not None and urgent_case.status == CaseStatus.SCHEDULED
    assert Notification.objects.filter(kind=Kind.URGENT_OPINION, recipient=alice).exists()
