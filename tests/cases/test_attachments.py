"""Attachments: PDF/PNG/JPEG by content only, size and count limits, safe names, access-checked download."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cases.models import Attachment
from cases.services import attachment_add
from tests.factories.cases import SubmittedCaseFactory
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\0" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\0" * 16
ZIP_AS_PDF = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\0" * 40
HTML_AS_PDF = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(client: Any, case: Any, name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    f = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("cases:attachment_add", args=[case.pk]), {"file": f, "description": "CR"})


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("cr.pdf", PDF, "application/pdf"), ("ecg.png", PNG, "image/png"), ("irm.jpg", JPEG, "image/jpeg")],
)
def test_good_files_are_stored_under_a_random_name(
    client: Any, alice: Any, media: Path, name: str, content: bytes, mime: str
) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    response = upload(client, case, name, content, content_type="application/octet-stream")
    assert response.status_code == 302
    att = Attachment.objects.get(case=case)
    assert att.content_type == mime and att.original_name == name and att.size == len(content)
    assert name not in att.file.name  # random stored name
    assert Path(att.file.path).is_relative_to(media)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("resultats.pdf", ZIP_AS_PDF, "seuls les PDF, PNG et JPEG"),
        ("page.pdf", HTML_AS_PDF, "seuls les PDF, PNG et JPEG"),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_bad_files_are_refused_in_french_and_nothing_is_stored(
    client: Any, alice: Any, media: Path, name: str, content: bytes, message: str
) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    response = upload(client, case, name, content)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@override_settings()
def test_too_large_is_refused(client: Any, alice: Any, media: Path, settings: Any) -> None:
    settings.TIGRE = {**settings.TIGRE, "ATTACHMENT_MAX_BYTES": 1000}
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    response = upload(client, case, "gros.pdf", PDF + b"0" * 1000)
    assert response.status_code == 400
    assert "taille maximale" in html.unescape(response.content.decode())
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_too_many_is_refused(client: Any, alice: Any, media: Path, settings: Any) -> None:
    settings.TIGRE = {**settings.TIGRE, "ATTACHMENT_MAX_COUNT": 2}
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    assert upload(client, case, "a.pdf", PDF).status_code == 302
    assert upload(client, case, "b.pdf", PDF).status_code == 302
    response = upload(client, case, "c.pdf", PDF)
    assert response.status_code == 400
    assert "Nombre maximal de pièces jointes" in html.unescape(response.content.decode())
    assert Attachment.objects.count() == 2 and len(stored_files(media)) == 2


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\boot.pdf", "cr\r\nX-Evil: 1.pdf", "cr\x00.pdf"])
def test_names_with_a_path_or_control_characters_are_refused(alice: Any, media: Path, name: str) -> None:
    case = SubmittedCaseFactory(requester=alice)
    uploaded = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    uploaded._name = name  # the name setter strips paths; the service must not rely on it
    with pytest.raises(ValidationError) as exc:
        attachment_add(case=case, by=alice, uploaded=uploaded)
    assert "Nom de fichier refusé" in exc.value.messages[0]
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_path_in_a_posted_name_never_reaches_the_disk(client: Any, alice: Any, media: Path) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    upload(client, case, "../../evil.pdf", PDF)
    for f in stored_files(media):
        assert f.is_relative_to(media) and "evil" not in f.name


def test_download_is_an_attachment_with_nosniff_and_is_logged(client: Any, alice: Any, media: Path) -> None:
    case = SubmittedCaseFactory(requester=alice)
    att = attachment_add(case=case, by=alice, uploaded=SimpleUploadedFile("cr bio.pdf", PDF))
    login(client, alice)
    response = client.get(reverse("cases:attachment_download", args=[case.pk, att.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "cr bio.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AccessLog.objects.filter(user=alice, action=AccessLog.Action.DOWNLOAD_ATTACHMENT, case_id=case.pk).exists()


def test_other_clinician_cannot_download_or_upload(client: Any, alice: Any, bob: Any, media: Path) -> None:
    case = SubmittedCaseFactory(requester=alice)
    att = attachment_add(case=case, by=alice, uploaded=SimpleUploadedFile("cr.pdf", PDF))
    login(client, bob)
    assert client.get(reverse("cases:attachment_download", args=[case.pk, att.pk])).status_code == 404
    assert upload(client, case, "b.pdf", PDF).status_code == 404
    # Another case's id in the URL does not open this attachment either.
    own = SubmittedCaseFactory(requester=bob)
    assert client.get(reverse("cases:attachment_download", args=[own.pk, att.pk])).status_code == 404


def test_secretariat_can_download_but_not_upload(client: Any, alice: Any, sam: Any, media: Path) -> None:
    case = SubmittedCaseFactory(requester=alice)
    att = attachment_add(case=case, by=alice, uploaded=SimpleUploadedFile("cr.pdf", PDF))
    login(client, sam)
    assert client.get(reverse("cases:attachment_download", args=[case.pk, att.pk])).status_code == 200
    response = upload(client, case, "b.pdf", PDF)
    assert response.status_code == 400 and Attachment.objects.count() == 1


def test_htmx_upload_answers_the_panel_with_the_error(client: Any, alice: Any, media: Path) -> None:
    case = SubmittedCaseFactory(requester=alice)
    login(client, alice)
    f = SimpleUploadedFile("x.pdf", ZIP_AS_PDF)
    response = client.post(reverse("cases:attachment_add", args=[case.pk]), {"file": f}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "seuls les PDF, PNG et JPEG" in html.unescape(response.content.decode())
