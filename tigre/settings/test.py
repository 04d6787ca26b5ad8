"""Tests: always the real PostgreSQL and Redis; no silent fallback to SQLite."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import DATABASES, EMAIL_RELAYS, EXPORTS, REDIS_TRANSPORT_OPTIONS, TIGRE, VAR_DIR, env

DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tigre"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"

SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 (tests only)
DEBUG = False
DATABASES["default"] = env.db("DATABASE_URL", default=DEFAULT_TEST_DATABASE_URL)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError(f"Tests run on PostgreSQL only; DATABASE_URL is {env('DATABASE_URL')!r}")
REDIS_URL = env("REDIS_URL", default=DEFAULT_TEST_REDIS_URL)
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = dict(REDIS_TRANSPORT_OPTIONS)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested explicitly
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
TIGRE["DEMO"] = True
ALLOWED_HOSTS = ["*"]
EXPORTS["TEST_IDENTITIES"] = True
EMAIL_RELAYS["mssante"] = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "FROM_EMAIL": "rcp-tigre@chru-nancy.mssante.test",
}
