"""Helpers for the trail's database-role tests: act as the application's role, back-date a row as the owner."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from tigre.audit.management.commands.db_roles import db_roles_apply

APP_ROLE = "tigre_app_test"


def app_role_ready() -> str:
    """The application's role with its grants (inside the test's transaction: rolled back with it)."""
    db_roles_apply(app_role=APP_ROLE)
    return APP_ROLE


@contextlib.contextmanager
def as_app_role() -> Iterator[Any]:
    """A cursor acting as the application's role (SET LOCAL ROLE), in a savepoint undone at the end."""
    with contextlib.suppress(_Undo), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        yield cursor
        raise _Undo


class _Undo(Exception):
    pass


def backdate_recorded(pk: int, when: dt.datetime) -> None:
    """As the owner (a superuser in the test cluster), with triggers off for this transaction only: what the
    application's role can never do. Makes a row look recorded at ``when``."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_accesslog SET recorded_at = %s, at = %s WHERE id = %s", [when, when, pk])
        # SET LOCAL outlives a released savepoint (it lasts until the test's own transaction ends): switch back.
        cursor.execute("SET LOCAL session_replication_role = origin")
