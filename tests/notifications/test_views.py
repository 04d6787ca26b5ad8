"""Pages: the user's notifications and the development outbox."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from cases.messages import Kind, notify_case
from tests.factories.notifications import NotificationFactory
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
    n = NotificationFactory(recipient=alice, kind=Kind.URGENT_ALERT, link="/urgences/")
    login(client, alice)
    response = client.post(reverse("notifications:mark_read"), {"id": n.pk, "open": "1"})
    assert response.status_code == 302 and response.url == "/urgences/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_bad_input_is_refused_politely(client: Any, alice: Any) -> None:
    login(client, alice)
    response = client.post(reverse("notifications:mark_read"), {"id": "abc"}, follow=True)
    assert response.status_code == 200 and "Notification inconnue." in response.content.decode()
    assert client.get(reverse("notifications:mark_read")).status_code == 405


def test_dev_outbox_is_not_routed_outside_debug(client: Any, adam: Any) -> None:
    login(client, adam)
    assert client.get("/dev/envois/").status_code == 404


def test_dev_outbox_lists_what_was_sent_with_the_mail_text(rf: Any, sam: Any, alice: Any, urgent_case: Any) -> None:
    from tigre.notifications.views import dev_outbox

    with transaction.atomic():
        notify_case(kind=Kind.REQUEST_RECEIVED, case=urgent_case, recipients=[alice])
        notify_case(kind=Kind.INFO_REQUESTED, case=urgent_case, recipients=[alice], context={"message": "<b>x</b>"})
    request = rf.get("/dev/envois/")
    request.user = sam
    body = dev_outbox(request).content.decode()
    assert alice.email in body and f"Votre demande d&#x27;avis {urgent_case.reference}" in body
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body  # the mail text is shown, never run
    request.user = alice  # a clinician does not read others' mail, even in development
    with pytest.raises(PermissionDenied):
        dev_outbox(request)
