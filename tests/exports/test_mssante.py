"""Sending the fiche over MSSanté: one outbox row per known address (requester, GP), the package attached, sent once;
refused with the reason otherwise; and the real delivery code path to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import io
import socket
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.test import override_settings
from lxml import etree

from cases.models import Patient
from meetings.exports.selectors import ExportRefused, avis_export_data
from meetings.exports.services import KIND_MSSANTE, STORAGE_FOLDER, mssante_send, pdf_filename
from tests.exports.conftest import INS
from tigre.accounts.models import User
from tigre.notifications import services as outbox
from tigre.notifications.delivery import notification_deliver
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db
RIM = {"rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"}


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    """The broker is not what is tested here (tests/notifications/test_worker.py runs a real worker)."""
    monkeypatch.setattr(outbox, "enqueue_deliveries", lambda ids: len(ids))


def _metadata_patient(package: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(package))
    metadata = etree.fromstring(archive.read("IHE_XDM/SUBSET01/METADATA.XML"))
    return metadata.xpath(
        "string(//rim:RegistryPackage/rim:ExternalIdentifier[contains(@value, '^^^&')]/@value)", namespaces=RIM
    )


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / STORAGE_FOLDER
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_the_fiche_goes_to_the_requester_and_the_gp_once(board, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = mssante_send(avis=board.avis, by=board.coordinator)
    assert [(s.recipient.address, s.queued) for s in sent] == [
        ("alice.aubert@chu-reims.mssante.fr", True),
        ("jean.moreau@medecin.mssante.fr", True),
    ]
    rows = list(Notification.objects.filter(kind=KIND_MSSANTE).order_by("pk"))
    assert [(r.recipient, r.to_address, r.relay) for r in rows] == [
        (board.requester, "alice.aubert@chu-reims.mssante.fr", "mssante"),
        (None, "jean.moreau@medecin.mssante.fr", "mssante"),  # the GP has no account
    ]
    for row in rows:
        names = [a["filename"] for a in row.attachments]
        assert names[-1] == "IHE_XDM.ZIP" and names[0].endswith(".pdf")
        assert row.about == board.avis and row.subject.startswith("Fiche RCP TIGRE TIGRE-")
        assert row.link == f"/demandes/{board.case.pk}/"
    # Each row has its own copy (delivery deletes them once sent).
    assert len({a["path"] for r in rows for a in r.attachments}) == 4

    # The same package again: nothing more is queued, no stray copy is left in the storage.
    files = _stored_files()
    again = mssante_send(avis=board.avis, by=board.coordinator)
    assert [s.queued for s in again] == [False, False]
    assert Notification.objects.filter(kind=KIND_MSSANTE).count() == 2
    assert _stored_files() == files

    # Delivered through the relay (locmem in the test settings): the MSSanté sender, the package attached.
    for row in rows:
        assert notification_deliver(notification_id=row.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["alice.aubert@chu-reims.mssante.fr"], ["jean.moreau@medecin.mssante.fr"]]
    message = mail.outbox[1]
    assert message.from_email == settings.EMAIL_RELAYS["mssante"]["FROM_EMAIL"]
    assert "Bonjour Dr Jean Moreau" in message.body and "LEFÈVRE-DUPONT Élodie Marie" in message.body
    package = {name: content for name, content, _type in message.attachments}["IHE_XDM.ZIP"]
    assert _metadata_patient(package).split("^")[0] == INS


def test_without_any_mssante_address_nothing_is_sent_and_the_reason_is_given(board):
    User.objects.filter(pk=board.requester.pk).update(mssante_address="")
    Patient.objects.filter(pk=board.case.patient_id).update(gp_mssante="")
    with pytest.raises(ExportRefused, match="Aucune adresse de messagerie sécurisée"):
        mssante_send(avis=board.avis, by=board.coordinator)
    assert not Notification.objects.filter(kind=KIND_MSSANTE).exists()


def test_only_the_gp_when_the_requester_has_no_address(board):
    User.objects.filter(pk=board.requester.pk).update(mssante_address="")
    sent = mssante_send(avis=board.avis, by=board.coordinator)
    assert [s.recipient.label for s in sent] == ["médecin traitant"]


@override_settings(EMAIL_RELAYS={})
def test_without_a_relay_nothing_is_sent(board):
    with pytest.raises(ExportRefused, match="pas configurée"):
        mssante_send(avis=board.avis, by=board.coordinator)


def test_an_unqualified_identity_is_not_sent(board):
    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=Patient.InsStatus.RECOVERED)
    with pytest.raises(ExportRefused, match="n'est pas qualifiée"):
        mssante_send(avis=board.avis, by=board.coordinator)
    assert not Notification.objects.filter(kind=KIND_MSSANTE).exists()


class _Mailbox:
    """aiosmtpd handler keeping what it accepts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted"


@pytest.fixture
def smtp_relay() -> Any:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    relay = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_TIMEOUT": 5,
        "FROM_EMAIL": "rcp-tigre@chru-nancy.mssante.fr",
    }
    with override_settings(EMAIL_RELAYS={"mssante": relay}):
        yield box
    controller.stop()


def test_the_package_reaches_a_real_smtp_relay(board, smtp_relay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mssante_send(avis=board.avis, by=board.coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # the delivery deletes the copies on commit
        for row in Notification.objects.filter(kind=KIND_MSSANTE):
            assert notification_deliver(notification_id=row.pk) == "sent"

    received = {tuple(rcpt): message for rcpt, message in smtp_relay.messages}
    assert set(received) == {("alice.aubert@chu-reims.mssante.fr",), ("jean.moreau@medecin.mssante.fr",)}
    message = received[("jean.moreau@medecin.mssante.fr",)]
    assert message["From"] == "rcp-tigre@chru-nancy.mssante.fr"
    attachments = {part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()}
    assert set(attachments) == {"IHE_XDM.ZIP", pdf_filename(avis_export_data(board.avis))}
    assert _metadata_patient(attachments["IHE_XDM.ZIP"]).split("^")[0] == INS
    assert (
        zipfile.ZipFile(io.BytesIO(attachments["IHE_XDM.ZIP"])).read("IHE_XDM/SUBSET01/DOC0002.PDF").startswith(b"%PDF")
    )
    # Sent: no copy of the package is kept.
    for row in Notification.objects.filter(kind=KIND_MSSANTE):
        assert row.state == Notification.State.SENT
        assert not any(default_storage.exists(a["path"]) for a in row.attachments)
