"""The access trail is append-only, enforced by PostgreSQL rather than by the application.

A BEFORE UPDATE OR DELETE trigger refuses every UPDATE and every DELETE, with one exception: the purge
(tigre.audit.services.access_log_purge) sets, in its own transaction only (``set_config(..., true)`` is
``SET LOCAL``), the cut-off ``tigre.audit_purge_before``; the trigger then lets a DELETE through for a row
older than that cut-off, and only if the cut-off itself is at least 180 days in the past (the trail is kept
6 to 12 months: even the purge path cannot erase recent accesses). TRUNCATE is left alone on purpose: the
application never issues it, and the test runner empties tables with it between transactional tests.
A stricter deployment also gives the application's database role no UPDATE/DELETE grant on the table.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purge_before timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        purge_before := NULLIF(current_setting('tigre.audit_purge_before', true), '')::timestamptz;
        IF purge_before IS NOT NULL
           AND purge_before <= now() - interval '180 days'
           AND OLD.at < purge_before THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
DROP FUNCTION IF EXISTS audit_accesslog_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # dev may run on SQLite: no trigger there
        schema_editor.execute(FORWARD, None)  # None: the "%" in RAISE is not a placeholder


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
