"""The pharmacovigilance dead ends of issue 19: the declarer's RPPS, an unknown batch, the banner after the
declaration, seriousness from the avis, who declares (requester's view), the CRPV's meetings."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.pharmacovigilance.models import PvCaseDetails, PvDrugDetail, PvStatus
from cases.pharmacovigilance.services import pv_from_avis, pv_transition
from meetings.models import Participant
from tests.factories.cases import SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import AgendaItemFactory, MeetingFactory
from tests.factories.pharmacovigilance import PvAvisFactory, full_case
from tests.factories.session import ParticipantFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).replace("\xa0", " "))


def _follow_up(victor, *, rpps="10001234567", **avis):
    case, _tox = full_case()
    if not rpps:
        case.requester.rpps = ""
        case.requester.save(update_fields=["rpps"])
    (follow_up,) = pv_from_avis(avis=PvAvisFactory(case=case, **{"declare_pv": True, **avis}), by=victor)
    return follow_up


def _edit_data(case, **extra):
    data = {"serious_choice": "", "narrative": ""}
    for drug in case.lines.get().drugs.all():
        data[f"drug-{drug.pk}-route"] = "Intraveineuse"
    data.update(extra)
    return data


def test_the_crpv_fills_the_declarers_rpps_when_the_profile_has_none(client, victor):
    follow_up = _follow_up(victor, rpps="")
    sheet_url = reverse("pharmacovigilance:sheet", args=[follow_up.pk])
    login(client, victor)
    assert "Numéro RPPS du déclarant" in _text(client.get(sheet_url))
    edit_url = reverse("pharmacovigilance:sheet_edit", args=[follow_up.pk])
    assert 'name="reporter_rpps"' in client.get(edit_url).content.decode()
    case = follow_up.toxicity.case
    bad = client.post(edit_url, _edit_data(case, reporter_rpps="1234"))
    assert bad.status_code == 400
    assert "Le numéro RPPS compte exactement 11 chiffres." in bad.content.decode()
    assert client.post(edit_url, _edit_data(case, reporter_rpps="10009876543")).status_code == 302
    assert PvCaseDetails.objects.get(case=case).reporter_rpps == "10009876543"
    text = _text(client.get(sheet_url))
    assert "10009876543" in text
    assert "Numéro RPPS du déclarant" not in text


def test_an_unknown_batch_is_not_missing_any_more(client, victor):
    follow_up = _follow_up(victor)
    case = follow_up.toxicity.case
    nivo = case.lines.get().drugs.get(name="nivolumab")
    login(client, victor)
    edit_url = reverse("pharmacovigilance:sheet_edit", args=[follow_up.pk])
    both = client.post(
        edit_url, _edit_data(case, **{f"drug-{nivo.pk}-batch_unknown": "on", f"drug-{nivo.pk}-batch_numbers": "AB1"})
    )
    assert both.status_code == 400
    assert "pas les deux" in unescape(both.content.decode())
    assert client.post(edit_url, _edit_data(case, **{f"drug-{nivo.pk}-batch_unknown": "on"})).status_code == 302
    assert PvDrugDetail.objects.get(case=case, drug=nivo).batch_unknown is True
    text = _text(client.get(reverse("pharmacovigilance:sheet", args=[follow_up.pk])))
    assert "Numéro de lot de nivolumab" not in text and "lot inconnu" in text
    assert "d’ipilimumab" in text  # the other drug still misses its batch, with the French elision


def test_the_missing_banner_is_gone_once_declared(client, victor):
    follow_up = _follow_up(victor)
    url = reverse("pharmacovigilance:sheet", args=[follow_up.pk])
    login(client, victor)
    assert "manquent pour déclarer" in _text(client.get(url))
    pv_transition(
        follow_up=follow_up,
        to=PvStatus.DECLARED,
        by=victor,
        declared_on=timezone.localdate(),
        crpv_reference="NY-1",
    )
    text = _text(client.get(url))
    assert "manquent pour déclarer" not in text and "manque pour déclarer" not in text


def test_seriousness_is_prefilled_from_the_avis(client, victor):
    follow_up = _follow_up(victor, hospitalisation=True)
    login(client, victor)
    text = _text(client.get(reverse("pharmacovigilance:sheet", args=[follow_up.pk])))
    assert "Gravité de l'effet" not in text and "Critère de gravité" not in text
    assert "d'après l'avis de la RCP" in text
    assert "Grave : hospitalisation ou prolongation d'hospitalisation (d'après" in text  # no dangling " ;"
    form = client.get(reverse("pharmacovigilance:sheet_edit", args=[follow_up.pk])).context["form"]
    assert form["serious_choice"].value() == "yes"
    assert form["hospitalisation"].value() is True
    assert form["results_in_death"].value() is False


def test_without_hospitalisation_seriousness_stays_to_fill(client, victor):
    follow_up = _follow_up(victor, hospitalisation=False)
    login(client, victor)
    assert "Gravité de l'effet" in _text(client.get(reverse("pharmacovigilance:sheet", args=[follow_up.pk])))


def test_the_requester_sees_who_declares(client, victor, settings):
    settings.TIGRE = {**settings.TIGRE, "PV_CENTRE": "CRPV de Nancy"}
    follow_up = _follow_up(victor)
    case = follow_up.toxicity.case
    login(client, case.requester)
    url = reverse("pharmacovigilance:case_status", args=[case.pk])
    assert "déclaration faite par le CRPV de Nancy" in _text(client.get(url))
    pv_transition(
        follow_up=follow_up, to=PvStatus.DECLARED, by=victor, declared_on=timezone.localdate(), crpv_reference="R-1"
    )
    text = _text(client.get(url))
    assert "Déclarée par le CRPV de Nancy le" in text
    assert "R-1" not in text


def test_the_crpv_sees_its_meetings_with_the_cases_with_a_pv_question(client, victor, django_assert_max_num_queries):
    meeting = MeetingFactory()
    ParticipantFactory(meeting=meeting, user=victor, role=Participant.Role.PHARMACOVIGILANCE)
    serious = SubmittedCaseFactory()
    ToxicityFactory(case=serious, grade=3)
    mild = SubmittedCaseFactory()
    ToxicityFactory(case=mild, grade=1)
    AgendaItemFactory(meeting=meeting, case=serious)
    AgendaItemFactory(meeting=meeting, case=mild)
    MeetingFactory()  # not invited
    login(client, victor)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("meetings:my_meetings"))
    assert response.status_code == 200
    text = _text(response)
    assert "1 dossier avec une question de pharmacovigilance" in text
    assert "1 autre dossier à l'ordre du jour" in text
    assert serious.patient.pseudonym in text
    assert serious.patient.birth_name not in text  # pseudonymised
    assert client.get(reverse("meetings:my_meeting", args=[meeting.pk])).status_code == 200
    assert reverse("meetings:my_meetings") in client.get("/").content.decode()
