from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from tigre.accounts.models import User
from tigre.accounts.roles import Role

ROOT = Path(__file__).resolve().parents[2]
DEMO_EMAILS = {
    "clinicien@demo.tigre": Role.CLINICIAN,
    "secretariat@demo.tigre": Role.SECRETARIAT,
    "coordinateur@demo.tigre": Role.COORDINATOR,
    "referent@demo.tigre": Role.REFERENT,
    "crpv@demo.tigre": Role.PHARMACOVIGILANCE,
    "admin@demo.tigre": Role.ADMINISTRATOR,
}


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_demo_loader_is_idempotent() -> None:
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first


@pytest.mark.django_db
def test_demo_has_one_account_per_role_and_the_coordinating_chus(monkeypatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "mot-de-passe-demo-test")
    call_command("load_demo", stdout=io.StringIO())
    for email, role in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        assert user.has_role(role), email
        request = RequestFactory().post("/compte/connexion/")
        assert authenticate(request, username=email, password="mot-de-passe-demo-test") == user
    from tigre.accounts.models import Centre

    chus = set(Centre.objects.filter(kind=Centre.Kind.COORDINATING_CHU).values_list("city", flat=True))
    assert chus == {"Reims", "Strasbourg", "Nancy"}
    assert Centre.objects.count() >= 13


def test_demo_loader_refuses_production_settings() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tigre.settings.production",
        "SECRET_KEY": "s" * 64,
        "ALLOWED_HOSTS": "tigre.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tigre",
        "REDIS_URL": "redis://redis.tigre.invalid:6379/0",
        "EMAIL_URL": "smtp://smtp.tigre.invalid:25",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "jamais avec les réglages de production" in result.stderr
