from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from cases.pharmacovigilance.models import PvDeclaration, PvDrugDetail, PvFollowUp, PvStatus
from cases.pharmacovigilance.services import pv_from_avis
from tests.factories.cases import DrugFactory, ImmunotherapyLineFactory, ToxicityFactory
from tests.factories.pharmacovigilance import PvAvisFactory, PvFollowUpFactory, full_case
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def _rows(n, **kwargs):
    rows = []
    for _ in range(n):
        f = PvFollowUpFactory(**kwargs)
        ImmunotherapyLineFactory(
            case=f.toxicity.case, drugs=[DrugFactory(name="pembrolizumab"), DrugFactory(name="ipilimumab")]
        )
        rows.append(f)
    return rows


# --- The CRPV's list -------------------------------------------------------------------------------


def test_list_puts_the_oldest_to_declare_first_with_counts(client, victor):
    now = timezone.now()
    assess = PvFollowUpFactory(status=PvStatus.TO_ASSESS, status_changed_at=now - dt.timedelta(days=30))
    recent = PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - dt.timedelta(days=2))
    old = PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - dt.timedelta(days=12))
    declared = PvFollowUpFactory(status=PvStatus.DECLARED, crpv_reference="NY-1", declared_on=dt.date(2026, 1, 2))
    login(client, victor)

    response = client.get(reverse("pharmacovigilance:list"))

    assert response.status_code == 200
    assert [f.pk for f in response.context["page"]] == [old.pk, recent.pk, assess.pk, declared.pk]
    counts = response.context["counts"]
    assert (
        counts["to_declare"],
        counts["to_assess"],
        counts["declared"],
        counts["not_to_declare"],
        counts["overdue"],
    ) == (
        2,
        1,
        1,
        0,
        1,
    )
    assert "1 à déclarer depuis plus de 7 jours" in response.content.decode()


def test_list_filters(client, victor, reims):
    a, b = _rows(2)
    a.toxicity.case.requester_centre = reims
    a.toxicity.case.save(update_fields=["requester_centre"])
    nivo_case = PvFollowUpFactory(toxicity__grade=4)
    ImmunotherapyLineFactory(case=nivo_case.toxicity.case, drugs=[DrugFactory(name="nivolumab")])
    login(client, victor)
    url = reverse("pharmacovigilance:list")

    def pks(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {f.pk for f in response.context["page"]}

    nivolumab = DrugFactory(name="nivolumab")
    assert pks(drug=nivolumab.pk) == {nivo_case.pk}
    assert pks(grade=4) == {nivo_case.pk}
    assert pks(centre=reims.pk) == {a.pk}
    assert pks(category=b.toxicity.event.category_id) == {b.pk}
    assert pks(status="to_assess") == {a.pk, b.pk, nivo_case.pk}
    assert pks(date_from=timezone.localdate().isoformat()) == {a.pk, b.pk, nivo_case.pk}
    assert pks(date_to=(timezone.localdate() - dt.timedelta(days=1)).isoformat()) == set()


def test_status_tabs_count_under_the_other_filters_not_the_status(client, victor):
    PvFollowUpFactory(status=PvStatus.TO_ASSESS, toxicity__grade=4)
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, toxicity__grade=4)
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, toxicity__grade=2)
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:list"), {"grade": 4, "status": "to_assess"})
    assert len(response.context["page"]) == 1
    counts = response.context["counts"]
    assert (counts["to_assess"], counts["to_declare"]) == (1, 1)  # grade 4 only, whatever the status tab
    assert response.context["current_status"] == "to_assess"
    html = response.content.decode()
    assert 'href="?grade=4&amp;status=to_declare"' in html  # a tab keeps the other filters


def test_list_overdue_filter_uses_the_setting(client, victor, settings):
    settings.TIGRE = {**settings.TIGRE, "PV_REMINDER_DAYS": 3}
    now = timezone.now()
    late = PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - dt.timedelta(days=4))
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, status_changed_at=now - dt.timedelta(days=2))
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:list"), {"overdue": "on"})
    assert [f.pk for f in response.context["page"]] == [late.pk]


