"""One source for what a request needs: the form and the submission refuse the same things, with the same words.

Every rule of ``cases.rules`` is checked both ways: posted through the form in submit mode, and stored in a draft
given to ``case_completeness`` (the check inside ``case_submit``). A rule added to the table reaches both.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from cases import rules
from cases.models import Case, CaseStatus, Drug, RequestReason, Urgency
from cases.rules import RequiredField
from cases.services import CaseIncomplete, case_completeness, case_submit
from tests.cases.test_form import form_data, post
from tests.factories.cases import DrugFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
# The value that satisfies a rule's condition (``when``), posted and stored.
CONDITIONS = {("urgency", Urgency.URGENT): Urgency.URGENT}


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def drugs(db: Any) -> tuple[Drug, Drug]:
    return DrugFactory(name="nivolumab"), DrugFactory(name="ipilimumab", target=Drug.Target.CTLA4)


def _form_name(rule: RequiredField, name: str | None = None) -> str:
    prefix = f"{rule.part}-0" if rule.part in (rules.LINE, rules.TOXICITY) else rule.part
    return f"{prefix}-{name or rule.field}"


def _posted_errors(response: Any) -> dict[str, list[str]]:
    """Every field error of the page's forms, by the field's HTML name."""
    forms = response.context["forms"]
    found: dict[str, list[str]] = {}
    parts = [forms.patient, forms.case_form, *forms.lines.forms, *forms.toxicities.forms]
    for form in parts:
        for name, errors in form.errors.items():
            found[form.add_prefix(name)] = [str(e) for e in errors]
    return found


def _blank_stored(case: Case, rule: RequiredField) -> None:
    """Store ``case`` with the rule's field blank (raises IntegrityError where the database forbids it)."""
    obj: Any = {
        rules.PATIENT: case.patient,
        rules.CASE: case,
        rules.LINE: case.lines.first(),
        rules.TOXICITY: case.toxicities.first(),
    }[rule.part]
    if rule.when is not None:
        setattr(obj, rule.when[0], CONDITIONS[rule.when])
    field = obj._meta.get_field(rule.field)
    if field.many_to_many:
        getattr(obj, rule.field).clear()
        return
    setattr(obj, field.attname, "" if field.get_internal_type() in ("CharField", "TextField") else None)
    with transaction.atomic():
        obj.save()


@pytest.mark.parametrize("rule", rules.REQUIRED_FIELDS, ids=lambda r: f"{r.part}-{r.field}")
def test_the_form_refuses_each_missing_field_with_the_rules_message(
    client: Any, alice: Any, drugs: Any, colitis: Any, rule: RequiredField
) -> None:
    overrides: dict[str, Any] = {_form_name(rule): None}  # not sent, as a browser does for an empty field
    if rule.when is not None:
        overrides[_form_name(rule, rule.when[0])] = CONDITIONS[rule.when]
    login(client, alice)
    response = post(client, form_data(drugs, colitis, **overrides))
    assert response.status_code == 400
    assert _posted_errors(response)[_form_name(rule)] == [str(rule.message)]
    assert str(rule.message) in [item["message"] for item in response.context["summary"]]  # the list at the top
    assert str(rule.message) in html.unescape(response.content.decode())
    assert Case.objects.get().status == CaseStatus.DRAFT


@pytest.mark.parametrize("rule", rules.REQUIRED_FIELDS, ids=lambda r: f"{r.part}-{r.field}")
def test_the_submission_refuses_each_missing_field_with_the_same_message(
    complete_draft: Any, alice: Any, rule: RequiredField
) -> None:
    assert case_completeness(complete_draft) == []
    try:
        _blank_stored(complete_draft, rule)
    except IntegrityError:
        # The database cannot hold the row without it: a draft keeps such a row only as the text typed, and the
        # section's own rule refuses the submission (see the test below for which fields these are).
        assert rule.part in (rules.LINE, rules.TOXICITY)
        return
    case = Case.objects.get(pk=complete_draft.pk)
    assert (_form_name(rule), str(rule.message)) in case_completeness(case)
    with pytest.raises(CaseIncomplete) as refused:
        case_submit(case=case, by=alice)
    assert str(rule.message) in refused.value.messages
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_the_database_holds_no_row_without_the_other_required_fields(complete_draft: Any) -> None:
    """The rules the submission cannot see blank are those the database refuses blank."""
    refused = set()
    for rule in rules.REQUIRED_FIELDS:
        case = Case.objects.get(pk=complete_draft.pk)
        try:
            _blank_stored(case, rule)
        except IntegrityError:
            refused.add((rule.part, rule.field))
    assert refused == {
        (rules.LINE, "start_date"),
        (rules.TOXICITY, "event"),
        (rules.TOXICITY, "grade"),
        (rules.TOXICITY, "onset_date"),
    }


