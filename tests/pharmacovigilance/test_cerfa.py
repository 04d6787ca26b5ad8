from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases.pharmacovigilance.cerfa import cerfa_initials, cerfa_sheet
from cases.pharmacovigilance.models import ActionTaken, Dechallenge, Outcome, PvStatus, Rechallenge
from cases.pharmacovigilance.selectors import follow_up_for_sheet
from cases.pharmacovigilance.services import pv_declaration_save, pv_from_avis
from tests.factories.pharmacovigilance import PvAvisFactory, PvFollowUpFactory, full_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("birth_name", "first_names", "expected"),
    [
        ("Lefèvre-Dupont", "Élodie Marie", ("LEF", "E")),
        ("Le Gall", "Yann", ("LEG", "Y")),
        ("Oh", "Ana", ("OH", "A")),
        ("d'Ornano", "Ève", ("DOR", "E")),
    ],
)
def test_initials_as_the_cerfa_asks(birth_name, first_names, expected):
    assert cerfa_initials(birth_name=birth_name, first_names=first_names) == expected


def _complete(follow_up, victor):
    case = follow_up.toxicity.case
    nivo, ipi = sorted(case.lines.get().drugs.all(), key=lambda d: d.name, reverse=True)
    pv_declaration_save(
        follow_up=follow_up,
        by=victor,
        reaction={
            "serious": True,
            "hospitalisation": True,
            "outcome": Outcome.RECOVERING,
            "dechallenge": Dechallenge.POSITIVE,
            "rechallenge": Rechallenge.NOT_DONE,
            "meddra_code": "10009887",
            "meddra_version": "27.1",
        },
        narrative="Colite grade 3 sous nivolumab + ipilimumab, améliorée sous corticoïdes.",
        drugs={
            nivo.pk: {
                "route": "Intraveineuse",
                "dose": "1 mg/kg/3 sem",
                "batch_numbers": "AB1234",
                "action_taken": "1",
            },
            ipi.pk: {"route": "Intraveineuse", "dose": "3 mg/kg/3 sem", "batch_numbers": "CD5678", "action_taken": "1"},
        },
    )


def test_sheet_maps_every_cerfa_field_from_the_case(victor, django_assert_max_num_queries):
    case, _toxicity = full_case()
    avis = PvAvisFactory(case=case, declare_pv=True)
    (follow_up,) = pv_from_avis(avis=avis, by=victor)
    _complete(follow_up, victor)

    with django_assert_max_num_queries(10):
        sheet = cerfa_sheet(follow_up=follow_up_for_sheet(follow_up.pk))

    # Reporter: the requester, with RPPS
    assert sheet.reporter_name == "Dr Alice AUBERT"
    assert sheet.reporter_rpps == "10001234567"
    assert (sheet.reporter_centre, sheet.reporter_city) == ("CHU de Reims", "Reims")
    assert sheet.reporter_email == "dr.aubert@chu-reims.test"
    assert sheet.reporter_phone == "03 26 00 00 00"
    assert sheet.reporter_specialty == "Oncologie médicale"
    # Patient
    assert (sheet.initials_name, sheet.initials_first) == ("LEF", "E")
    assert (sheet.sex, sheet.birth_date, sheet.age_at_onset) == ("F", dt.date(1958, 4, 12), 67)
    assert (sheet.weight_kg, sheet.height_cm) == (Decimal("61.5"), 164)
    assert sheet.history == "Hypothyroïdie ancienne\nPsoriasis\nHTA"
    # Drugs: route, dose, dates, indication, batch, action
    drugs = {d.name: d for d in sheet.drugs}
    assert set(drugs) == {"nivolumab", "ipilimumab"}
    nivo = drugs["nivolumab"]
    assert (nivo.role, nivo.route, nivo.dose, nivo.batch_numbers) == (
        "suspect",
        "Intraveineuse",
        "1 mg/kg/3 sem",
        "AB1234",
    )
    assert (nivo.start_date, nivo.end_date, nivo.ongoing) == (dt.date(2026, 1, 5), dt.date(2026, 2, 16), False)
    assert nivo.indication == "Mélanome — Mélanome cutané (C43), stade IV"
    assert (nivo.action_taken, nivo.action_taken_derived) == (ActionTaken.WITHDRAWN, False)
    # Effect
    assert (sheet.event_label, sheet.reaction_term, sheet.grade, sheet.onset_date) == (
        "Colite",
        "Colitis",
        3,
        dt.date(2026, 3, 1),
    )
    assert sheet.serious is True
    assert [label for label, _e, value in sheet.criteria if value] == [
        "hospitalisation ou prolongation d'hospitalisation"
    ]
    assert sheet.outcome == Outcome.RECOVERING
    assert (sheet.dechallenge, sheet.rechallenge) == (Dechallenge.POSITIVE, Rechallenge.NOT_DONE)
    assert (sheet.meddra_code, sheet.meddra_version) == ("10009887", "27.1")
    assert sheet.narrative.startswith("Colite grade 3") and not sheet.narrative_derived
    assert sheet.missing == []
    assert sheet.status_label == "À déclarer"


