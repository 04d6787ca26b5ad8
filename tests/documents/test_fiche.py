"""The fiche RCP: full identity, the case, the board's answer; draft watermark; scope of who may read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Avis
from meetings.documents.models import GeneratedDocument
from meetings.documents.selectors import fiche_document_data
from tests.dates import french_long_date
from tests.documents.pdfutil import flat, page_count, pdf_text
from tests.factories.accounts import UserFactory
from tests.factories.documents import WEDNESDAY, build_meeting, validate_meeting
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.pdf.rendering import render_pdf_pages

pytestmark = pytest.mark.django_db


def render_fiche(avis):
    return render_pdf_pages(
        template_name="pdf/fiche.html", context={"doc": fiche_document_data(avis)}, stylesheet="pdf/fiche.css"
    )


@pytest.fixture
def meeting_of(cora):
    def make(requester=None, n=1):
        meeting = build_meeting(n, coordinators=[cora], with_avis=True, drafted_by=cora, starts_at=WEDNESDAY)
        avis = Avis.objects.filter(agenda_item__meeting=meeting).select_related("case__patient").order_by("pk").first()
        patient = avis.case.patient
        patient.birth_name = "Dupré-Lefèvre"
        patient.first_names = "Zoé Éloïse"
        patient.ins = "258041234567890"
        patient.save(update_fields=["birth_name", "first_names", "ins"])
        if requester is not None:
            avis.case.requester = requester
            avis.case.save(update_fields=["requester"])
        return meeting, avis

    return make


def test_validated_fiche_carries_identity_case_answer_and_no_watermark(meeting_of, cora):
    meeting, avis = meeting_of()
    validate_meeting(meeting, by=cora)
    avis.refresh_from_db()
    pdf, pages = render_fiche(avis)
    text = flat(pdf_text(pdf))
    assert 1 <= pages <= 3
    for expected in (
        "DUPRÉ-LEFÈVRE",
        "Zoé Éloïse",
        "258041234567890",
        "12/04/1958",
        "Femme",
        avis.case.reference,
        avis.case.requester.display_name,
        french_long_date(WEDNESDAY.date()).capitalize(),
        "faut-il reprendre l'immunothérapie après la colite de grade 2 ?",
        "Arrêt définitif du pembrolizumab ; corticothérapie 1 mg/kg/j",
        "Arrêter définitivement l'immunothérapie",
        "Reprise contre-indiquée",
        "Déclaration au CRPV recommandée",
        "Myocardite",
        "Document validé",
        "Cora COLIN",
        "Cardiologie",
    ):
        assert expected in text, expected
    assert "PROJET" not in text
    assert "Projet" not in text


def test_draft_fiche_has_the_watermark_on_every_page(meeting_of):
    _meeting, avis = meeting_of()
    avis.free_text = "Commentaire détaillé. " * 300  # long enough for a second page
    avis.save(update_fields=["free_text"])
    pdf, pages = render_fiche(avis)
    assert pages >= 2
    page_texts = pdf_text(pdf).split("\f")[:pages]
    for page in page_texts:
        assert "PROJET" in page.replace("\n", "")
    assert "Document validé" not in flat(pdf_text(pdf))
    assert "Projet : avis non encore validé" in flat(pdf_text(pdf))


def test_markup_typed_by_users_is_printed_as_text(meeting_of, cora):
    _meeting, avis = meeting_of()
    avis.answer = "Réponse <script>alert(1)</script> puis </td></tr></table> fin."
    avis.save(update_fields=["answer"])
    case = avis.case
    case.question = "<b>gras ?</b> </td>"
    case.save(update_fields=["question"])
    pdf, _ = render_fiche(avis)
    text = flat(pdf_text(pdf))
    assert "Réponse <script>alert(1)</script> puis </td></tr></table> fin." in text
    assert "<b>gras ?</b> </td>" in text
    # The rest of the document is intact after the hostile text.
    assert "Reprise contre-indiquée" in text
    assert "Participants" in text


def test_requester_downloads_the_validated_fiche_and_it_is_traced(client, alice, meeting_of, cora):
    meeting, avis = meeting_of(requester=alice)
    validate_meeting(meeting, by=cora)
    login(client, alice)
    response = client.get(reverse("documents:fiche_pdf", args=[avis.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert avis.case.reference in response["Content-Disposition"]
    assert "Dupr" not in response["Content-Disposition"]  # no patient name in the file name
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD_PDF)
    assert (log.user, log.case_id, log.patient_id) == (alice, avis.case_id, avis.case.patient_id)
    assert "Fiche RCP" in log.target


def test_another_clinician_gets_404_for_the_fiche(client, alice, bob, meeting_of, cora):
    meeting, avis = meeting_of(requester=alice)
    validate_meeting(meeting, by=cora)
    login(client, bob)
    assert client.get(reverse("documents:fiche_pdf", args=[avis.pk])).status_code == 404
    assert client.get(reverse("documents:fiche_pdf", args=[987654])).status_code == 404
    assert not AccessLog.objects.exists()
    assert not GeneratedDocument.objects.exists()


def test_requester_does_not_see_the_draft_but_the_coordinator_does(client, alice, cora, meeting_of):
    _meeting, avis = meeting_of(requester=alice)
    login(client, alice)
    assert client.get(reverse("documents:fiche_pdf", args=[avis.pk])).status_code == 404
    login(client, cora)
    response = client.get(reverse("documents:fiche_pdf", args=[avis.pk]))
    assert response.status_code == 200
    assert "PROJET" in pdf_text(b"".join(response.streaming_content))


def test_fiche_is_stored_once_and_remade_after_validation(client, cora, meeting_of):
    meeting, avis = meeting_of()
    login(client, cora)
    url = reverse("documents:fiche_pdf", args=[avis.pk])
    first = b"".join(client.get(url).streaming_content)
    document = GeneratedDocument.objects.get(kind="fiche", case=avis.case)
    stored_name, digest = document.file.name, document.fingerprint
    second = b"".join(client.get(url).streaming_content)
    document.refresh_from_db()
    assert (document.file.name, document.fingerprint) == (stored_name, digest)
    assert first == second
    validate_meeting(meeting, by=cora)
    third = b"".join(client.get(url).streaming_content)
    document.refresh_from_db()
    assert document.fingerprint != digest
    assert "Document validé" in flat(pdf_text(third))
    assert page_count(third) >= 1


def test_case_panel_lists_fiches_for_the_requester_only_when_validated(client, alice, bob, cora, meeting_of):
    meeting, avis = meeting_of(requester=alice)
    url = reverse("documents:case_panel", args=[avis.case_id])
    login(client, alice)
    assert "fiche-rcp.pdf" not in client.get(url).content.decode()
    validate_meeting(meeting, by=cora)
    body = client.get(url).content.decode()
    assert reverse("documents:fiche_pdf", args=[avis.pk]) in body
    assert "document validé" in body
    login(client, bob)
    assert client.get(url).status_code == 404


def test_fiche_lists_present_participants_with_specialties(meeting_of, cora):
    meeting, avis = meeting_of()
    guest = UserFactory(first_name="Gaëlle", last_name="Nöel", specialty="nephrology")
    from meetings.models import Participant

    Participant.objects.create(meeting=meeting, user=guest, role=Participant.Role.OTHER, invited=False)
    validate_meeting(meeting, by=cora)
    text = flat(pdf_text(render_fiche(Avis.objects.get(pk=avis.pk))[0]))
    assert "Néphrologie" in text and "Gaëlle NÖEL" in text
    assert "Oncologie médicale" in text and "Cora COLIN" in text
