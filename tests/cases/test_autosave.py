"""Nothing typed is lost: the form's periodic draft save, the copy drawn again after a new sign-in, a file before
the first save (docs/domain.md#nothing-typed-is-lost)."""

from __future__ import annotations

import html
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseStatus
from tests.cases.test_form import MGMT, drugs, form_data  # noqa: F401 (fixture)
from tests.factories.cases import CaseFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_autosave_creates_the_draft_once_then_saves_it(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:  # noqa: F811
    login(client, alice)
    token = str(uuid.uuid4())
    data = form_data(drugs, colitis, action="save", form_token=token)
    first = client.post(reverse("cases:autosave"), data)
    assert first.status_code == 200
    case = Case.objects.get()
    assert first.json()["pk"] == case.pk
    assert first.json()["edit_url"] == reverse("cases:edit", args=[case.pk])
    assert first.json()["attachment_url"] == reverse("cases:attachment_add", args=[case.pk])
    assert case.status == CaseStatus.DRAFT and case.patient.birth_name == "Durand"
    # The same new form saved again (the page had not learnt its draft yet): the same draft, not a second one.
    again = client.post(reverse("cases:autosave"), {**data, "case-question": "Autre question ?"})
    assert again.status_code == 200 and Case.objects.count() == 1
    # Then with the draft's id, as the page does once it knows it.
    client.post(reverse("cases:autosave"), {**data, "case_pk": case.pk, "case-question": "Troisième ?"})
    case.refresh_from_db()
    assert case.question == "Troisième ?" and Case.objects.count() == 1


def test_autosave_refuses_another_users_draft_and_a_submitted_one(
    client: Any,
    alice: Any,
    bob: Any,
    drugs: Any,  # noqa: F811
    colitis: Any,
) -> None:
    draft = CaseFactory(requester=bob)
    login(client, alice)
    data = form_data(drugs, colitis, action="save", case_pk=draft.pk)
    assert client.post(reverse("cases:autosave"), data).status_code == 404
    draft.refresh_from_db()
    assert draft.question != data["case-question"]
    mine = CaseFactory(requester=alice, status=CaseStatus.SUBMITTED)
    refused = client.post(reverse("cases:autosave"), {**data, "case_pk": mine.pk})
    assert refused.status_code == 409 and "déjà été soumise" in refused.json()["error"]


def test_autosave_of_a_new_form_without_its_token_is_refused(client: Any, alice: Any) -> None:
    login(client, alice)
    response = client.post(reverse("cases:autosave"), {"action": "save", **MGMT})
    assert response.status_code == 400 and "rechargez la page" in response.json()["error"]
    assert not Case.objects.exists()


def test_autosave_after_the_session_ended_goes_to_login_and_stores_nothing(
    client: Any,
    drugs: Any,  # noqa: F811
    colitis: Any,
) -> None:
    response = client.post(reverse("cases:autosave"), form_data(drugs, colitis, action="save"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert not Case.objects.exists()


def test_restore_draws_the_copy_again_without_saving(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:  # noqa: F811
    login(client, alice)
    data = form_data(drugs, colitis, action="restore", **{"case-question": "Texte tapé avant l'expiration"})
    data.update({"tox-TOTAL_FORMS": "2", "tox-1-description": "Seconde toxicité en cours de saisie"})
    response = client.post(reverse("cases:create"), data)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Texte tapé avant l'expiration" in body and "Seconde toxicité en cours de saisie" in body
    assert 'id="tox-row-1"' in body
    assert not Case.objects.exists()


def test_restore_of_a_new_form_already_saved_is_refused(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:  # noqa: F811
    login(client, alice)
    token = str(uuid.uuid4())
    client.post(reverse("cases:autosave"), form_data(drugs, colitis, action="save", form_token=token))
    stale = {**form_data(drugs, colitis, action="restore"), "form_token": token}
    response = client.post(reverse("cases:create"), stale)
    assert response.status_code == 409
    assert Case.objects.count() == 1


def test_new_form_offers_attachments_and_numbers_them(client: Any, alice: Any) -> None:
    login(client, alice)
    body = html.unescape(client.get(reverse("cases:create")).content.decode())
    assert "7. Pièces jointes" in body and "data-draft-attach" in body and 'name="file"' in body


def test_file_sent_from_the_form_keeps_the_panel_numbered(client: Any, alice: Any) -> None:
    login(client, alice)
    client.post(reverse("cases:autosave"), {"action": "save", "form_token": str(uuid.uuid4()), **MGMT})
    case = Case.objects.get()
    upload = SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("cases:attachment_add", args=[case.pk]), {"file": upload, "in_form": "1"}, HTTP_HX_REQUEST="true"
    )
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and "7. Pièces jointes" in body and "cr.pdf" in body
    assert case.attachments.count() == 1


def test_urgency_reason_shows_its_asterisk(client: Any, alice: Any) -> None:
    login(client, alice)
    body = client.get(reverse("cases:create")).content.decode()
    label = body[body.index('for="id_case-urgency_reason"') :][:300]
    assert "required-marker" in label
