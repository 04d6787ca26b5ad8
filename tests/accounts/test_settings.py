from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 64,
    "ALLOWED_HOSTS": "tigre.example",
    "DATABASE_URL": "postgres://tigre@db.tigre.invalid:5432/tigre",
    "REDIS_URL": "redis://redis.tigre.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://tigre:secret@smtp.tigre.invalid:587",
}
PRINT_BACKENDS = (
    "from django.conf import settings as s; "
    "print(s.DEBUG, s.TIGRE['DEMO'], s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)"
)


def test_production_refuses_to_start_without_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run_django("tigre.settings.production", "print('started')", env, env_drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "started" not in result.stdout


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", "EMAIL_URL"])
def test_production_refuses_to_start_without_each_service_url(variable: str) -> None:
    """No silent SQLite, filesystem broker or console e-mail backend in production: the variable is named."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != variable}
    result = _run_django("tigre.settings.production", "print('started')", env, env_drop=(variable,))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} must be set in production" in result.stderr
    assert "started" not in result.stdout


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", "EMAIL_URL"])
def test_production_refuses_an_empty_service_url(variable: str) -> None:
    result = _run_django("tigre.settings.production", "print('started')", {**PRODUCTION_ENV, variable: ""})
    assert result.returncode != 0
    assert f"{variable} must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "scheme"),
    [
        ("DATABASE_URL", "sqlite:////tmp/tigre.sqlite3", "sqlite://"),
        ("REDIS_URL", "filesystem://", "filesystem://"),
        ("EMAIL_URL", "consolemail://", "consolemail://"),
    ],
)
def test_production_refuses_the_embedded_development_services(variable: str, value: str, scheme: str) -> None:
    result = _run_django("tigre.settings.production", "print('started')", {**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0
    assert f"{variable} must be a " in result.stderr
    assert f"not {scheme}" in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_its_variables_and_uses_them() -> None:
    result = _run_django("tigre.settings.production", PRINT_BACKENDS, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "django.db.backends.postgresql",
        "redis://redis.tigre.invalid:6379/0",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


@pytest.mark.parametrize("module", ["tigre.wsgi", "tigre.asgi", "tigre.celery"])
def test_entry_points_default_to_production_settings(module: str) -> None:
    """gunicorn, an ASGI server or `celery -A tigre` started without DJANGO_SETTINGS_MODULE run production
    settings, and so refuse to start without its variables (never the dev defaults)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", *PRODUCTION_ENV)}
    code = f"import os, {module}; from django.conf import settings; settings.DEBUG; print('started')"
    bare = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert bare.returncode != 0
    assert "SECRET_KEY must be set" in bare.stderr
    configured = subprocess.run(
        [sys.executable, "-c", code + "; print(os.environ['DJANGO_SETTINGS_MODULE'])"],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.split() == ["started", "tigre.settings.production"]


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
