"""Guideline summaries beside the avis form: the versioned file loaded, the right summary for organ and grade."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from referents.models import Guideline, OrganCategory
from referents.selectors import guidelines_for
from referents.services import GUIDELINES_FILE, guidelines_load
from tests.factories.cases import ToxicityFactory
from tests.factories.referents import ToxicityEventFactory
from tests.factories.session import make_session, scheduled_item
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_the_migration_loaded_the_versioned_file_for_every_organ() -> None:
    data = json.loads(GUIDELINES_FILE.read_text(encoding="utf-8"))
    assert Guideline.objects.count() == len(data["guidelines"]) > 20
    assert set(Guideline.objects.values_list("version", flat=True)) == {data["version"]}
    seeded = set(OrganCategory.objects.values_list("code", flat=True))
    assert {g["category"] for g in data["guidelines"]} == seeded  # every organ of the taxonomy has a summary
    assert set(Guideline.objects.values_list("source", flat=True)) == set(Guideline.Source.values)
    for code in seeded:  # every grade 1-4 of every organ is covered
        rows = Guideline.objects.filter(category__code=code)
        assert all(rows.filter(grade_min__lte=g, grade_max__gte=g).exists() for g in (1, 2, 3, 4)), code


def test_reloading_keeps_admin_corrections_until_a_new_version(tmp_path: Any) -> None:
    row = Guideline.objects.get(category__code="liver", grade_min=2, grade_max=2)
    row.summary = "Corrigé par l'administrateur."
    row.save()
    assert guidelines_load() == 0
    row.refresh_from_db()
    assert row.summary == "Corrigé par l'administrateur."
    data = json.loads(GUIDELINES_FILE.read_text(encoding="utf-8"))
    data["version"] = "2099-01"
    newer = tmp_path / "guidelines.json"
    newer.write_text(json.dumps(data), encoding="utf-8")
    assert guidelines_load(path=newer) == len(data["guidelines"])
    row.refresh_from_db()
    assert row.summary != "Corrigé par l'administrateur." and row.version == "2099-01"


def test_the_summary_matches_organ_and_grade(django_assert_num_queries: Any) -> None:
    liver = OrganCategory.objects.get(code="liver")
    heart = OrganCategory.objects.get(code="heart")
    hepatitis = ToxicityFactory(event=ToxicityEventFactory(category=liver), grade=3)
    myocarditis = ToxicityFactory(event=ToxicityEventFactory(category=heart), grade=1)
    fatal = ToxicityFactory(event=ToxicityEventFactory(category=liver), grade=5)
    toxicities = [hepatitis, myocarditis, fatal]
    for tox in toxicities:
        tox.event.category
    with django_assert_num_queries(1):
        panels = guidelines_for(toxicities)
    assert [(g.grade_min, g.grade_max, g.source) for g in panels[0].guidelines] == [(3, 4, "asco_2021")]
    assert "mycophénolate" in panels[0].guidelines[0].summary
    assert [(g.grade_min, g.grade_max) for g in panels[1].guidelines] == [(1, 4)]
    assert "abatacept" in panels[1].guidelines[0].summary
    assert panels[2].guidelines == []  # grade 5 (death): no management summary


def test_the_panel_is_beside_the_avis_form(client: Any, cora: Any, rita: Any) -> None:
    s = make_session(coordinator=cora, cases=1)
    lung = OrganCategory.objects.get(code="lung")
    item = scheduled_item(s.meeting, category=lung, grade=2)
    Guideline.objects.filter(category=lung, grade_min=3).update(summary="Résumé grade 3 à ne pas montrer.")
    login(client, cora)
    body = client.get(reverse("meetings:session_item", args=[s.meeting.pk, item.pk])).content.decode()
    assert "Référentiels : conduite à tenir recommandée" in body
    expected = Guideline.objects.get(category=lung, grade_min=2, grade_max=2)
    assert expected.summary.split(".")[0] in body.replace("&#x27;", "'")
    assert "Haanen et al., Ann Oncol 2022" in body and "ESMO 2022" in body
    assert "Résumé grade 3 à ne pas montrer." not in body
    # The citation, ready to be copied into the avis' "référentiel" field when the form has one.
    assert 'data-fill-target="#id_conformity_reference"' in body
    assert f'data-fill-value="ESMO 2022, {expected.section}"' in body
    # A referent reads the avis without the form: no panel.
    other = make_session(coordinator=cora, cases=1)
    login(client, other.cardiologist)
    page = client.get(reverse("meetings:session_item", args=[other.meeting.pk, other.items[0].pk]))
    assert "Référentiels : conduite à tenir recommandée" not in page.content.decode()
