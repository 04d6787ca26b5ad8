"""The access trail: one row per access, append-only in the database, readable by coordinators and
administrators with filters, purged after the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.audit.dbroles import backdate_recorded
from tests.factories.accounts import UserFactory
from tests.factories.cases import SubmittedCaseFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.audit.services import access_log_purge, access_log_write, access_record, client_ip
from tigre.audit.tasks import purge_access_log

pytestmark = pytest.mark.django_db
A = AccessLog.Action


def _row(**kwargs) -> AccessLog:
    return access_log_write(user=kwargs.pop("user", None), action=kwargs.pop("action", A.VIEW_CASE), **kwargs)


def _row_at(when: str, **kwargs) -> AccessLog:
    """A row written at ``when``, also as the database recorded it (what the purge goes by)."""
    with time_machine.travel(when, tick=False):
        row = _row(**kwargs)
    backdate_recorded(row.pk, dt.datetime.fromisoformat(when))
    return row


def test_viewing_a_case_writes_exactly_one_row(client, cora) -> None:
    case = SubmittedCaseFactory()
    login(client, cora)
    response = client.get(reverse("cases:detail", args=[case.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    rows = list(AccessLog.objects.all())
    assert len(rows) == 1
    row = rows[0]
    assert (row.user, row.action, row.case_id, row.patient_id) == (cora, A.VIEW_CASE, case.pk, case.patient_id)
    assert row.ip_address == "10.1.2.3"
    assert row.path == reverse("cases:detail", args=[case.pk])
    assert row.at.tzinfo is not None and abs((timezone.now() - row.at).total_seconds()) < 60


def test_a_case_outside_scope_writes_nothing(client, bob) -> None:
    case = SubmittedCaseFactory()
    login(client, bob)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert AccessLog.objects.count() == 0


def test_the_database_refuses_update(alice) -> None:
    row = _row(user=alice, target="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(target="changed")
    row.target = "changed"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.save()
    assert AccessLog.objects.get(pk=row.pk).target == "x"


def test_the_database_refuses_delete_even_raw_sql(alice) -> None:
    row = _row(user=alice)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accesslog")
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_purge_flag_does_not_allow_deleting_recent_rows(alice) -> None:
    """Even with the purge's transaction-local cut-off, the trigger lets only rows older than 180 days go."""
    recent = _row(user=alice)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('tigre.audit_purge_before', %s, true)", [timezone.now().isoformat()])
        AccessLog.objects.filter(pk=recent.pk).delete()
    assert AccessLog.objects.filter(pk=recent.pk).exists()


def test_the_purge_setting_lives_only_in_its_transaction(alice) -> None:
    old = _row_at("2024-01-10 10:00:00+00:00", user=alice)
    access_log_purge()
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    other_old = _row_at("2024-01-11 10:00:00+00:00", user=alice)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=other_old.pk).delete()


def test_purge_deletes_only_rows_past_retention(settings, alice) -> None:
    settings.TIGRE = {**settings.TIGRE, "ACCESS_LOG_RETENTION_DAYS": 365}
    now = timezone.now()
    old = _row_at((now - dt.timedelta(days=400)).isoformat(), user=alice)
    kept = _row_at((now - dt.timedelta(days=300)).isoformat(), user=alice)
    fresh = _row(user=alice)
    assert purge_access_log() == 1  # the Celery task, called directly
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert old.pk not in AccessLog.objects.values_list("pk", flat=True)
    assert purge_access_log() == 0  # idempotent


def test_purge_task_is_registered_under_its_agreed_name() -> None:
    from tigre.celery import app

    assert "tigre.audit.tasks.purge_access_log" in app.tasks


def test_access_record_takes_the_patient_from_the_case(rf: RequestFactory, alice) -> None:
    case = SubmittedCaseFactory()
    request = rf.get("/demandes/1/", REMOTE_ADDR="192.0.2.7")
    request.user = alice
    row = access_record(request=request, action=A.DOWNLOAD_PDF, case=case, target="Fiche RCP")
    assert (row.patient_id, row.case_id, row.target, row.ip_address) == (
        case.patient_id,
        case.pk,
        "Fiche RCP",
        "192.0.2.7",
    )


