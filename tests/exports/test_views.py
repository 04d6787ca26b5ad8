"""Downloads of the exports from the case page: who may, what the access trail records, what a refusal says; the
MSSanté sending; the case page's links."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Avis, Patient
from meetings.exports.services import KIND_MSSANTE
from tests.exports.standards import validate_fhir, validate_frcp
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.notifications import services as outbox
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db
DOWNLOADS = ("exports:frcp", "exports:fhir", "exports:xdm")


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "enqueue_deliveries", lambda ids: len(ids))


def _get(user, name, avis):
    return login(Client(), user).get(reverse(name, args=[avis.pk]))


@pytest.mark.parametrize("name", DOWNLOADS)
def test_the_requester_and_the_board_download_each_export_and_each_download_is_traced(
    board, name, bob, rita, sam, victor
):
    allowed = [board.requester, board.coordinator, sam]
    for user in allowed:
        response = _get(user, name, board.avis)
        assert response.status_code == 200, user.email
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, case_id=board.case.pk).order_by("pk")
    assert [r.user_id for r in rows] == [u.pk for u in allowed]
    assert all(
        r.patient_id == board.case.patient_id and r.path.endswith(reverse(name, args=[board.avis.pk])) for r in rows
    )
    # Outside the case's scope: 404, as for the case itself, and nothing traced.
    assert _get(bob, name, board.avis).status_code == 404
    assert _get(rita, name, board.avis).status_code == 404  # a referent not invited to this meeting
    # The CRPV sees the case pseudonymised: no export carrying the INS (docs/privacy.md#what-each-role-sees).
    assert _get(victor, name, board.avis).status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == len(allowed)


def test_what_is_downloaded_is_the_valid_export(board):
    client = login(Client(), board.requester)
    frcp = client.get(reverse("exports:frcp", args=[board.avis.pk]))
    assert frcp["Content-Type"].startswith("application/xml")
    assert frcp["Content-Disposition"].startswith('attachment; filename="fiche-rcp-TIGRE-')
    assert validate_frcp(frcp.content).ok
    assert b"<observationMedia" in frcp.content  # the real fiche PDF inside

    fhir = client.get(reverse("exports:fhir", args=[board.avis.pk]))
    assert fhir["Content-Type"].startswith("application/fhir+json")
    assert validate_fhir(json.loads(fhir.content)).ok

    xdm = client.get(reverse("exports:xdm", args=[board.avis.pk]))
    assert xdm["Content-Disposition"] == 'attachment; filename="IHE_XDM.ZIP"'
    archive = zipfile.ZipFile(io.BytesIO(xdm.content))
    assert archive.read("IHE_XDM/SUBSET01/DOC0002.PDF").startswith(b"%PDF")


@pytest.mark.parametrize("name", DOWNLOADS)
def test_an_unqualified_identity_is_refused_in_french_and_not_traced(board, name):
    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=Patient.InsStatus.RECOVERED)
    response = _get(board.coordinator, name, board.avis)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Export impossible" in content and "Identité récupérée" in content and "pas qualifiée" in content
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_a_draft_avis_is_hidden_from_the_requester_and_refused_to_the_board(board):
    Avis.objects.filter(pk=board.avis.pk).update(state=Avis.State.DRAFT)
    assert _get(board.requester, "exports:frcp", board.avis).status_code == 404
    response = _get(board.coordinator, "exports:frcp", board.avis)
    assert response.status_code == 409 and "validé" in response.content.decode()


def test_the_board_sends_over_mssante_and_the_sending_is_traced(board, sam):
    url = reverse("exports:mssante_send", args=[board.avis.pk])
    assert login(Client(), board.requester).post(url).status_code == 403
    assert not Notification.objects.filter(kind=KIND_MSSANTE).exists()

    response = login(Client(), sam).post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[board.case.pk])
    content = response.content.decode()
    assert "Fiche RCP envoyée par MSSanté à Dr Jean Moreau" in content
    assert Notification.objects.filter(kind=KIND_MSSANTE).count() == 2
    (row,) = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=sam)
    assert row.case_id == board.case.pk and row.target.startswith("Envoi MSSanté")

    again = login(Client(), sam).post(url, follow=True)
    assert "avait déjà été envoyée" in again.content.decode()
    assert Notification.objects.filter(kind=KIND_MSSANTE).count() == 2


def test_sending_an_unqualified_identity_says_why(board):
    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=Patient.InsStatus.PROVISIONAL)
    response = login(Client(), board.coordinator).post(
        reverse("exports:mssante_send", args=[board.avis.pk]), follow=True
    )
    assert "pas qualifiée" in response.content.decode()
    assert not Notification.objects.filter(kind=KIND_MSSANTE).exists()


def test_the_case_panel_lists_the_exports_for_each_role(board, sam, django_assert_max_num_queries):
    url = reverse("documents:case_panel", args=[board.case.pk])
    requester = login(Client(), board.requester)
    with django_assert_max_num_queries(12):
        page = requester.get(url).content.decode()
    for name in DOWNLOADS:
        assert reverse(name, args=[board.avis.pk]) in page
    assert reverse("exports:mssante_send", args=[board.avis.pk]) not in page  # sending: the board's staff

    staff = login(Client(), sam).get(url).content.decode()
    assert reverse("exports:mssante_send", args=[board.avis.pk]) in staff
    assert "jean.moreau@medecin.mssante.fr" in staff and "alice.aubert@chu-reims.mssante.fr" in staff

    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=Patient.InsStatus.VALIDATED)
    refused = requester.get(url).content.decode()
    assert reverse("exports:frcp", args=[board.avis.pk]) not in refused
    assert "indisponibles" in refused and "pas qualifiée" in refused
