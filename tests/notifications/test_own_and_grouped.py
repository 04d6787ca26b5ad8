"""The in-app list shows what others did, grouped by kind and subject matter (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cases.messages import Kind
from tests.factories.cases import SubmittedCaseFactory
from tests.factories.notifications import NotificationFactory
from tests.helpers import login
from tigre.notifications import services
from tigre.notifications.models import Notification
from tigre.notifications.selectors import unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


def test_someone_elses_action_is_listed(alice: Any, sam: Any) -> None:
    services.notify(kind="info_requested", recipients=[alice], key="k1", subject="Informations demandées", actor=sam)
    assert unread_count(alice) == 1
    assert Notification.objects.get(recipient=alice).own_action is False


def test_notifications_about_one_request_are_one_line(client: Any, alice: Any) -> None:
    case = SubmittedCaseFactory(requester=alice)
    about = {"about_type": ContentType.objects.get_for_model(case), "about_id": case.pk}
    rows = [NotificationFactory(recipient=alice, kind=Kind.INFO_REQUESTED, subject="Informations demandées", **about)]
    rows += [NotificationFactory(recipient=alice, kind=Kind.INFO_REQUESTED, subject="Informations demandées", **about)]
    NotificationFactory(recipient=alice, kind=Kind.DECLINED, subject="Demande refusée", **about)
    login(client, alice)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert html.count("Informations demandées") == 1
    assert "2 messages" in html
    assert "Demande refusée" in html
    # Opening the line reads the whole group.
    client.post(reverse("notifications:mark_read"), {"id": rows[-1].pk})
    assert not Notification.objects.filter(kind=Kind.INFO_REQUESTED, read_at__isnull=True).exists()
    assert Notification.objects.get(kind=Kind.DECLINED).read_at is None
