"""The agenda PDF: every case in order, pseudonymised, never split across pages; who may download it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cases.models import Patient
from meetings.documents.selectors import agenda_document_data
from meetings.models import Participant
from tests.dates import age_on, french_long_date
from tests.documents.pdfutil import flat, pdf_text
from tests.factories.accounts import UserFactory
from tests.factories.documents import WEDNESDAY, build_meeting
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.pdf.rendering import render_pdf_pages

pytestmark = pytest.mark.django_db


def render_agenda(meeting):
    return render_pdf_pages(
        template_name="pdf/agenda.html", context={"doc": agenda_document_data(meeting)}, stylesheet="pdf/agenda.css"
    )


def test_sixty_case_agenda_lists_every_case_in_order_pseudonymised_and_unsplit(django_assert_max_num_queries):
    coordinator = UserFactory(first_name="Hélène", last_name="Lefèvre", roles=["coordinator"])
    meeting = build_meeting(60, coordinators=[coordinator], starts_at=WEDNESDAY)
    for i, patient in enumerate(Patient.objects.order_by("pk")):
        patient.birth_name = f"Secretnom{i:02d}"
        patient.first_names = "Prénomcaché"
        patient.ins = f"2580412345{i:03d}90"
        patient.save(update_fields=["birth_name", "first_names", "ins"])

    with django_assert_max_num_queries(12):
        data = agenda_document_data(meeting)
    pdf, pages = render_agenda(meeting)
    text = pdf_text(pdf)

    # Every case, in agenda order.
    references = [item["reference"] for item in data["items"]]
    assert len(references) == 60
    positions = [text.find(ref) for ref in references]
    assert all(p >= 0 for p in positions), [r for r, p in zip(references, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    # No full name, first name nor INS; the pseudonym and age are there.
    assert "secretnom" not in text.lower()
    assert "Prénomcaché" not in text
    assert not re.search(r"2580412345\d{3}90", text)
    assert data["items"][0]["pseudonym"] in text
    assert f"{age_on(dt.date(1958, 4, 12), WEDNESDAY.date())} ans" in text  # PatientFactory's birth date
    # Accents and French typography read back right.
    assert french_long_date(WEDNESDAY.date()).capitalize() in text  # "Mercredi 2 décembre 2026"
    assert "Colite immuno-induite" in text
    assert "Hélène LEFÈVRE" in text
    assert "faut-il reprendre l'immunothérapie après la colite de grade 2 ?" in flat(text)
    # Urgency marked (every 4th case), toxicity grades shown, referents needed, invitation list by specialty.
    assert text.count("URGENT") >= 15
    assert "G3" in text and "G2" in text
    assert "RÉFÉRENTS ATTENDUS" in text
    assert "Liste des invités" in text and "Cardiologie" in text and "Gastro-entérologie" in text
    # Page bounds, and "page X / Y" with the meeting on every page.
    assert 6 <= pages <= 20
    page_texts = text.split("\f")[:pages]
    for number, page in enumerate(page_texts, start=1):
        assert f"page {number} / {pages}" in page
        assert f"RCP du {french_long_date(WEDNESDAY.date())}" in page
        assert "Imprimé le" in page
    # No item split across pages: a case's reference and its question are always on the same page.
    for i, ref in enumerate(references, start=1):
        holder = [p for p in page_texts if ref in p]
        assert len(holder) == 1, ref
        assert f"Dossier {i:02d}" in holder[0], ref


def test_user_text_is_escaped_in_the_agenda():
    meeting = build_meeting(2)
    case = meeting.items.order_by("position").first().case
    case.question = "Quid de <script>alert('x')</script> et </td></tr> ? Fin."
    case.save(update_fields=["question"])
    pdf, _ = render_agenda(meeting)
    text = pdf_text(pdf)
    assert "<script>alert('x')</script>" in flat(text)
    assert "</td></tr> ? Fin." in flat(text)
    # The following case is still laid out normally.
    assert meeting.items.order_by("position").last().case.reference in text


def test_empty_agenda_renders_one_page():
    meeting = build_meeting(0)
    pdf, pages = render_agenda(meeting)
    assert pages == 2  # the (empty) case list, then the invitation list on its own page
    assert "Aucun dossier inscrit à cette réunion." in pdf_text(pdf)


@pytest.mark.parametrize("who", ["cora", "sam", "victor"])
def test_board_staff_download_the_agenda_and_it_is_traced(client, request, who):
    user = request.getfixturevalue(who)
    meeting = build_meeting(3)
    login(client, user)
    response = client.get(reverse("documents:agenda_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    # One row per request the agenda contains, with its case and patient (docs/domain.md#access-trail).
    logs = list(AccessLog.objects.filter(user=user, action=AccessLog.Action.DOWNLOAD_PDF))
    expected = set(meeting.items.values_list("case_id", "case__patient_id"))
    assert {(log.case_id, log.patient_id) for log in logs} == expected and len(logs) == 3
    assert all("Ordre du jour" in log.target for log in logs)


def test_invited_referent_downloads_the_agenda_but_not_another_meetings(client, rita):
    mine = build_meeting(2)
    other = build_meeting(2)
    Participant.objects.create(meeting=mine, user=rita, role=Participant.Role.REFERENT, invited=True)
    login(client, rita)
    assert client.get(reverse("documents:agenda_pdf", args=[mine.pk])).status_code == 200
    assert client.get(reverse("documents:agenda_pdf", args=[other.pk])).status_code == 403


def test_clinician_cannot_download_the_agenda(client, alice):
    meeting = build_meeting(1)
    login(client, alice)
    assert client.get(reverse("documents:agenda_pdf", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("documents:agenda_pdf", args=[999999])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD_PDF).exists()


def test_anonymous_is_sent_to_login(client):
    meeting = build_meeting(1)
    response = client.get(reverse("documents:agenda_pdf", args=[meeting.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"] or "connexion" in response["Location"]
