from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from cases.pharmacovigilance.filters import PvPeriodFilter
from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from cases.pharmacovigilance.selectors import pv_registry, registry_chart
from tests.factories.cases import DrugFactory, ImmunotherapyLineFactory
from tests.factories.pharmacovigilance import PvFollowUpFactory
from tests.factories.referents import OrganCategoryFactory, ToxicityEventFactory
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_set():
    """Seven follow-ups with a known answer.

    pembrolizumab: digestive G3 declared x2, digestive G3 to declare x1, cardiac G4 not to declare x1
    nivolumab+ipilimumab: cardiac G4 declared x1 (counts under both drugs)
    outside the period: pembrolizumab digestive G3 declared x1
    no drug on the case: digestive G2 x1 (not in the registry)
    """
    digestive = OrganCategoryFactory(code="test-digestive", label="Digestive", position=1)
    cardiac = OrganCategoryFactory(code="test-cardiac", label="Cardiaque", position=2)
    colitis = ToxicityEventFactory(code="test-colitis", label="Colite", category=digestive)
    myocarditis = ToxicityEventFactory(code="test-myocarditis", label="Myocardite", category=cardiac)
    pembro = DrugFactory(name="pembrolizumab")
    nivo = DrugFactory(name="nivolumab")
    ipi = DrugFactory(name="ipilimumab")

    def make(event, grade, status, drugs, created=dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)):
        f = PvFollowUpFactory(toxicity__event=event, toxicity__grade=grade, status=status)
        PvFollowUp.objects.filter(pk=f.pk).update(created_at=created)
        if drugs:
            ImmunotherapyLineFactory(case=f.toxicity.case, drugs=drugs)
        return f

    make(colitis, 3, PvStatus.DECLARED, [pembro])
    make(colitis, 3, PvStatus.DECLARED, [pembro])
    make(colitis, 3, PvStatus.TO_DECLARE, [pembro])
    make(myocarditis, 4, PvStatus.NOT_TO_DECLARE, [pembro])
    combo = make(myocarditis, 4, PvStatus.DECLARED, [nivo, ipi])
    # A second line with the same drug must not count the toxicity twice.
    ImmunotherapyLineFactory(case=combo.toxicity.case, drugs=[nivo])
    make(colitis, 3, PvStatus.DECLARED, [pembro], created=dt.datetime(2025, 1, 10, 12, 0, tzinfo=dt.UTC))
    make(colitis, 2, PvStatus.TO_ASSESS, [])


def test_registry_counts_by_drug_category_grade(known_set, django_assert_num_queries):
    period = PvPeriodFilter({"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert period.is_valid()
    with django_assert_num_queries(1):
        rows = pv_registry(period.qs)
    got = [(r.drug, r.category, r.grade, r.declared, r.undeclared) for r in rows]
    assert got == [
        ("ipilimumab", "Cardiaque", 4, 1, 0),
        ("nivolumab", "Cardiaque", 4, 1, 0),
        ("pembrolizumab", "Digestive", 3, 2, 1),
        ("pembrolizumab", "Cardiaque", 4, 0, 1),
    ]


def test_registry_without_period_counts_everything(known_set):
    rows = pv_registry(PvFollowUp.objects.all())
    pembro_digestive = next(r for r in rows if (r.drug, r.category) == ("pembrolizumab", "Digestive"))
    assert (pembro_digestive.declared, pembro_digestive.undeclared, pembro_digestive.total) == (3, 1, 4)


def test_chart_geometry_is_proportional(known_set):
    chart = registry_chart(pv_registry(PvFollowUp.objects.all()))
    bars = {b.label: b for b in chart.bars}
    big = bars["pembrolizumab · Digestive"]
    small = bars["pembrolizumab · Cardiaque"]
    assert big.declared_width + big.undeclared_width == pytest.approx(420)
    assert small.undeclared_width == pytest.approx(105)
    assert small.declared_width == 0


def test_registry_page_and_csv(client, victor, known_set):
    login(client, victor)
    params = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    response = client.get(reverse("pharmacovigilance:registry"), params)
    html = response.content.decode()
    assert response.status_code == 200
    # Distinct effects: the nivolumab + ipilimumab one counts once; the case without a drug counts too.
    assert response.context["totals"] == {"declared": 3, "undeclared": 3, "total": 6}
    assert "<svg" in html and "<script" not in html.split("</main>")[0].split("<main")[1]

    response = client.get(reverse("pharmacovigilance:registry_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Médicament", "Catégorie d'organe", "Grade", "Déclarées", "Non déclarées", "Total"]
    assert ["pembrolizumab", "Digestive", "3", "2", "1", "3"] in rows
    assert len(rows) == 5
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 1


def test_registry_bad_period_is_explained(client, victor, known_set):
    login(client, victor)
    response = client.get(reverse("pharmacovigilance:registry"), {"date_from": "2026-12-31", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "La date de début de période est après la date de fin." in response.content.decode()
    response = client.get(reverse("pharmacovigilance:registry"), {"date_from": "pas une date"})
    assert response.status_code == 200
    assert "Saisissez une date valide." in response.content.decode()


def test_csv_cells_cannot_run_as_formulas(client, victor):
    f = PvFollowUpFactory()
    ImmunotherapyLineFactory(case=f.toxicity.case, drugs=[DrugFactory(name="=HYPERLINK(1)")])
    login(client, victor)
    body = client.get(reverse("pharmacovigilance:registry_csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
