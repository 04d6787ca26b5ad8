"""The bounded waits as each kind of process gets them: web processes (marked by tigre/wsgi.py) get the statement
timeout, workers and management commands do not; every process gets the connect timeout, SMTP and Redis timeouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import json, os
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    statement_timeout = cursor.fetchone()[0]
import psycopg2.extensions
print(json.dumps({
    "statement_timeout": statement_timeout,
    "connect_timeout": settings.DATABASES["default"]["OPTIONS"].get("connect_timeout"),
    "wait_callback": psycopg2.extensions.get_wait_callback() is not None,
    "email_timeout": settings.EMAIL_TIMEOUT,
    "broker": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "publish_retry": settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
    "admins": settings.ADMINS,
}))
"""


def _settings_of(process: str | None, db: dict[str, Any]) -> dict[str, Any]:
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tigre.settings.production",
        "SECRET_KEY": "settings-test-" + "x" * 50,
        "ALLOWED_HOSTS": "tigre.example",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "EMAIL_URL": "smtp://mail.tigre.invalid:25",  # never contacted
        "ADMINS": "Équipe technique <tech@tigre.example>,Astreinte <astreinte@tigre.example>",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TIGRE_PROCESS", None)
    if process:
        env["TIGRE_PROCESS"] = process
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.django_db
def test_web_processes_have_a_statement_timeout_and_a_wait_deadline() -> None:
    web = _settings_of("web", connection.settings_dict)
    assert web["statement_timeout"] == "5s"  # as PostgreSQL itself reports it for the connection
    assert web["wait_callback"] is True
    assert web["connect_timeout"] == 3
    assert web["broker"] == {"socket_connect_timeout": 1, "socket_timeout": 1}
    assert web["publish_retry"]["max_retries"] == 1


@pytest.mark.django_db
def test_workers_and_commands_have_no_statement_timeout_but_every_other_bound() -> None:
    worker = _settings_of(None, connection.settings_dict)
    assert worker["statement_timeout"] == "0"  # none: migrations, backups and PDF jobs may run long
    assert worker["wait_callback"] is False
    assert worker["connect_timeout"] == 3
    assert worker["email_timeout"] == 10
    assert worker["broker"] == {"socket_connect_timeout": 2, "socket_timeout": 3}
    assert worker["admins"] == [
        ["Équipe technique", "tech@tigre.example"],
        ["Astreinte", "astreinte@tigre.example"],
    ]