def test_client_ip_ignores_a_forged_forwarded_header(rf: RequestFactory, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "6.6.6.6"; our proxy appended the address it saw.
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


# --- The page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("cora", 200), ("adam", 200), ("alice", 403), ("sam", 403), ("victor", 403), ("rita", 403)]
)
def test_log_page_is_for_coordinators_and_administrators(client, request, who, status) -> None:
    user = request.getfixturevalue(who)
    login(client, user)
    assert client.get(reverse("privacy:log")).status_code == status


def test_log_page_filters(client, cora, alice, bob) -> None:
    case_a = SubmittedCaseFactory(reference="TIGRE-2026-0101")
    case_b = SubmittedCaseFactory(reference="TIGRE-2026-0202")
    _row_at("2026-03-01 10:00:00+00:00", user=alice, case=case_a)
    _row_at("2026-03-05 10:00:00+00:00", user=bob, case=case_b, action=A.DOWNLOAD_PDF)
    _row_at("2026-04-01 10:00:00+00:00", user=alice, case=case_b, action=A.EXPORT)
    login(client, cora)

    def shown(**params) -> set[tuple[str, str]]:
        page = client.get(reverse("privacy:log"), params).context["page"]
        return {(r.user.email, r.case_reference) for r in page}

    assert len(shown()) == 3
    assert shown(user="alice") == {(alice.email, "TIGRE-2026-0101"), (alice.email, "TIGRE-2026-0202")}
    assert shown(action=A.DOWNLOAD_PDF) == {(bob.email, "TIGRE-2026-0202")}
    assert shown(case="0202") == {(bob.email, "TIGRE-2026-0202"), (alice.email, "TIGRE-2026-0202")}
    assert shown(date_from="2026-03-02", date_to="2026-03-31") == {(bob.email, "TIGRE-2026-0202")}
    assert shown(date_from="2026-03-01", date_to="2026-03-01") == {(alice.email, "TIGRE-2026-0101")}


def test_log_page_bad_filters_give_a_french_message_not_an_error(client, cora) -> None:
    _row(user=cora, case=SubmittedCaseFactory())
    login(client, cora)
    response = client.get(reverse("privacy:log"), {"date_from": "2026-05-01", "date_to": "2026-04-01", "action": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La date de début doit précéder la date de fin." in html
    assert "Sélectionnez un choix valide" in html
    assert list(response.context["page"].object_list) == []  # a search that cannot be read shows nothing
    response = client.get(reverse("privacy:log"), {"date_to": "hier", "case": "x" * 21})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisissez une date valide." in html and "au plus 20 caractères" in html
    response = client.get(reverse("privacy:log"), {"page": "abc", "user": "' OR 1=1 --"})
    assert response.status_code == 200


def test_log_page_query_count_is_constant(client, cora, django_assert_max_num_queries) -> None:
    login(client, cora)
    users = UserFactory.create_batch(3)
    cases = SubmittedCaseFactory.create_batch(3)
    for i in range(60):
        _row(user=users[i % 3], case=cases[i % 3])
    client.get(reverse("privacy:log"))  # warm-up: session and user caches
    # 9: the trail names requests and patients by id; their reference and pseudonym are one query each per page.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("privacy:log"))
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(9):
        response = client.get(reverse("privacy:log"), {"page": 2})
    assert len(response.context["page"].object_list) == 10


def test_log_page_shows_pseudonym_not_name(client, cora) -> None:
    case = SubmittedCaseFactory(patient__birth_name="Dupontel", patient__first_names="Germaine")
    _row(user=cora, case=case)
    login(client, cora)
    html = client.get(reverse("privacy:log")).content.decode()
    assert case.patient.pseudonym in html
    assert "Dupontel" not in html and "Germaine" not in html
