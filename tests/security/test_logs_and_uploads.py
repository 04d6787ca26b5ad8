"""No identifiers in logs; attachments reachable only through the access-checked view."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from cases.models import Attachment
from tests.factories.cases import PatientFactory, SubmittedCaseFactory
from tests.helpers import login
from tigre.audit.logging import RedactIdentifiersFilter, redact
from tigre.audit.models import AccessLog

INS = "269054958815780"


@pytest.fixture
def app_log():
    """What the console handler configured by settings.LOGGING (with its filter) writes, as the running app has it."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if any(isinstance(f, RedactIdentifiersFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must put the identifier filter on the root handler"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.mark.django_db
def test_a_patient_passed_to_a_logger_comes_out_as_its_number(app_log) -> None:
    patient = PatientFactory(birth_name="Fontanel", first_names="Josiane", ins=INS)
    case = SubmittedCaseFactory(patient=patient, reference="TIGRE-2026-0777")
    logger = logging.getLogger("cases.services")
    logger.warning("Duplicate check for %s on %s (INS %s)", patient, case, patient.ins)
    logger.error("Import failed for %(who)s", {"who": patient})
    try:
        raise ValueError(f"identity check failed for INS {INS}")
    except ValueError:
        logger.exception("Unexpected error on %s", case)
    out = app_log.getvalue()
    assert f"Duplicate check for patient n°{patient.pk} on TIGRE-2026-0777 (INS [INS masqué])" in out
    assert f"Import failed for patient n°{patient.pk}" in out
    assert "identity check failed for INS [INS masqué]" in out  # the traceback too
    for leak in ("Fontanel", "FONTANEL", "Josiane", "F.J.", INS):
        assert leak not in out, leak


def test_redact_masks_ins_with_or_without_spaces_and_emails() -> None:
    assert redact(f"INS {INS}.") == "INS [INS masqué]."
    assert redact("NIR 2 69 05 49 588 157 80 ok") == "NIR [INS masqué] ok"
    assert redact("Corse 1 84 12 2A 123 456 ok") == "Corse [INS masqué] ok"
    assert redact("mail alice@chu-reims.test") == "mail [e-mail masqué]"
    assert redact("TIGRE-2026-0042, 12 patients, tel 0383000000") == "TIGRE-2026-0042, 12 patients, tel 0383000000"


@pytest.mark.django_db
def test_failed_login_is_not_logged_with_the_email(client, app_log) -> None:
    client.post(reverse("accounts:login"), {"username": "someone@chu-reims.test", "password": "faux"})
    assert "AXES" in app_log.getvalue()  # axes did log the failure...
    assert "someone@chu-reims.test" not in app_log.getvalue()  # ...without the address


@pytest.fixture
def attachment(alice) -> Attachment:
    case = SubmittedCaseFactory(requester=alice)
    return Attachment.objects.create(
        case=case,
        file=ContentFile(b"%PDF-1.4 compte rendu", name="cr.pdf"),
        original_name="cr.pdf",
        content_type="application/pdf",
        size=21,
        sha256="0" * 64,
        uploaded_by=alice,
    )


@pytest.mark.django_db
def test_media_files_have_no_public_url(client, alice, bob, attachment) -> None:
    path = Path(attachment.file.path)
    assert path.exists() and path.is_relative_to(Path(settings.MEDIA_ROOT))
    direct = f"{settings.MEDIA_URL}{attachment.file.name}"
    for guess in (direct, f"/media/{attachment.file.name}", f"/static/../var/test-media/{attachment.file.name}"):
        assert client.get(guess).status_code in (302, 404), guess  # anonymous: login, never the file
        for user in (alice, bob):
            login(client, user)
            response = client.get(guess)
            assert response.status_code == 404, guess
            assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))
            client.logout()


@pytest.mark.django_db
def test_the_access_checked_view_serves_the_file_to_its_requester_only(client, alice, bob, attachment) -> None:
    url = reverse("cases:attachment_download", args=[attachment.case_id, attachment.pk])
    login(client, bob)
    assert client.get(url).status_code == 404
    assert not AccessLog.objects.exists()
    login(client, alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(user=alice, action=AccessLog.Action.DOWNLOAD_ATTACHMENT).count() == 1


def test_media_url_is_not_routed() -> None:
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve(f"{settings.MEDIA_URL}attachments/2026/01/x.pdf")
