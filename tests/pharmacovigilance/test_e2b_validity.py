"""The E2B(R3) export against the ICH schema (validate_e2b of shared/standards: 0 errors), and the four minimum
criteria of a case report checked before export, with a French message naming what is missing."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client
from django.urls import reverse

from cases.pharmacovigilance.cerfa import cerfa_sheet
from cases.pharmacovigilance.e2b import E2BMinimumCriteriaMissing, e2b_export, e2b_minimum_missing
from cases.pharmacovigilance.selectors import case_follow_ups_for_export
from cases.pharmacovigilance.services import pv_from_avis
from tests.exports.standards import validate_e2b
from tests.factories.cases import ToxicityFactory
from tests.factories.pharmacovigilance import PvAvisFactory, full_case
from tests.helpers import login
from tests.pharmacovigilance.test_e2b import _export
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def _sheets(victor, *, prepare=None):
    case, _toxicity = full_case()
    if prepare is not None:
        prepare(case)
    pv_from_avis(avis=PvAvisFactory(case=case, declare_pv=True), by=victor)
    return case, [cerfa_sheet(follow_up=f) for f in case_follow_ups_for_export(case.pk)]


def test_a_complete_declaration_is_valid_against_the_ich_schema(victor):
    _case, xml = _export(victor, extra_toxicity=True)
    report = validate_e2b(xml)
    assert report.ok and report.issues == [], report.format()


def test_a_declaration_the_crpv_has_not_completed_is_valid_too(victor):
    def sparse(case):
        patient = case.patient
        patient.sex, patient.birth_date, patient.weight_kg, patient.height_cm = "U", None, None, None
        patient.save()
        ToxicityFactory(case=case, grade=5)

    _case, sheets = _sheets(victor, prepare=sparse)
    assert all(sheet.missing for sheet in sheets)  # the Cerfa sheet lists a lot to complete
    assert e2b_minimum_missing(sheets) == []  # yet the four minimum criteria are met
    report = validate_e2b(e2b_export(sheets=sheets, sender_organisation="CRPV"))
    assert report.ok, report.format()


def test_a_broken_message_fails_the_ich_schema(victor):
    _case, xml = _export(victor)
    broken = xml.replace(b"<creationTime", b"<createdOn", 1).replace(b"</creationTime>", b"</createdOn>", 1)
    assert not validate_e2b(broken).ok


def test_no_suspect_drug_is_refused_naming_it(victor):
    _case, sheets = _sheets(victor, prepare=lambda case: case.lines.all().delete())
    with pytest.raises(E2BMinimumCriteriaMissing) as refused:
        e2b_export(sheets=sheets, sender_organisation="CRPV")
    assert refused.value.missing == ["un médicament suspect (au moins une immunothérapie renseignée dans la demande)"]


def test_each_missing_criterion_is_named(victor):
    _case, sheets = _sheets(victor)
    blank = [
        dataclasses.replace(
            sheet,
            initials_name="",
            initials_first="",
            sex="U",
            birth_date=None,
            age_at_onset=None,
            reporter_first_name="",
            reporter_last_name="",
            reporter_email="",
            reporter_phone="",
            event_label="",
            ctcae_term="",
            drugs=[],
        )
        for sheet in sheets
    ]
    missing = e2b_minimum_missing(blank)
    assert len(missing) == 4
    for word in ("patient identifiable", "notificateur identifiable", "effet indésirable", "médicament suspect"):
        assert any(word in item for item in missing), word
    assert len(e2b_minimum_missing([])) == 4


def test_the_crpv_is_told_what_is_missing_and_nothing_is_exported(victor):
    case, _ = _sheets(victor, prepare=lambda case: case.lines.all().delete())
    response = login(Client(), victor).get(reverse("pharmacovigilance:e2b", args=[case.pk]))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Export E2B(R3) impossible" in content and "un médicament suspect" in content
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT, case_id=case.pk).exists()


def test_the_crpv_downloads_a_valid_file(victor):
    case, _ = _sheets(victor)
    response = login(Client(), victor).get(reverse("pharmacovigilance:e2b", args=[case.pk]))
    assert response.status_code == 200
    assert validate_e2b(response.content).ok
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, case_id=case.pk, user=victor).count() == 1
