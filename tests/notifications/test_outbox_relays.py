"""The outbox's generic extension: a message to an outside address (no account), through a named SMTP relay, with
stored files attached (deleted once sent). The real SMTP path is in tests/exports/test_mssante.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import override_settings

from tests.factories.accounts import UserFactory
from tigre.notifications import services
from tigre.notifications.delivery import notification_deliver
from tigre.notifications.models import Notification
from tigre.notifications.services import Attachment, Message, notify_many

pytestmark = pytest.mark.django_db
LOCMEM = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "FROM_EMAIL": "rcp@chu.mssante.fr"}


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))


def _stored(name: str, content: bytes) -> str:
    return default_storage.save(f"outbox-test/{name}", ContentFile(content))


@override_settings(EMAIL_RELAYS={"secure": LOCMEM})
def test_a_message_to_an_outside_address_goes_through_its_relay_with_its_files(
    django_capture_on_commit_callbacks: Any,
) -> None:
    path = _stored("paquet.zip", b"PK\x03\x04 zip bytes")
    (row,) = notify_many(
        kind="test_secure",
        template="emails/mssante_fiche",
        messages=[
            Message(
                recipient=None,
                address="dr.martin@medecin.mssante.fr",
                key="event-1",
                subject="Fiche",
                relay="secure",
                attachments=[Attachment(path=path, filename="IHE_XDM.ZIP", content_type="application/zip")],
                context={"addressee": "Dr Martin", "reference": "TIGRE-2026-0001"},
            )
        ],
    )
    assert row.recipient is None and row.address == "dr.martin@medecin.mssante.fr"

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_deliver(notification_id=row.pk) == "sent"

    (sent,) = mail.outbox
    assert sent.to == ["dr.martin@medecin.mssante.fr"]
    assert sent.from_email == "rcp@chu.mssante.fr"  # the relay's sender, not DEFAULT_FROM_EMAIL
    assert sent.attachments[0][0] == "IHE_XDM.ZIP"
    assert sent.attachments[0][1] == b"PK\x03\x04 zip bytes"
    assert "Bonjour Dr Martin" in sent.body
    # Sent: the file holding health data is gone from the storage; the row stays SENT.
    assert not default_storage.exists(path)
    assert Notification.objects.get(pk=row.pk).state == Notification.State.SENT


@override_settings(EMAIL_RELAYS={"secure": LOCMEM})
def test_an_address_overrides_the_recipients_account_address(alice: Any) -> None:
    (row,) = notify_many(
        kind="test_secure",
        template="emails/mssante_fiche",
        messages=[Message(recipient=alice, address="alice.aubert@chu-reims.mssante.fr", key="e", subject="S")],
    )
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert mail.outbox[0].to == ["alice.aubert@chu-reims.mssante.fr"]


def test_one_event_to_two_addresses_is_two_messages_and_idempotent() -> None:
    messages = [
        Message(recipient=None, address=a, key="event-2", subject="S")
        for a in ("a@x.mssante.fr", "b@x.mssante.fr", "A@x.mssante.fr")
    ]
    assert len(notify_many(kind="test_secure", messages=messages)) == 2
    assert notify_many(kind="test_secure", messages=messages) == []


def test_a_message_needs_a_recipient_or_an_address() -> None:
    with pytest.raises(ValueError):
        notify_many(kind="test_secure", messages=[Message(recipient=None, key="e", subject="S")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind="k", key="no-address", subject="S", template="emails/mssante_fiche")


@override_settings(EMAIL_RELAYS={})
def test_an_unknown_relay_fails_at_once_and_keeps_the_files() -> None:
    path = _stored("paquet.zip", b"zip")
    user = UserFactory()
    (row,) = notify_many(
        kind="test_secure",
        template="emails/mssante_fiche",
        messages=[
            Message(recipient=user, key="e", subject="S", relay="secure", attachments=[Attachment(path, "IHE_XDM.ZIP")])
        ],
    )
    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == Notification.State.FAILED and "not configured" in row.last_error
    assert mail.outbox == [] and default_storage.exists(path)
    default_storage.delete(path)


def test_an_attached_file_gone_from_the_storage_is_a_permanent_failure() -> None:
    user = UserFactory()
    (row,) = notify_many(
        kind="test_secure",
        template="emails/mssante_fiche",
        messages=[Message(recipient=user, key="e", subject="S", attachments=[Attachment("outbox-test/none.zip", "x")])],
    )
    assert notification_deliver(notification_id=row.pk) == "failed"
    assert mail.outbox == []
