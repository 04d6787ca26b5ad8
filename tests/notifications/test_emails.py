"""Delivery renders what the sending app stored: its template with its context, the subject with the e-mail
prefix, the outbox key as a header; plain text is not HTML-escaped, HTML is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.notifications import NotificationFactory
from tigre.notifications.delivery import build_message

pytestmark = pytest.mark.django_db


def test_the_stored_template_context_and_link_make_the_mail(alice: Any, settings: Any) -> None:
    settings.SITE_URL = "https://rcp.example"
    n = NotificationFactory(
        kind="info_requested",
        recipient=alice,
        subject="Demande TIGRE-2026-0001 : informations demandées",
        link="/demandes/1/",
        context={"reference": "TIGRE-2026-0001", "pseudonym": "D.J. (1958)", "message": "Troponine <à J3> ?"},
    )
    msg = build_message(n)
    html = msg.alternatives[0][0]
    assert msg.subject == "[TIGRE] Demande TIGRE-2026-0001 : informations demandées"
    assert msg.to == [alice.email] and msg.extra_headers["X-TIGRE-Notification"] == n.key
    assert "Bonjour" in msg.body and "Alice" in msg.body
    assert "Troponine <à J3> ?" in msg.body  # plain text is not escaped
    assert "Troponine &lt;à J3&gt; ?" in html  # HTML is
    assert "https://rcp.example/demandes/1/" in msg.body and "https://rcp.example/notifications/" in msg.body


def test_a_missing_template_fails_the_delivery_not_the_sender(alice: Any) -> None:
    n = NotificationFactory(kind="unknown", recipient=alice, template="emails/does_not_exist")
    with pytest.raises(Exception, match="does_not_exist"):
        build_message(n)
