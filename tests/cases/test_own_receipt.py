"""A receipt of one's own action is e-mailed, never listed in the app (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cases.messages import Kind
from cases.services import case_submit
from tests.helpers import login
from tigre.notifications import services
from tigre.notifications.models import Notification
from tigre.notifications.selectors import unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


def test_a_receipt_of_ones_own_action_is_mailed_but_not_listed(client: Any, complete_draft: Any, alice: Any) -> None:
    case_submit(case=complete_draft, by=alice)
    receipt = Notification.objects.get(kind=Kind.REQUEST_RECEIVED, recipient=alice)
    assert receipt.own_action is True
    assert receipt.state == Notification.State.PENDING  # the e-mail still goes
    assert unread_count(alice) == 0
    login(client, alice)
    assert receipt.subject not in client.get(reverse("notifications:inbox")).content.decode()
