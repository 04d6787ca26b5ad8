"""The trail survives its own database user (issue 17, finding 3; docs/privacy.md#the-access-trail-and-its-two-roles).

The application connects as a role that does not own the trail: with only SELECT and INSERT on it, it can neither
empty it (TRUNCATE, DELETE), nor change it (UPDATE), nor switch off or drop its trigger, nor make a back-dated row
purgeable; the purge path (a function owned by the owner) deletes only rows the database recorded long enough ago.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from tests.audit.dbroles import APP_ROLE, app_role_ready, as_app_role, backdate_recorded
from tigre.audit.models import AccessLog
from tigre.audit.services import access_log_write

pytestmark = pytest.mark.django_db

INSERT = (
    "INSERT INTO audit_accesslog (at, action, target, path, case_id, patient_id, recorded_at) "
    "VALUES (%s, 'view_case', 'x', '/x', 1, 1, %s) RETURNING id"
)


@pytest.fixture(autouse=True)
def _app_role() -> None:
    app_role_ready()


def _row() -> AccessLog:
    return access_log_write(user=None, action=AccessLog.Action.VIEW_CASE, target="kept")


def test_the_app_role_reads_and_appends() -> None:
    with as_app_role() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == APP_ROLE
        now = timezone.now()
        cursor.execute(INSERT, [now, now])
        pk = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM audit_accesslog WHERE id = %s", [pk])
        assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_accesslog",
        "ALTER TABLE audit_accesslog DISABLE TRIGGER audit_accesslog_append_only",
        "ALTER TABLE audit_accesslog DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_accesslog_append_only ON audit_accesslog",
        "DROP TRIGGER audit_accesslog_recorded_at ON audit_accesslog",
        "DROP TABLE audit_accesslog",
        "UPDATE audit_accesslog SET target = 'changed'",
        "DELETE FROM audit_accesslog",
        "SET session_replication_role = replica",
        "CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN OLD; END; $$",
    ],
)
def test_the_app_role_cannot_erase_or_change_the_trail(statement: str) -> None:
    row = _row()
    with pytest.raises(DatabaseError) as refused, as_app_role() as cursor:
        cursor.execute(statement)
    assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value), refused.value
    assert AccessLog.objects.filter(pk=row.pk, target="kept").exists()


def test_the_purge_flag_gives_the_app_role_no_delete() -> None:
    row = _row()
    backdate_recorded(row.pk, timezone.now() - dt.timedelta(days=800))
    with pytest.raises(DatabaseError, match="permission denied"), as_app_role() as cursor:
        cursor.execute("SELECT set_config('tigre.audit_purge_before', %s, true)", [timezone.now().isoformat()])
        cursor.execute("DELETE FROM audit_accesslog")
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_a_back_dated_insert_is_not_purged() -> None:
    """The client's times are ignored: the database stamps the row, the purge goes by that stamp."""
    long_ago = timezone.now() - dt.timedelta(days=400)
    with as_app_role() as cursor:
        cursor.execute(INSERT, [long_ago, long_ago])
        pk = cursor.fetchone()[0]
        cursor.execute("SELECT recorded_at FROM audit_accesslog WHERE id = %s", [pk])
        recorded = cursor.fetchone()[0]
        assert abs((recorded - timezone.now()).total_seconds()) < 60
        cursor.execute("SELECT audit_accesslog_purge(1)")  # even asking for one day keeps 180 days
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM audit_accesslog WHERE id = %s", [pk])
        assert cursor.fetchone()[0] == 1


def test_the_purge_function_deletes_only_what_was_recorded_before_the_retention() -> None:
    old, recent, fresh = _row(), _row(), _row()
    backdate_recorded(old.pk, timezone.now() - dt.timedelta(days=400))
    backdate_recorded(recent.pk, timezone.now() - dt.timedelta(days=200))
    with as_app_role() as cursor:
        cursor.execute("SELECT audit_accesslog_purge(365)")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT audit_accesslog_purge(30)")  # never below 180 days
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT id FROM audit_accesslog ORDER BY id")
        assert [r[0] for r in cursor.fetchall()] == [fresh.pk]


def test_db_roles_is_idempotent_and_the_app_role_owns_nothing() -> None:
    call_command("db_roles", app_role=APP_ROLE)
    call_command("db_roles", app_role=APP_ROLE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [APP_ROLE]
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'audit_accesslog' ORDER BY 1",
            [APP_ROLE],
        )
        assert [r[0] for r in cursor.fetchall()] == ["INSERT", "SELECT"]
        cursor.execute("SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        assert cursor.fetchone() == (False, False, False)


def test_the_app_works_as_the_app_role(client, cora) -> None:
    """The pages that read and trail patient data, and the purge, run as the application's role (the whole
    request's SQL under SET LOCAL ROLE, in the test's transaction)."""
    from django.urls import reverse

    from tests.factories.cases import SubmittedCaseFactory
    from tests.helpers import login
    from tigre.audit.services import access_log_purge

    case = SubmittedCaseFactory()
    login(client, cora)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    try:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        assert client.get(reverse("cases:triage")).status_code == 200
        assert access_log_purge() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == APP_ROLE
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AccessLog.objects.filter(case_id=case.pk, user=cora).count() == 2
