"""The fiche RCP follows the pseudonymisation policy (issue 17, finding 2; docs/privacy.md#what-each-role-sees):
an invited referent and the CRPV get the fiche without name, birth date or INS; the requester, the coordinators and
the secretariat get the identified one. The FRCP/FHIR/MSSanté exports (they carry the INS) are not theirs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Avis
from tests.documents.pdfutil import flat, pdf_text
from tests.factories.documents import WEDNESDAY, build_meeting, validate_meeting
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db

IDENTITY = ("DUPRÉ", "Dupré", "Zoé", "Éloïse", "258041234567890", "12/04/1958")


@pytest.fixture
def fiche(cora, rita, alice):
    meeting = build_meeting(
        1, coordinators=[cora], invited=[rita], with_avis=True, drafted_by=cora, starts_at=WEDNESDAY
    )
    avis = Avis.objects.filter(agenda_item__meeting=meeting).select_related("case__patient").get()
    patient = avis.case.patient
    patient.birth_name, patient.first_names, patient.ins = "Dupré-Lefèvre", "Zoé Éloïse", "258041234567890"
    patient.save(update_fields=["birth_name", "first_names", "ins"])
    avis.case.requester = alice
    avis.case.save(update_fields=["requester"])
    return meeting, avis


def _fiche_text(user, avis) -> str:
    response = login(Client(), user).get(reverse("documents:fiche_pdf", args=[avis.pk]))
    assert response.status_code == 200
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    assert "no-store" in response["Cache-Control"]
    return flat(pdf_text(body))


@pytest.mark.parametrize("reader", ["rita", "victor"])
def test_the_referent_and_the_crpv_get_the_pseudonymised_draft_fiche(request, fiche, reader) -> None:
    _meeting, avis = fiche
    user = request.getfixturevalue(reader)
    text = _fiche_text(user, avis)
    for shown in IDENTITY:
        assert shown not in text, shown
    assert avis.case.patient.pseudonym in text
    assert "version pseudonymisée" in text
    assert avis.case.reference in text
    assert "PROJET" in text
    row = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD_PDF)
    assert (row.user, row.case_id, row.patient_id) == (user, avis.case_id, avis.case.patient_id)


@pytest.mark.parametrize("reader", ["cora", "sam"])
def test_coordinators_and_the_secretariat_get_the_identified_fiche(request, fiche, reader) -> None:
    _meeting, avis = fiche
    text = _fiche_text(request.getfixturevalue(reader), avis)
    for shown in ("DUPRÉ-LEFÈVRE", "Zoé Éloïse", "258041234567890", "12/04/1958"):
        assert shown in text, shown
    assert "version pseudonymisée" not in text


def test_the_requester_gets_the_identified_validated_fiche(fiche, alice, cora) -> None:
    meeting, avis = fiche
    validate_meeting(meeting, by=cora)
    text = _fiche_text(alice, avis)
    assert "258041234567890" in text and "DUPRÉ-LEFÈVRE" in text


def test_the_referent_reaches_no_identified_export(fiche, rita, cora) -> None:
    meeting, avis = fiche
    validate_meeting(meeting, by=cora)
    client = login(Client(), rita)
    for name in ("exports:frcp", "exports:fhir", "exports:xdm"):
        assert client.get(reverse(name, args=[avis.pk])).status_code == 404, name
