"""The trail survives its own database user (docs/privacy.md#the-access-trail-and-its-two-roles).

- ``recorded_at``: when the database inserted the row. A BEFORE INSERT trigger sets it to ``clock_timestamp()``
  whatever the client sent, so that a back-dated row cannot be made purgeable. Rows already there get the time of
  this migration (their true insertion time is unknown: they are kept one retention longer at most).
- The append-only trigger now judges a purge's DELETE by ``recorded_at``.
- ``audit_accesslog_purge(retention_days)``: the one path that deletes, a SECURITY DEFINER function owned by the
  role that runs the migrations (the owner), which the application's role may execute (``manage.py db_roles``)
  without any DELETE privilege of its own. It deletes rows recorded more than ``greatest(retention_days, 180)``
  days ago, by the database's clock.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_accesslog_recorded_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.recorded_at := clock_timestamp();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS audit_accesslog_recorded_at ON audit_accesslog;
CREATE TRIGGER audit_accesslog_recorded_at
    BEFORE INSERT ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_recorded_at();

CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purge_before timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        purge_before := NULLIF(current_setting('tigre.audit_purge_before', true), '')::timestamptz;
        IF purge_before IS NOT NULL
           AND purge_before <= now() - interval '180 days'
           AND OLD.recorded_at < purge_before THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit_accesslog_purge(retention_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_catalog AS $$
DECLARE
    cutoff timestamptz := now() - make_interval(days => greatest(coalesce(retention_days, 0), 180));
    deleted bigint;
BEGIN
    PERFORM set_config('tigre.audit_purge_before', cutoff::text, true);
    DELETE FROM audit_accesslog WHERE recorded_at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('tigre.audit_purge_before', '', true);
    RETURN deleted;
END;
$$;

REVOKE ALL ON FUNCTION audit_accesslog_purge(integer) FROM PUBLIC;
"""

BACKWARD = r"""
DROP FUNCTION IF EXISTS audit_accesslog_purge(integer);
DROP TRIGGER IF EXISTS audit_accesslog_recorded_at ON audit_accesslog;
DROP FUNCTION IF EXISTS audit_accesslog_recorded_at();
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
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":  # dev may run on SQLite: no trigger, no roles there
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    # None: the "%" in RAISE is not a placeholder. The schema name comes from the server, quoted.
    schema_editor.execute(FORWARD.replace("{schema}", connection.ops.quote_name(schema)), None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_ids_not_foreign_keys")]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="recorded_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(), editable=False, verbose_name="enregistré le"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