def test_a_rows_rule_gives_the_same_message_both_ways(
    client: Any, alice: Any, drugs: Any, colitis: Any, complete_draft: Any
) -> None:
    data = form_data(drugs, colitis)
    for key in [k for k in data if k.startswith("line-0-")]:
        del data[key]
    login(client, alice)
    response = post(client, data)
    posted = response.context["forms"].section_errors["lines"]
    complete_draft.lines.all().delete()
    stored = [message for field, message in case_completeness(complete_draft) if field == "lines"]
    assert posted == stored == [str(rules.REQUIRED_ROWS[0].message)]
    # The toxicity section's rule is waived by the same reason on both sides.
    complete_draft.toxicities.all().delete()
    assert "toxicities" in {field for field, _m in case_completeness(complete_draft)}
    complete_draft.reason = RequestReason.PRE_EXISTING
    assert "toxicities" not in {field for field, _m in case_completeness(complete_draft)}


def test_a_rule_added_to_the_table_applies_to_the_form_and_the_submission(
    client: Any, alice: Any, drugs: Any, colitis: Any, complete_draft: Any, monkeypatch: Any
) -> None:
    results = RequiredField(rules.CASE, "key_results", gettext_lazy("Les résultats clés sont obligatoires."))
    management = RequiredField(rules.TOXICITY, "management_notes", gettext_lazy("Dites ce qui a été fait."))
    monkeypatch.setattr(rules, "REQUIRED_FIELDS", (*rules.REQUIRED_FIELDS, results, management))
    login(client, alice)

    page = client.get(reverse("cases:create")).content.decode()
    label = page.split('for="id_case-key_results"')[1].split("</label>")[0]
    assert "obligatoire pour soumettre" in label  # the asterisk comes from the table too

    response = post(client, form_data(drugs, colitis, **{"case-key_results": " ", "tox-0-management_notes": ""}))
    assert response.status_code == 400
    errors = _posted_errors(response)
    assert errors["case-key_results"] == ["Les résultats clés sont obligatoires."]
    assert errors["tox-0-management_notes"] == ["Dites ce qui a été fait."]

    missing = case_completeness(complete_draft)
    assert ("case-key_results", "Les résultats clés sont obligatoires.") in missing
    assert ("tox-0-management_notes", "Dites ce qui a été fait.") in missing
    assert Case.objects.get(pk=complete_draft.pk).status == CaseStatus.DRAFT


def test_a_refusal_by_the_service_is_shown_on_the_fields_it_names(
    client: Any, alice: Any, drugs: Any, colitis: Any, monkeypatch: Any
) -> None:
    """What the stored draft lacks (say, changed by another tab meanwhile) shows where the form would show it."""
    import cases.services

    refused = [
        ("case-question", "La question posée à la RCP est obligatoire."),
        ("line-0-drugs", "Choisissez au moins un médicament."),
        ("tox-0-onset_date", "Cette date est dans le futur."),
        ("toxicities", "Au moins une toxicité est obligatoire."),
        ("elsewhere", "Autre chose manque."),
    ]
    monkeypatch.setattr(cases.services, "case_completeness", lambda case: refused)
    login(client, alice)
    response = post(client, form_data(drugs, colitis))
    assert response.status_code == 400
    errors = _posted_errors(response)
    assert errors["case-question"] == ["La question posée à la RCP est obligatoire."]
    assert errors["line-0-drugs"] == ["Choisissez au moins un médicament."]
    forms = response.context["forms"]
    assert forms.section_errors["toxicities"] == ["Au moins une toxicité est obligatoire."]
    assert forms.section_errors["general"] == ["Autre chose manque."]
    summary = [(item["label"], item["message"]) for item in response.context["summary"]]
    assert ("Ligne 1", "Choisissez au moins un médicament.") in summary
    assert ("", "La question posée à la RCP est obligatoire.") in summary
    assert ("Toxicité 1 — date d'apparition", "Cette date est dans le futur.") in summary  # a value: its field named
    assert Case.objects.get().status == CaseStatus.DRAFT


def test_nothing_is_required_in_a_draft(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    blanks = {_form_name(rule): None for rule in rules.REQUIRED_FIELDS}
    response = post(client, {**form_data(drugs, colitis, **blanks), "action": "save"})
    assert response.status_code == 302
    assert Case.objects.get().status == CaseStatus.DRAFT
