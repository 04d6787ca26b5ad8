"""What the fiche RCP and the minutes record (issue 16): the urgent opinion and its ratification, the organ
exception, patient informed, conformity, recipients, secretariat, electronic validation, French typography."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from cases.models import Avis, Toxicity
from meetings.documents.selectors import agenda_document_data, fiche_document_data, minutes_document_data
from meetings.models import AgendaItem, Meeting, Participant
from tests.documents.pdfutil import flat, pdf_text
from tests.factories.accounts import UserFactory
from tests.factories.documents import WEDNESDAY, build_meeting, validate_meeting
from tests.helpers import login
from tigre.pdf.rendering import render_pdf_pages

pytestmark = pytest.mark.django_db

SECRETARIAT = {"name": "Secrétariat RCP de test, CHU de Reims", "phone": "03 26 00 00 01", "email": "rcp@reims.test"}


def fiche_text(avis: Avis) -> str:
    pdf, _pages = render_pdf_pages(
        template_name="pdf/fiche.html", context={"doc": fiche_document_data(avis)}, stylesheet="pdf/fiche.css"
    )
    return flat(pdf_text(pdf))


def minutes_text(meeting: Meeting) -> str:
    pdf, _pages = render_pdf_pages(
        template_name="pdf/minutes.html", context={"doc": minutes_document_data(meeting)}, stylesheet="pdf/minutes.css"
    )
    return flat(pdf_text(pdf))


@pytest.fixture
def held(cora):
    """A validated meeting of two cases; the first is an urgent-opinion ratification given by a cardiologist."""
    meeting = build_meeting(2, coordinators=[cora], with_avis=True, drafted_by=cora, starts_at=WEDNESDAY)
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("case", "avis").order_by("position"))
    author = UserFactory(first_name="Carla", last_name="Cardin", specialty="cardiology")
    case = items[0].case
    case.urgent_opinion = "Méthylprednisolone 1 g/j pendant 3 jours, hospitalisation en USIC."
    case.urgent_opinion_at = WEDNESDAY - dt.timedelta(days=1, hours=7, minutes=15)  # Tuesday 9:45
    case.urgent_opinion_by = author
    case.patient_informed = True
    case.patient_informed_on = dt.date(WEDNESDAY.year, WEDNESDAY.month, 1) - dt.timedelta(days=1)
    case.save()
    AgendaItem.objects.filter(pk=items[0].pk).update(kind=AgendaItem.Kind.URGENT_RATIFICATION)
    patient = case.patient
    patient.gp_name = "Dr Gérard Médecin-Traitant"
    patient.gp_mssante = "gerard.traitant@medecin.mssante.fr"
    patient.weight_kg = Decimal("62.5")
    patient.save()
    Toxicity.objects.filter(case=case).update(steroids_mg_per_kg=Decimal("0.50"))
    Avis.objects.filter(pk=items[0].avis_id).update(
        urgent_ratification=Avis.UrgentRatification.AMENDED,
        urgent_amendment="Ajouter mycophénolate si pas d'amélioration à J3.",
        conformity=Avis.Conformity.NOT_CONFORMING,
        conformity_reason="Patient âgé, comorbidités rénales",
        conformity_reference="ESMO 2022, myocardite",
        follow_up_date=dt.date(WEDNESDAY.year + 1, 1, 1),
    )
    Avis.objects.filter(pk=items[1].avis_id).update(
        conformity=Avis.Conformity.TRIAL, trial_name="ESSAI-IRAE-01", organ_exception_reason=""
    )
    return meeting, items


@override_settings(TIGRE_SECRETARIAT=SECRETARIAT)
def test_fiche_prints_the_urgent_opinion_then_its_ratification_and_the_new_fields(held, cora):
    meeting, items = held
    validate_meeting(meeting, by=cora)
    text = fiche_text(Avis.objects.get(pk=items[0].avis_id))
    opinion = text.index("Méthylprednisolone 1 g/j pendant 3 jours")
    ratification = text.index("Avis urgent amendé : Ajouter mycophénolate si pas d'amélioration à J3.")
    assert opinion < ratification
    assert "Rendu par Dr Carla CARDIN le" in text
    for expected in (
        "Ratification en RCP d'un avis urgent rendu hors réunion",  # type of discussion
        "Patient informé de la présentation en RCP Oui, le",
        "Proposition non conforme au référentiel : Patient âgé, comorbidités rénales",
        "ESMO 2022, myocardite",
        "Destinataires",
        "Dr Gérard Médecin-Traitant",
        "gerard.traitant@medecin.mssante.fr",
        "Secrétariat RCP de test, CHU de Reims",
        "rcp@reims.test",
        "Document validé électroniquement le",
        "Quorum atteint",
        "Référent présent pour : Cardiaque, Digestive",
    ):
        assert expected in text, expected
    assert "signé" not in text.lower()


def test_fiche_and_minutes_write_numbers_and_dates_the_french_way(held, cora):
    meeting, items = held
    Participant.objects.create(
        meeting=meeting, user=UserFactory(specialty="nephrology"), role=Participant.Role.OTHER, invited=True
    )
    validate_meeting(meeting, by=cora)
    Participant.objects.filter(meeting=meeting, user__specialty="nephrology").update(present=False)
    fiche = fiche_text(Avis.objects.get(pk=items[0].avis_id))
    assert "62,5 kg" in fiche and "62.5" not in fiche
    assert "Corticoïdes 0,5 mg/kg/j" in fiche and "0.50" not in fiche
    assert "1er janvier" in fiche  # the follow-up date
    assert "1 janvier" not in fiche
    minutes = minutes_text(Meeting.objects.get(pk=meeting.pk))
    # The attendance recorded at validation (everyone present), not the later change.
    assert "0 absent)" in minutes and "absents)" not in minutes
    assert "1er janvier" in minutes


def test_minutes_print_the_urgent_opinion_its_ratification_and_the_conformity(held, cora):
    meeting, _items = held
    validate_meeting(meeting, by=cora)
    text = minutes_text(Meeting.objects.get(pk=meeting.pk))
    assert text.index("Méthylprednisolone 1 g/j pendant 3 jours") < text.index("Avis urgent amendé")
    assert "de Dr Carla CARDIN, le" in text
    assert "Inclusion dans un essai clinique (ESSAI-IRAE-01)" in text
    assert "Coordinateurs" in text and "Validation électronique" in text and "validé électroniquement le" in text


def test_an_avis_given_without_the_organ_referent_prints_its_exception(held, cora):
    meeting, items = held
    validate_meeting(meeting, by=cora)
    # The cardiologist was absent when the board met: the record says so, with the reason of the exception.
    record = dict(meeting.attendance_record)
    record["items"] = {**record["items"], str(items[0].pk): {"covered": ["Digestive"], "missing": ["Cardiaque"]}}
    Meeting.objects.filter(pk=meeting.pk).update(attendance_record=record)
    Avis.objects.filter(pk=items[0].avis_id).update(organ_exception_reason="Cardiologue joint par téléphone")
    expected = "Avis rendu sans référent de l'organe (Cardiaque) : Cardiologue joint par téléphone"
    assert expected in fiche_text(Avis.objects.get(pk=items[0].avis_id))
    assert expected in minutes_text(Meeting.objects.get(pk=meeting.pk))


def test_the_session_page_shows_the_urgent_opinion_beside_the_case(client, held, cora):
    meeting, items = held
    login(client, cora)
    for url in (
        reverse("meetings:session", args=[meeting.pk]),
        reverse("meetings:session_item", args=[meeting.pk, items[0].pk]),
    ):
        html = client.get(url).content.decode()
        assert "Méthylprednisolone 1 g/j pendant 3 jours" in html, url
        assert "Dr Carla CARDIN" in html, url
    html = client.get(reverse("meetings:session_item", args=[meeting.pk, items[1].pk])).content.decode()
    assert "Avis urgent à ratifier" not in html


def test_the_agenda_names_who_gave_the_urgent_opinion_to_ratify(held):
    meeting, _items = held
    pdf, _pages = render_pdf_pages(
        template_name="pdf/agenda.html",
        context={"doc": agenda_document_data(meeting)},
        stylesheet="pdf/agenda.css",
    )
    text = flat(pdf_text(pdf))
    assert "AVIS URGENT À RATIFIER rendu par Dr Carla CARDIN le" in text  # the label is set in capitals
    assert text.count("rendu par Dr Carla CARDIN") == 1