def test_bad_filters_are_explained_not_500(client, victor):
    _rows(1)
    login(client, victor)
    response = client.get(
        reverse("pharmacovigilance:list"),
        {"grade": "9", "drug": "abc", "date_from": "2026-05-01", "date_to": "2026-04-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert len(response.context["page"]) == 1  # invalid filters filter nothing


def test_list_query_count_is_constant(client, victor, django_assert_max_num_queries):
    _rows(3)
    login(client, victor)
    url = reverse("pharmacovigilance:list")
    client.get(url)  # warm the session / role caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _rows(12, status=PvStatus.TO_DECLARE)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == 15


def test_list_paginates(client, victor):
    PvFollowUp.objects.bulk_create([PvFollowUp(toxicity=ToxicityFactory()) for _ in range(51)])
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:list"), {"page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"]) == 1


@pytest.mark.parametrize("who", ["alice", "rita", "sam", "adam"])
def test_list_and_registry_are_for_crpv_and_coordinators(client, request, who):
    login(client, request.getfixturevalue(who))
    if who == "adam":  # a superuser passes role checks, as elsewhere in the app
        assert client.get(reverse("pharmacovigilance:list")).status_code == 200
        return
    for name in ("list", "registry", "registry_csv"):
        assert client.get(reverse(f"pharmacovigilance:{name}")).status_code == 403


def test_coordinator_sees_the_list(client, cora):
    login(client, cora)
    assert client.get(reverse("pharmacovigilance:list")).status_code == 200


def test_bulk_action_from_the_list(client, victor):
    a, b = _rows(2)
    login(client, victor)
    response = client.post(
        reverse("pharmacovigilance:bulk"),
        {"ids": [a.pk, b.pk], "to": "not_to_declare", "reason": "Grade 1 attendu", "query": "status=to_assess"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pharmacovigilance:list") + "?status=to_assess"
    assert set(PvFollowUp.objects.values_list("status", flat=True)) == {PvStatus.NOT_TO_DECLARE}


def test_bulk_without_reason_or_selection_is_refused_in_french(client, victor):
    (a,) = _rows(1)
    login(client, victor)
    response = client.post(reverse("pharmacovigilance:bulk"), {"ids": [a.pk], "to": "not_to_declare"}, follow=True)
    assert "Indiquez pourquoi" in response.content.decode()
    response = client.post(reverse("pharmacovigilance:bulk"), {"to": "to_declare"}, follow=True)
    assert "Sélectionnez au moins un effet." in response.content.decode()
    response = client.post(reverse("pharmacovigilance:bulk"), {"ids": ["x"], "to": "declared"}, follow=True)
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.status == PvStatus.TO_ASSESS


def test_clinician_cannot_post_bulk(client, alice):
    (a,) = _rows(1)
    login(client, alice)
    assert client.post(reverse("pharmacovigilance:bulk"), {"ids": [a.pk], "to": "to_declare"}).status_code == 403
    a.refresh_from_db()
    assert a.status == PvStatus.TO_ASSESS


# --- The sheet ------------------------------------------------------------------------------------


def _demo_follow_up(victor):
    case, _tox = full_case()
    (follow_up,) = pv_from_avis(avis=PvAvisFactory(case=case, declare_pv=True), by=victor)
    return follow_up


def test_sheet_page_shows_fields_missing_portal_and_writes_the_access_trail(client, victor):
    follow_up = _demo_follow_up(victor)
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:sheet", args=[follow_up.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "LEF" in html and "10001234567" in html and "nivolumab" in html
    assert "Numéro de lot de nivolumab (médicament biologique)" in html
    assert 'href="https://signalement.social-sante.gouv.fr"' in html
    log = AccessLog.objects.get()
    assert (log.action, log.case_id, log.user_id) == (AccessLog.Action.VIEW_PV, follow_up.toxicity.case_id, victor.pk)


def test_sheet_pdf(client, victor):
    from io import BytesIO

    from pypdf import PdfReader

    follow_up = _demo_follow_up(victor)
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:sheet_pdf", args=[follow_up.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "LEF" in text and "nivolumab" in text and "signalement.social-sante.gouv.fr" in text
    assert AccessLog.objects.get().action == AccessLog.Action.EXPORT


def test_crpv_completes_the_sheet(client, victor):
    follow_up = _demo_follow_up(victor)
    case = follow_up.toxicity.case
    drugs = {d.name: d.pk for d in case.lines.get().drugs.all()}
    login(client, victor)
    data = {
        "serious_choice": "yes",
        "hospitalisation": "on",
        "outcome": "2",
        "dechallenge": "positive",
        "rechallenge": "4",
        "meddra_code": "10009887",
        "meddra_version": "27.1",
        "narrative": "Colite grade 3.",
    }
    for name, pk in drugs.items():
        data.update(
            {
                f"drug-{pk}-route": "Intraveineuse",
                f"drug-{pk}-dose": "1 mg/kg",
                f"drug-{pk}-batch_numbers": f"LOT-{name}",
                f"drug-{pk}-action_taken": "1",
            }
        )
    response = client.post(reverse("pharmacovigilance:sheet_edit", args=[follow_up.pk]), data)
    assert response.status_code == 302
    declaration = PvDeclaration.objects.get(follow_up=follow_up)
    assert (declaration.serious, declaration.hospitalisation, declaration.outcome) == (True, True, "2")
    assert declaration.updated_by == victor
    assert PvDrugDetail.objects.get(case=case, drug_id=drugs["nivolumab"]).batch_numbers == "LOT-nivolumab"
    response = client.get(reverse("pharmacovigilance:sheet", args=[follow_up.pk]))
    assert response.context["sheet"].missing == []
    assert "Fiche complète" in response.content.decode()


def test_sheet_edit_bad_input_is_400_in_french(client, victor):
    follow_up = _demo_follow_up(victor)
    login(client, victor)
    response = client.post(
        reverse("pharmacovigilance:sheet_edit", args=[follow_up.pk]),
        {"serious_choice": "no", "results_in_death": "on", "meddra_code": "12ab"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ne peut pas avoir de critère de gravité" in html
    assert "Un code MedDRA compte 8 chiffres." in html
    assert not PvDeclaration.objects.exists()


def test_record_the_declaration_from_the_sheet(client, victor):
    follow_up = _demo_follow_up(victor)
    login(client, victor)
    response = client.post(
        reverse("pharmacovigilance:status_change", args=[follow_up.pk]),
        {"to": "declared", "declared_on": timezone.localdate().isoformat(), "crpv_reference": "NY-2026-0042"},
        follow=True,
    )
    assert "Statut mis à jour : Déclarée." in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.crpv_reference, follow_up.declarer_id) == (
        "declared",
        "NY-2026-0042",
        victor.pk,
    )


def test_status_change_errors_are_shown_not_500(client, victor):
    follow_up = _demo_follow_up(victor)
    login(client, victor)
    response = client.post(
        reverse("pharmacovigilance:status_change", args=[follow_up.pk]), {"to": "declared"}, follow=True
    )
    assert "Indiquez la date de la déclaration." in response.content.decode()
    response = client.post(
        reverse("pharmacovigilance:status_change", args=[follow_up.pk]),
        {"to": "declared", "declared_on": "2099-01-01", "crpv_reference": "X"},
        follow=True,
    )
    assert "ne peut pas être dans le futur" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == PvStatus.TO_DECLARE


@pytest.mark.parametrize("name", ["sheet", "sheet_pdf", "sheet_edit"])
def test_clinician_cannot_open_a_sheet_even_of_their_own_case(client, victor, name):
    follow_up = _demo_follow_up(victor)
    owner = follow_up.toxicity.case.requester
    login(client, owner)
    assert client.get(reverse(f"pharmacovigilance:{name}", args=[follow_up.pk])).status_code == 403
    assert not AccessLog.objects.exists()


def test_unknown_sheet_is_404(client, victor):
    login(client, victor)
    assert client.get(reverse("pharmacovigilance:sheet", args=[999999])).status_code == 404
    assert client.get(reverse("pharmacovigilance:e2b", args=[999999])).status_code == 404


def test_e2b_download(client, victor):
    follow_up = _demo_follow_up(victor)
    case = follow_up.toxicity.case
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:e2b", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert f"FR-{case.reference}-E2B-R3.xml" in response["Content-Disposition"]
    assert etree.fromstring(response.content).tag == "{urn:hl7-org:v3}MCCI_IN200100UV01"
    log = AccessLog.objects.get()
    assert (log.action, log.case_id) == (AccessLog.Action.EXPORT, case.pk)


# --- The status on the case page ------------------------------------------------------------------


def test_clinician_sees_only_the_status_of_their_own_case(client, victor):
    follow_up = _demo_follow_up(victor)
    follow_up.crpv_reference = "SECRET-REF"
    follow_up.save(update_fields=["crpv_reference"])
    case = follow_up.toxicity.case
    login(client, case.requester)
    response = client.get(reverse("pharmacovigilance:case_status", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "À déclarer" in html and "Colite" in html
    assert "SECRET-REF" not in html
    assert reverse("pharmacovigilance:sheet", args=[follow_up.pk]) not in html


def test_other_clinician_gets_404_for_the_status(client, victor, bob):
    follow_up = _demo_follow_up(victor)
    login(client, bob)
    assert client.get(reverse("pharmacovigilance:case_status", args=[follow_up.toxicity.case_id])).status_code == 404


def test_crpv_gets_the_sheet_link_in_the_status(client, victor):
    follow_up = _demo_follow_up(victor)
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:case_status", args=[follow_up.toxicity.case_id]))
    assert reverse("pharmacovigilance:sheet", args=[follow_up.pk]) in response.content.decode()
