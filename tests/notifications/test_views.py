"""Pages: the user's notifications, the urgent list, "je prends la demande", the urgent opinion form."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import CaseStatus
from tests.factories.notifications import NotificationFactory
from tests.helpers import login
from tigre.notifications import services
from tigre.notifications.models import Kind, Notification
from tigre.notifications.urgent import urgent_acknowledge, urgent_case_alert

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_and_no_broker(monkeypatch: Any) -> Any:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))
    with time_machine.travel(NOW, tick=True):
        yield


def test_inbox_lists_only_my_notifications_with_a_badge_count(
    client: Any, alice: Any, bob: Any, django_assert_max_num_queries: Any
) -> None:
    NotificationFactory.create_batch(3, recipient=alice, subject="[TIGRE] Demande reçue")
    NotificationFactory(recipient=bob, subject="[TIGRE] Pour Bob")
    login(client, alice)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("[TIGRE] Demande reçue") == 3 and "Pour Bob" not in body
    assert '3<span class="visually-hidden"> non lues' in body


def test_mark_one_read_then_all(client: Any, alice: Any, bob: Any) -> None:
    mine = NotificationFactory.create_batch(2, recipient=alice)
    other = NotificationFactory(recipient=bob)
    login(client, alice)
    client.post(reverse("notifications:mark_read"), {"id": mine[0].pk})
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1
    client.post(reverse("notifications:mark_read"), {"id": other.pk})  # not mine: untouched
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("notifications:mark_read"))
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_open_marks_read_and_goes_to_the_page(client: Any, alice: Any) -> None:
    n = NotificationFactory(recipient=alice, kind=Kind.URGENT_ALERT)
    login(client, alice)
    response = client.post(reverse("notifications:mark_read"), {"id": n.pk, "open": "1"})
    assert response.status_code == 302 and response.url == reverse("notifications:urgent_list")
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_bad_input_is_refused_politely(client: Any, alice: Any) -> None:
    login(client, alice)
    response = client.post(reverse("notifications:mark_read"), {"id": "abc"}, follow=True)
    assert response.status_code == 200 and "Notification inconnue." in response.content.decode()
    assert client.get(reverse("notifications:mark_read")).status_code == 405


def test_urgent_list_is_for_coordinators_referents_and_secretariat(client: Any, alice: Any, victor: Any) -> None:
    for user in (alice, victor):
        login(client, user)
        assert client.get(reverse("notifications:urgent_list")).status_code == 403


def test_urgent_list_shows_a_referent_only_the_requests_sent_to_them(
    client: Any, urgent_case: Any, cardio_primary: Any, rita: Any, sam: Any, meeting: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    login(client, cardio_primary.user)
    body = client.get(reverse("notifications:urgent_list")).content.decode()
    assert urgent_case.reference in body and "Je prends la demande" in body
    assert "Durand" not in body  # pseudonym only
    login(client, rita)  # a referent not alerted for this case
    body = client.get(reverse("notifications:urgent_list")).content.decode()
    assert urgent_case.reference not in body
    login(client, sam)  # the secretariat sees it, without the button
    body = client.get(reverse("notifications:urgent_list")).content.decode()
    assert urgent_case.reference in body and "Je prends la demande" not in body


def test_take_then_the_others_see_who_took_it(
    client: Any, urgent_case: Any, cardio_primary: Any, cora: Any, meeting: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    login(client, cardio_primary.user)
    response = client.post(reverse("notifications:urgent_take", args=[urgent_case.pk]))
    assert response.status_code == 302
    assert response.url == reverse("notifications:urgent_opinion", args=[urgent_case.pk])
    login(client, cora)
    response = client.post(reverse("notifications:urgent_take", args=[urgent_case.pk]), follow=True)
    assert "déjà été prise en charge par Dr Carla CARDIN" in response.content.decode()
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_acknowledged_by == cardio_primary.user


def test_take_needs_post_and_the_right_person(
    client: Any, urgent_case: Any, rita: Any, sam: Any, cardio_primary: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    url = reverse("notifications:urgent_take", args=[urgent_case.pk])
    login(client, cardio_primary.user)
    assert client.get(url).status_code == 405
    login(client, rita)
    assert client.post(url).status_code == 404  # not alerted: outside their scope
    login(client, sam)
    assert client.post(url).status_code == 403  # the secretariat follows, does not take
    assert client.post(reverse("notifications:urgent_take", args=[999999])).status_code == 403


def test_urgent_opinion_form_validates_in_french_then_records(
    client: Any, urgent_case: Any, cardio_primary: Any, cora: Any, meeting: Any, alice: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cardio_primary.user)
    url = reverse("notifications:urgent_opinion", args=[urgent_case.pk])
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


def test_dev_outbox_is_not_routed_outside_debug(client: Any, adam: Any) -> None:
    login(client, adam)
    assert client.get("/dev/envois/").status_code == 404


def test_dev_outbox_lists_what_was_sent_with_the_mail_text(rf: Any, sam: Any, alice: Any, urgent_case: Any) -> None:
    from tigre.notifications.views import dev_outbox

    NotificationFactory(kind=Kind.REQUEST_RECEIVED, recipient=alice, case=urgent_case, state=Notification.State.SENT)
    NotificationFactory(kind=Kind.INFO_REQUESTED, recipient=alice, case=urgent_case, context={"message": "<b>x</b>"})
    request = rf.get("/dev/envois/")
    request.user = sam
    body = dev_outbox(request).content.decode()
    assert alice.email in body and f"Votre demande d&#x27;avis {urgent_case.reference}" in body
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body  # the mail text is shown, never run
    request.user = alice  # a clinician does not read others' mail, even in development
    with pytest.raises(PermissionDenied):
        dev_outbox(request)
