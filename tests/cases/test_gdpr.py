"""GDPR: the right-of-access export holds exactly one patient's data; the retention job anonymises old closed
requests, with a dry run that changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Attachment, CaseMessage, CaseStatus, Patient
from cases.privacy.gdpr import cases_anonymise_closed, patient_export, retention_plan
from tests.factories.cases import PatientFactory, SubmittedCaseFactory, ToxicityFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.audit.services import access_log_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_patients(alice):
    mine = PatientFactory(birth_name="Lefebvre", first_names="Odette", ins="269054958815780")
    other = PatientFactory(birth_name="Marchand", first_names="Hubert", ins="155017512345617")
    case_a = SubmittedCaseFactory(patient=mine, reference="TIGRE-2026-0007", question="Colite grade 3 ?")
    case_b = SubmittedCaseFactory(patient=other, reference="TIGRE-2026-0008", question="Myocardite ?")
    ToxicityFactory(case=case_a, description="Diarrhées Lefebvre")
    ToxicityFactory(case=case_b, description="Troponine élevée")
    CaseMessage.objects.create(case=case_a, kind=CaseMessage.Kind.NOTE, author=alice, body="Appelé Mme Lefebvre")
    CaseMessage.objects.create(case=case_b, kind=CaseMessage.Kind.NOTE, author=alice, body="Appelé M. Marchand")
    access_log_write(user=alice, action=AccessLog.Action.VIEW_CASE, case=case_a)
    access_log_write(user=alice, action=AccessLog.Action.VIEW_CASE, case=case_b)
    return mine, other, case_a, case_b


def test_export_contains_exactly_one_patients_data(two_patients) -> None:
    mine, _other, case_a, _case_b = two_patients
    data = patient_export(patient=mine)
    text = json.dumps(data, default=str)
    assert data["patient"]["birth_name"] == "Lefebvre"
    assert data["patient"]["ins"] == "269054958815780"
    assert [c["id"] for c in data["records"]["cases.Case"]] == [case_a.pk]
    assert [t["case_id"] for t in data["records"]["cases.Toxicity"]] == [case_a.pk]
    assert [m["body"] for m in data["records"]["cases.CaseMessage"]] == ["Appelé Mme Lefebvre"]
    assert [row["case_id"] for row in data["access_trail"]] == [case_a.pk]
    for foreign in ("Marchand", "Hubert", "155017512345617", "TIGRE-2026-0008", "Myocardite", "Troponine"):
        assert foreign not in text, foreign


REASON = "Courrier du patient reçu le 2 décembre"
EXPORT_URL = "privacy:patient_export"


def _search(client, **keys):
    return client.post(reverse(EXPORT_URL), {"reason": REASON, **keys})


def _export(client, **keys):
    return client.post(reverse(EXPORT_URL), {"reason": REASON, "export": "1", **keys})


def test_export_page_finds_by_post_downloads_json_and_is_traced(client, cora, two_patients) -> None:
    mine, _other, case_a, _case_b = two_patients
    login(client, cora)
    response = _search(client, reference="TIGRE-2026-0007")
    assert response.status_code == 200
    assert response.context["patient"] == mine
    searched = list(AccessLog.objects.filter(user=cora))
    assert [(r.case_id, r.patient_id) for r in searched] == [(case_a.pk, mine.pk)]
    assert REASON in searched[0].target
    before = AccessLog.objects.count()
    response = _export(client, reference="TIGRE-2026-0007")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment;" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["patient"]["id"] == mine.pk
    assert data["generated_by"] == cora.email
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.latest("pk")
    assert (row.user, row.action, row.case_id, row.patient_id) == (cora, AccessLog.Action.EXPORT, case_a.pk, mine.pk)
    assert REASON in row.target


def test_the_lookup_is_never_a_get_with_the_ins(client, cora, two_patients) -> None:
    login(client, cora)
    response = client.get(reverse(EXPORT_URL), {"ins": "269054958815780", "reason": REASON})
    assert response.status_code == 200
    assert response.context["patient"] is None
    assert not AccessLog.objects.filter(user=cora).exists()
    assert 'method="post"' in response.content.decode()


def test_a_reason_is_required(client, cora, two_patients) -> None:
    login(client, cora)
    response = client.post(reverse(EXPORT_URL), {"reference": "TIGRE-2026-0007", "export": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AccessLog.objects.filter(user=cora).exists()


def test_export_by_ins(client, cora, two_patients) -> None:
    mine, *_ = two_patients
    login(client, cora)
    response = _export(client, ins="2 69 05 49 588 157 80")
    assert json.loads(response.content)["patient"]["id"] == mine.pk


def test_a_patient_with_two_requests_is_exported_whole(client, cora, two_patients) -> None:
    """Each request records its own patient row: the export gathers every row of the person, by INS or traits."""
    mine, _other, case_a, case_b = two_patients
    again = PatientFactory(birth_name="LEFEBVRE", first_names="Odette", ins="269054958815780")
    case_c = SubmittedCaseFactory(patient=again, reference="TIGRE-2026-0042", question="Hépatite ?")
    no_ins = PatientFactory(birth_name="Lefebvre", first_names="Odette Marie", ins="")
    case_d = SubmittedCaseFactory(patient=no_ins, reference="TIGRE-2026-0043")
    login(client, cora)
    for keys in (
        {"ins": "269054958815780"},
        {"reference": "TIGRE-2026-0042"},
        {"birth_name": "lefebvre", "first_name": "Odette", "birth_date": "1958-04-12"},
    ):
        data = json.loads(_export(client, **keys).content)
        assert sorted(p["id"] for p in data["patients"]) == sorted([mine.pk, again.pk, no_ins.pk]), keys
        assert sorted(c["id"] for c in data["records"]["cases.Case"]) == sorted([case_a.pk, case_c.pk, case_d.pk])
        assert case_b.pk not in [c["id"] for c in data["records"]["cases.Case"]]
        assert "Marchand" not in json.dumps(data)
    rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("pk")[:3]
    assert sorted(r.case_id for r in rows) == sorted([case_a.pk, case_c.pk, case_d.pk])


def test_a_corsican_ins_is_found(client, cora) -> None:
    from tigre.lib.validators import ins_key

    nir = "158042A123456"
    ins = f"{nir}{ins_key(nir):02d}"
    corsican = PatientFactory(birth_name="Casanova", first_names="Lisandru", ins=ins)
    SubmittedCaseFactory(patient=corsican, reference="TIGRE-2026-0044")
    login(client, cora)
    response = _export(client, ins=ins.lower())
    assert response.status_code == 200, response.content.decode()[:500]
    assert json.loads(response.content)["patient"]["id"] == corsican.pk


def test_export_unknown_patient_gives_a_french_message(client, cora) -> None:
    login(client, cora)
    response = _search(client, reference="TIGRE-1999-9999")
    assert response.status_code == 200
    assert "Aucun patient ne correspond" in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("who", ["alice", "sam", "victor", "rita"])
def test_export_is_refused_to_other_roles(client, request, who, two_patients) -> None:
    login(client, request.getfixturevalue(who))
    response = _export(client, reference="TIGRE-2026-0007")
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_export_is_refused_to_a_staff_administrator(client, two_patients) -> None:
    """The README gives the GDPR export to the coordinators; an administrator account (not superuser) is refused."""
    from tests.factories.accounts import UserFactory

    login(client, UserFactory(roles=["administrator"], is_staff=True))
    assert _export(client, ins="269054958815780").status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_export_command_writes_json_and_is_traced(tmp_path: Path, two_patients) -> None:
    mine, *_ = two_patients
    target = tmp_path / "export.json"
    call_command("export_patient", "TIGRE-2026-0007", "-o", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text())["patient"]["id"] == mine.pk
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, patient_id=mine.pk, user=None).count() == 1


def test_export_command_unknown_patient_fails_cleanly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Aucun patient"):
        call_command("export_patient", "TIGRE-1999-9999")


# --- Retention --------------------------------------------------------------------------------------------------


def _closed_case(patient, *, closed_years_ago: float, status=CaseStatus.CLOSED, **kwargs):
    closed_at = timezone.now() - dt.timedelta(days=365.25 * closed_years_ago)
    return SubmittedCaseFactory(patient=patient, status=status, closed_at=closed_at, **kwargs)


@pytest.fixture
def retention_world(settings, alice):
    settings.TIGRE = {**settings.TIGRE, "CASE_RETENTION_YEARS": 20}
    old = PatientFactory(
        birth_name="Ancien", first_names="Marcel", ins="145027512345678", birth_date=dt.date(1930, 6, 7)
    )
    old_case = _closed_case(old, closed_years_ago=21, reference="TIGRE-2004-0001", history="Patient Ancien suivi")
    _closed_case(old, closed_years_ago=22, status=CaseStatus.WITHDRAWN, reference="TIGRE-2003-0001")
    ToxicityFactory(case=old_case, grade=3, description="Colite chez M. Ancien")
    CaseMessage.objects.create(case=old_case, kind=CaseMessage.Kind.NOTE, author=alice, body="Vu M. Ancien")
    attachment = Attachment.objects.create(
        case=old_case,
        file=ContentFile(b"%PDF-1.4 compte rendu", name="cr-ancien.pdf"),
        original_name="CR Ancien Marcel.pdf",
        content_type="application/pdf",
        size=21,
        sha256="0" * 64,
        uploaded_by=alice,
    )
    recent = PatientFactory(birth_name="Recent", first_names="Lucie")
    _closed_case(recent, closed_years_ago=5, reference="TIGRE-2021-0001")
    mixed = PatientFactory(birth_name="Mixte", first_names="Paul")
    _closed_case(mixed, closed_years_ago=25, reference="TIGRE-2000-0001")
    SubmittedCaseFactory(patient=mixed, reference="TIGRE-2026-0100")  # still open: the identity is kept
    return old, old_case, attachment, recent, mixed


def test_retention_dry_run_lists_and_changes_nothing(retention_world) -> None:
    old, _old_case, attachment, _recent, _mixed = retention_world
    out = io.StringIO()
    call_command("anonymise_closed_cases", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "1 patient(s) à anonymiser" in text
    assert f"patient n°{old.pk} : TIGRE-2004-0001, TIGRE-2003-0001" in text or (
        f"patient n°{old.pk} : TIGRE-2003-0001, TIGRE-2004-0001" in text
    )
    assert "Ancien" not in text and "Recent" not in text and "Mixte" not in text
    assert "Simulation : rien n'a été modifié." in text
    old.refresh_from_db()
    assert old.birth_name == "Ancien" and old.anonymised_at is None
    assert Path(attachment.file.path).exists()


def test_retention_real_run_anonymises_old_closed_patients_only(retention_world, django_capture_on_commit_callbacks):
    old, old_case, attachment, recent, mixed = retention_world
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        plan = cases_anonymise_closed()
    assert [p.pk for p in plan.patients] == [old.pk]
    old.refresh_from_db()
    assert (old.birth_name, old.first_names, old.ins, old.used_name) == ("ANONYME", "ANONYME", "", "")
    assert old.birth_date == dt.date(1930, 1, 1)
    assert old.anonymised_at is not None
    old_case.refresh_from_db()
    assert old_case.history == "" and old_case.question == ""
    assert old_case.reference == "TIGRE-2004-0001"  # structured data stay for the registry
    tox = old_case.toxicities.get()
    assert (tox.grade, tox.description) == (3, "")
    assert old_case.messages.get().body == "[anonymisé]"
    attachment.refresh_from_db()
    assert attachment.file.name == "" and "Ancien" not in attachment.original_name
    assert not path.exists()
    for kept in (recent, mixed):
        kept.refresh_from_db()
        assert kept.anonymised_at is None and kept.birth_name in ("Recent", "Mixte")
    export = json.dumps(patient_export(patient=old), default=str)
    assert "Ancien" not in export and "Marcel" not in export and "145027512345678" not in export
    # Idempotent: nothing left to do.
    assert cases_anonymise_closed().patients == []


def test_retention_follows_the_setting(settings, retention_world) -> None:
    old, _c, _a, recent, mixed = retention_world
    settings.TIGRE = {**settings.TIGRE, "CASE_RETENTION_YEARS": 3}
    assert {p.pk for p in retention_plan().patients} == {old.pk, recent.pk}
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 30)):
        assert Patient.objects.filter(pk=mixed.pk).exists()
        assert mixed.pk not in {p.pk for p in retention_plan().patients}  # the open request keeps it


def test_retention_command_runs_the_job_once(retention_world, django_capture_on_commit_callbacks) -> None:
    old, *_ = retention_world
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_closed_cases", stdout=out)
    assert "1 patient(s) anonymisé(s)." in out.getvalue()
    old.refresh_from_db()
    assert old.anonymised_at is not None
    out = io.StringIO()
    call_command("anonymise_closed_cases", stdout=out)
    assert "anonymisé(s)" not in out.getvalue()  # idempotent: nothing left to do
