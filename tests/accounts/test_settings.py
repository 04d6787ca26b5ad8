from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_django(
    settings_module: str, code: str, env_extra: dict[str, str], env_drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in env_drop}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **env_extra})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    result = _run_django(
        "tigre.settings.production", "print('started')", {"ALLOWED_HOSTS": "tigre.example"}, env_drop=("SECRET_KEY",)
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_a_secret_key() -> None:
    result = _run_django(
        "tigre.settings.production",
        "from django.conf import settings; print(settings.DEBUG, settings.TIGRE['DEMO'])",
        {
            "SECRET_KEY": "x" * 64,
            "ALLOWED_HOSTS": "tigre.example",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tigre",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


def test_dev_defaults_need_no_server() -> None:
    result = _run_django(
        "tigre.settings.dev",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)",
        {},
        env_drop=("DATABASE_URL", "REDIS_URL"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_dev_uses_postgres_and_redis_when_urls_are_set() -> None:
    result = _run_django(
        "tigre.settings.dev",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)",
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tigre", "REDIS_URL": "redis://127.0.0.1:6379/3"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]


def test_french_and_paris_time() -> None:
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True
    assert ("en", "English") in [(code, str(name)) for code, name in settings.LANGUAGES]


def test_suite_runs_on_postgresql(db: object) -> None:
    from django.db import connection

    assert connection.vendor == "postgresql"
