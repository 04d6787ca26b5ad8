"""Response headers, the production settings (check --deploy clean), templates fit for a strict CSP."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "alice", "cora"])
def test_security_headers_on_pages(client, request, who) -> None:
    if who:
        login(client, request.getfixturevalue(who))
    response = client.get(reverse("home") if who else reverse("accounts:login"))
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    html = response.content.decode()
    assert '<meta name="htmx-config"' in html and '"includeIndicatorStyles": false' in html


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
HX_ON = re.compile(r"""\shx-on[:-]""", re.IGNORECASE)


def _templates() -> list[Path]:
    files = []
    for directory in TEMPLATE_DIRS:
        if directory.is_dir() and ".venv" not in directory.parts:
            files += [p for p in directory.rglob("*.html") if "/pdf/" not in str(p) and "/emails/" not in str(p)]
    return files


def test_templates_are_found() -> None:
    names = {p.name for p in _templates()}
    assert {"base.html", "login.html", "otp_enrol.html", "access_log.html"} <= names


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_nor_event_handler(path: Path) -> None:
    """The CSP forbids inline scripts: a template with one would break in the browser, silently."""
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), f"inline <script> in {path}"
    assert not EVENT_HANDLER.search(text), f"on...= handler in {path}"
    assert not JS_URL.search(text), f"javascript: URL in {path}"
    assert not HX_ON.search(text), f"hx-on (evaluated JavaScript) in {path}"


TEST_ONLY_ENV = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A deployment's environment: without what the test run itself sets (the browser tests allow async-unsafe calls).
    inherited = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "tigre.settings.production", **env_extra}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


PROD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "tigre.example",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tigre"),
    "REDIS_URL": "redis://redis.tigre.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://tigre:secret@smtp.tigre.invalid:587",
}


def test_check_deploy_with_production_settings_gives_zero_warnings() -> None:
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_secure_the_transport_and_cookies() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, "
        "s.SECURE_REFERRER_POLICY, s.TIGRE['DEMO'], s.SILENCED_SYSTEM_CHECKS, "
        "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    )
    result = _run(["-c", code], PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "True", "True", "True", "True", "True", "DENY", "True", "same-origin", "False", "[]",
        "__Host-sessionid", "__Host-csrftoken",
    ]  # fmt: skip


def test_production_sends_hsts_and_redirects_to_https() -> None:
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(HTTP_HOST='tigre.example'); "
        "r = c.get('/'); print(r.status_code, r.headers.get('Location')); "
        "r = c.get('/', secure=True); "
        "print(r.status_code, r.headers.get('Location'), r.headers.get('Strict-Transport-Security'))"
    )
    result = _run(["-c", code], PROD_ENV)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "301 https://tigre.example/"
    assert lines[1] == "302 /compte/connexion/?next=/ max-age=31536000; includeSubDomains; preload"


def test_bandit_reports_no_high_severity_finding() -> None:
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-r", "tigre", "referents", "cases", "meetings", "-lll", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues identified." in result.stdout or result.stdout.strip() == "", result.stdout
