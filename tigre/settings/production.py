"""Production. Every secret comes from the environment; there is no default secret."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, SENTRY_DSN, env

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set (at least 50 characters) in production.")


def _required_url(name: str, schemes: tuple[str, ...], example: str) -> str:
    """The URL in ``name``, which must be set and use one of ``schemes``: base.py's embedded defaults (SQLite,
    kombu's filesystem broker, the console e-mail backend) would silently lose data or e-mails in production."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production, e.g. {example}")
    scheme = value.partition("://")[0].lower()
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a {' or '.join(s + '://' for s in schemes)} URL in production, not {scheme}://"
        )
    return value


_required_url("DATABASE_URL", ("postgres", "postgresql", "pgsql"), "postgres://tigre:password@db.internal:5432/tigre")
_required_url("REDIS_URL", ("redis", "rediss"), "redis://redis.internal:6379/0")
_required_url("EMAIL_URL", ("smtp", "smtps", "smtp+tls", "smtp+ssl"), "smtp+tls://user:password@smtp.example:587")
# base.py has read the three variables above (DATABASES, CELERY_BROKER_URL, the EMAIL_* settings).
DEBUG = False
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Persistent database connections (a new one costs about a millisecond per request), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"  # __Host-: Secure, no Domain, Path=/ (no sub-domain can plant it)
CSRF_COOKIE_NAME = "__Host-csrftoken"

# One reverse proxy (nginx) in front: its X-Forwarded-For entry is the client's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Errors: ADMINS get a mail without patient data (tigre/ops/errors.py, set up in base.py); Sentry too when
# SENTRY_DSN is set, with the same scrubbing (tigre/ops/sentry.py).
if SENTRY_DSN:
    from tigre.ops import sentry  # only when configured: sentry_sdk is not loaded otherwise

    sentry.init(
        SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"), release=env("RELEASE", default="")
    )
