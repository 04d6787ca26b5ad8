"""The benchmark runs end to end on the tiny dataset and writes every measurement (no timing assertion:
the figures themselves are judged by `make bench`, never by the tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from bench import dataset
from bench.management.commands.bench import Command
from cases.models import Case, CaseStatus
from meetings.models import AgendaItem

MEASUREMENTS = {
    "floor",
    "agenda_build",
    "agenda_page",
    "triage_queue",
    "triage_queue_search",
    "agenda_item_menu",
    "my_cases",
    "case_page",
    "submission",
    "agenda_pdf",
    "fiche_pdf",
    "agenda_pdf_download",
    "fiche_pdf_download",
    "reminder_fan_out",
    "activity_dashboard",
    "activity_dashboard_uncached",
}


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="bench.urls")
def test_bench_runs_on_the_tiny_dataset(tmp_path: Path, capsys: Any) -> None:
    output = tmp_path / "results.json"
    call_command(
        Command(), "--tiny", "--runs", "2", "--warmup", "1", "--pdf-runs", "1", "--no-load-test", "--output", output
    )
    report = json.loads(output.read_text(encoding="utf-8"))
    results = report["results"]
    assert set(results) == MEASUREMENTS
    for name, result in results.items():
        assert result["runs"] >= 1, name
        assert 0 < result["median_ms"] <= result["p95_ms"], name
        assert result["queries"] >= 1, name
        assert result["ratio_to_floor"] > 0, name
        if name != "floor":  # each measurement carries the floor timed in alternation with it
            assert result["floor_ms"] > 0, name
            assert result["ratio_to_floor"] == round(result["median_ms"] / result["floor_ms"], 2), name
    assert results["floor"]["queries"] <= 8  # session, user, device, the trivial query
    for pdf in ("agenda_pdf", "fiche_pdf"):
        assert results[pdf]["peak_mb"] > 10
    dashboard = results["activity_dashboard"]["extra"]["queries_by_period"]
    assert dashboard["year"] == dashboard["month"] > 0  # the same queries whatever the period's size
    assert (
        results["activity_dashboard_uncached"]["queries"]
        == results["activity_dashboard"]["extra"]["queries_computed_afresh"]
    )
    judged_names = ("agenda_page", "triage_queue", "submission", "agenda_build", "agenda_pdf", "fiche_pdf")
    for judged in (*judged_names, "activity_dashboard"):
        assert results[judged]["target"] and results[judged]["met"] in (True, False)
    build = results["agenda_build"]["extra"]["queries_by_case_count"]
    assert len(build) == 2
    # Every referent of the dataset is reached.
    assert results["reminder_fan_out"]["extra"]["recipients"] == dataset.Size.tiny().referents
    size = dataset.Size.tiny()
    assert report["dataset"]["cases_in_database"] == size.cases  # the submissions were removed
    assert report["throughput"] == {}
    # The dataset is as loaded, the next meeting's agenda built once more.
    assert Case.objects.filter(status=CaseStatus.SCHEDULED).count() == size.next_meeting_cases
    assert AgendaItem.objects.filter(meeting__status="planned").count() == size.next_meeting_cases
    table = capsys.readouterr().out
    assert "| agenda_page |" in table and "| reminder_fan_out |" in table


@pytest.mark.django_db(transaction=True)
def test_dataset_is_reproducible_from_its_seed() -> None:
    size = dataset.Size.tiny()
    first = dataset.load(size=size, seed=7)
    refs = list(Case.objects.order_by("pk").values_list("reference", "status", "highest_grade"))
    assert dataset.is_loaded(size, 7) and not dataset.is_loaded(size, 8)
    dataset.load(size=size, seed=7)
    assert list(Case.objects.order_by("pk").values_list("reference", "status", "highest_grade")) == refs
    again = dataset.existing(size=size, seed=7)
    assert again.next_meeting.pk == first.next_meeting.pk
    assert Case.objects.filter(status=CaseStatus.ACCEPTED).count() == size.next_meeting_cases