def test_missing_fields_are_listed_in_french():
    follow_up = PvFollowUpFactory(status=PvStatus.TO_DECLARE)
    case = follow_up.toxicity.case
    case.requester.rpps = ""
    case.requester.save(update_fields=["rpps"])

    sheet = cerfa_sheet(follow_up=follow_up_for_sheet(follow_up.pk))

    for expected in (
        "Numéro RPPS du déclarant",
        "Poids du patient",
        "Taille du patient",
        "Antécédents du patient",
        "Médicament suspect : aucune immunothérapie n'est renseignée dans la demande",
        "Gravité de l'effet (grave ou non grave)",
        "Évolution de l'effet",
        "Évolution à l'arrêt du traitement (dechallenge)",
        "Réintroduction du traitement (rechallenge)",
        "Code MedDRA de l'effet (pour l'export E2B)",
    ):
        assert expected in sheet.missing
    # A narrative is proposed from the request, not reported missing.
    assert sheet.narrative_derived and "grade 2" in sheet.narrative


def test_drug_gaps_and_derived_action_from_the_avis(victor):
    case, _toxicity = full_case()
    avis = PvAvisFactory(case=case, declare_pv=True)
    (follow_up,) = pv_from_avis(avis=avis, by=victor)

    sheet = cerfa_sheet(follow_up=follow_up_for_sheet(follow_up.pk))

    assert "Voie d'administration de nivolumab" in sheet.missing
    assert "Numéro de lot d’ipilimumab (médicament biologique)" in sheet.missing
    assert all(d.action_taken == ActionTaken.WITHDRAWN and d.action_taken_derived for d in sheet.drugs)
    assert "Avis de la RCP TIGRE" in sheet.narrative


def test_grade_5_is_serious_and_fatal_without_typing_it():
    follow_up = PvFollowUpFactory(toxicity__grade=5)
    sheet = cerfa_sheet(follow_up=follow_up_for_sheet(follow_up.pk))
    assert sheet.serious is True
    assert sheet.criteria[0][2] is True
    assert (sheet.outcome, sheet.outcome_derived) == (Outcome.FATAL, True)
    assert "Évolution de l'effet" not in sheet.missing


def test_declaration_save_refuses_a_drug_not_in_the_case(victor):
    from cases.pharmacovigilance.services import PvTransitionError
    from tests.factories.cases import DrugFactory

    case, _t = full_case()
    avis = PvAvisFactory(case=case)
    (follow_up,) = pv_from_avis(avis=avis, by=victor)
    other = DrugFactory(name="durvalumab")
    with pytest.raises(PvTransitionError, match="ne figure pas"):
        pv_declaration_save(
            follow_up=follow_up, by=victor, reaction={}, narrative="", drugs={other.pk: {"route": "IV"}}
        )
