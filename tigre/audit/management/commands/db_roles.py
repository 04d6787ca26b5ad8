"""Create or update the application's PostgreSQL role and its grants (idempotent).

Run it as the **owner** role, the one that runs ``migrate`` and so owns the tables (``DATABASE_URL`` naming the
owner), after each ``migrate``. The application's processes then connect as the **app** role it creates, which:

- owns nothing (so it cannot ALTER, DISABLE or DROP a trigger, nor TRUNCATE what it does not own);
- has SELECT, INSERT, UPDATE, DELETE on the tables and the use of the sequences (now and for tables created later
  by the owner);
- has only SELECT and INSERT on the access trail (``audit_accesslog``), and EXECUTE on its purge function.

docs/privacy.md#the-access-trail-and-its-two-roles. On SQLite (development) there are no roles: nothing to do.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg2 import sql

from tigre.audit.models import AccessLog

DEFAULT_APP_ROLE = "tigre_app"


def app_role_name() -> str:
    return os.environ.get("DATABASE_APP_ROLE") or DEFAULT_APP_ROLE


def db_roles_apply(*, app_role: str, password: str | None = None) -> list[str]:
    """Apply the roles and grants on ``connection``'s database; returns the statements run (for the log)."""
    trail = AccessLog._meta.db_table
    role = sql.Identifier(app_role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
    if owner == app_role:
        raise CommandError(f"Run db_roles as the owner role, not as the application's role {app_role}.")
    statements: list[sql.Composable] = [
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN CREATE ROLE {role} LOGIN; "
            "END IF; END $$"
        ).format(name=sql.Literal(app_role), role=role),
        sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS").format(role),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(sql.Identifier(schema), role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            sql.Identifier(schema), role
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sql.Identifier(schema), role),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}").format(
            sql.Identifier(schema), role
        ),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}").format(
            sql.Identifier(schema), role
        ),
        # The trail: read and append, nothing else (no UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER).
        sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(trail), role),
        sql.SQL("REVOKE ALL ON TABLE {} FROM PUBLIC").format(sql.Identifier(trail)),
        sql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(sql.Identifier(trail), role),
        sql.SQL("REVOKE ALL ON FUNCTION audit_accesslog_purge(integer) FROM PUBLIC"),
        sql.SQL("GRANT EXECUTE ON FUNCTION audit_accesslog_purge(integer) TO {}").format(role),
    ]
    if password:
        statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
    done = []
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            text = statement.as_string(cursor.connection)
            cursor.execute(text)
            done.append("ALTER ROLE … PASSWORD …" if "PASSWORD" in text else text)
    return done


class Command(BaseCommand):
    help = (
        "Create or update the application's PostgreSQL role (default tigre_app) with its grants: DML on the tables, "
        "only SELECT and INSERT on the access trail. Run as the owner role after migrate. Idempotent."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--app-role", default=app_role_name(), help="the application's role (DATABASE_APP_ROLE)")
        parser.add_argument(
            "--password-env",
            default="DATABASE_APP_PASSWORD",
            help="the environment variable holding the app role's password (unset: the password is left alone)",
        )
        parser.add_argument(
            "--print-url",
            action="store_true",
            help="then print the DATABASE_URL of the app role (same server and database) on stdout, alone",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write("db_roles: not PostgreSQL, no database roles to set up (development on SQLite).")
            return
        app_role = options["app_role"]
        password = os.environ.get(options["password_env"]) or None
        done = db_roles_apply(app_role=app_role, password=password)
        self.stderr.write(f"db_roles: {len(done)} statements applied for the role {app_role}.")
        if options["print_url"]:
            params = connection.settings_dict
            auth = quote(app_role, safe="") + (f":{quote(password, safe='')}" if password else "")
            host = params.get("HOST") or "127.0.0.1"
            port = f":{params['PORT']}" if params.get("PORT") else ""
            self.stdout.write(f"postgres://{auth}@{host}{port}/{quote(str(params['NAME']), safe='')}")
