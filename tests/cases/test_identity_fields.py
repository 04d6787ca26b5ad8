"""The request form's identity status "qualifiée" (needs the INS) and the GP's MSSanté address (an address of the
MSSanté space), with French messages; the anonymisation blanks the address."""

from __future__ import annotations

import html
from typing import Any

import pytest
import time_machine

from cases.models import Case, Patient
from tests.cases.test_form import TODAY, form_data, post
from tests.factories.cases import DrugFactory
from tests.helpers import login
from tigre.lib.validators import ins_key

pytestmark = pytest.mark.django_db
NIR = "1580454123456"
INS = f"{NIR}{ins_key(NIR):02d}"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def drugs(db: Any) -> Any:
    return DrugFactory(name="nivolumab", atc_code="L01FF01"), DrugFactory(name="ipilimumab", atc_code="L01FX04")


def test_a_qualified_identity_with_its_ins_and_the_gps_mssante_address_are_kept(client, alice, drugs, colitis):
    login(client, alice)
    data = form_data(
        drugs,
        colitis,
        **{
            "patient-ins": INS,
            "patient-ins_status": "qualified",
            "patient-gp_name": "Dr Jean Moreau",
            "patient-gp_mssante": " Jean.Moreau@Medecin.MSSante.fr ",
        },
    )
    assert post(client, data).status_code == 302
    patient = Case.objects.get().patient
    assert patient.ins_status == Patient.InsStatus.QUALIFIED and patient.ins == INS
    assert patient.gp_mssante == "jean.moreau@medecin.mssante.fr"


def test_qualified_without_ins_is_refused(client, alice, drugs, colitis):
    login(client, alice)
    response = post(client, form_data(drugs, colitis, **{"patient-ins_status": "qualified"}))
    assert response.status_code == 400
    assert "Une identité qualifiée porte son INS" in html.unescape(response.content.decode())
    assert not Case.objects.filter(status="submitted").exists()


def test_an_ordinary_address_is_not_an_mssante_one(client, alice, drugs, colitis):
    login(client, alice)
    response = post(client, form_data(drugs, colitis, **{"patient-gp_mssante": "jean.moreau@gmail.com"}))
    assert response.status_code == 400
    assert "se termine par « mssante.fr »" in html.unescape(response.content.decode())


def test_the_form_explains_the_status(client, alice, drugs, colitis):
    login(client, alice)
    body = html.unescape(client.get("/demandes/nouvelle/").content.decode())
    assert "Identité qualifiée" in body and "téléservice INSi" in body


def test_anonymisation_blanks_the_gps_address_and_the_status(settings, django_capture_on_commit_callbacks):
    from cases.privacy.gdpr import cases_anonymise_closed
    from tests.cases.test_gdpr import _closed_case
    from tests.factories.cases import PatientFactory

    settings.TIGRE = {**settings.TIGRE, "CASE_RETENTION_YEARS": 20}
    old = PatientFactory(
        ins=INS, ins_status="qualified", gp_name="Dr Jean Moreau", gp_mssante="jean.moreau@medecin.mssante.fr"
    )
    _closed_case(old, closed_years_ago=21, reference="TIGRE-2004-0009")
    with django_capture_on_commit_callbacks(execute=True):
        assert [p.pk for p in cases_anonymise_closed().patients] == [old.pk]
    old.refresh_from_db()
    assert (old.gp_name, old.gp_mssante, old.ins, old.ins_status) == ("", "", "", Patient.InsStatus.NONE)
