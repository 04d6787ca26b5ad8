"""Settings shared by every environment.

The environment is read once, here, with django-environ. Defaults are chosen so that
``dev`` runs with no server at all (SQLite, kombu's filesystem broker); ``production``
overrides what must never have a default.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from typing import Any, cast

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# What the embedded defaults write: the SQLite database, the filesystem broker, media, backups.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("SECRET_KEY", default="")  # each environment decides whether it may be empty
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "tigre.accounts",
    "tigre.audit",
    "tigre.notifications",
    "tigre.pdf",
    "tigre.formats",
    "tigre.ops",
    "referents",
    "cases",
    "cases.pharmacovigilance",
    "cases.followup",
    "meetings",
    "meetings.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tigre.middleware.ChosenLanguageMiddleware",  # French unless the user chose otherwise
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tigre.middleware.PrivateNoStoreMiddleware",  # Cache-Control: private, no-store for logged-in users
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "django.contrib.messages.middleware.MessageMiddleware",
    "tigre.accounts.middleware.SessionTimeoutMiddleware",  # 30 min idle, 12 h absolute
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # deny by default
    "tigre.accounts.middleware.SecondFactorMiddleware",  # TOTP for staff roles, after the login check
    "axes.middleware.AxesMiddleware",  # lockout page (last, as django-axes asks)
]

ROOT_URLCONF = "tigre.urls"
WSGI_APPLICATION = "tigre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tigre.navigation.navigation",
                "tigre.accounts.context_processors.security",
            ],
        },
    },
]

# Embedded default: SQLite in var/. DATABASE_URL switches to PostgreSQL (psycopg2). An empty variable counts as
# unset, here and for EMAIL_URL and REDIS_URL (production refuses all three unset: production.py).
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'tigre.sqlite3'}")
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

# Bounded waits on PostgreSQL (README, "Operations"). Every process gives up connecting after
# DATABASE_CONNECT_TIMEOUT seconds. Web processes (marked by tigre/wsgi.py) also have a server-side
# statement_timeout and a client-side deadline on every wait for the server (tigre/ops/db.py), so that a hung
# database gives the user an error page within seconds, well before gunicorn's 30 s worker timeout. Workers, beat
# and management commands (migrations, backup, the retention jobs) get no statement timeout: their long statements
# are legitimate, and Celery's task time limits bound the workers.
TIGRE_WEB_PROCESS = env("TIGRE_PROCESS", default="") == "web"
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=5.0)  # seconds, web only
DATABASE_WAIT_DEADLINE = DATABASE_STATEMENT_TIMEOUT + 2  # web only: the server had its chance to cancel first
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    if TIGRE_WEB_PROCESS:
        DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# AxesBackend first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]  # native names, never translated
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded files (attachments, generated PDFs) never live under a public URL: they are
# served only by views that check access. MEDIA_URL is deliberately not routed.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))  # manage.py backup (README, "Operations")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One empty label, "—", in every <select> (Django's own is "---------"): docs/architecture.md#french-formats.
FORM_RENDERER = "tigre.formats.renderer.FrenchFormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TIGRE e-RCP <no-reply@tigre.invalid>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds per SMTP operation: a hung mail server is given up

# Where server errors go (README, "Operations"): ADMINS="Name <a@b>,Other <c@d>" receive a mail per kind of error
# (tigre/ops/errors.py: no patient data in it, at most one per kind every 10 minutes and per process).
ADMINS = [(name or addr, addr) for name, addr in getaddresses(env.list("ADMINS", default=[])) if addr]
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[TIGRE e-RCP] "
SENTRY_DSN = env("SENTRY_DSN", default="")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Named SMTP relays besides the ordinary one, chosen per outbox row (Notification.relay). "mssante": an MSSanté
# operator's relay for the secure health messaging (docs/exports.md); unset, nothing goes out over MSSanté.
EMAIL_RELAYS: dict[str, dict[str, Any]] = {}
if env("MSSANTE_EMAIL_URL", default=""):
    EMAIL_RELAYS["mssante"] = {
        **env.email_url("MSSANTE_EMAIL_URL"),
        # The board's own MSSanté mailbox: MSSanté operators only relay mail from an address of their space.
        "FROM_EMAIL": env("MSSANTE_FROM_EMAIL", default=DEFAULT_FROM_EMAIL),
    }

# The structured exports of a validated avis (FRCP, FHIR, XDM; docs/exports.md).
EXPORTS = {
    # National identifiers of the RCP given by the regional cancer network (the DCC): the network (RRC), the
    # RCP's manager and the RCP itself. Unset, the FRCP carries them as "no information".
    "RRC_ID": env("FRCP_RRC_ID", default=""),
    "MANAGER_ID": env("FRCP_MANAGER_ID", default=""),
    "RCP_ID": env("FRCP_RCP_ID", default=""),
    # The establishment that organises the RCP and keeps its documents (custodian); default: the CHU of the
    # coordinator who validated the avis.
    "ORGANISER_FINESS": env("FRCP_ORGANISER_FINESS", default=""),
    # Invented identities (demo, tests) carry the OIDs of test INS (NIR .10, NIA .11), never the real ones.
    "TEST_IDENTITIES": env.bool("INS_TEST_IDENTITIES", default=False),
}

# Celery. Embedded default: kombu's filesystem transport (no server). REDIS_URL switches to Redis.
REDIS_URL = env("REDIS_URL", default="")
# Bounded waits on Redis (README, "Operations"): a Redis that accepts connections and never answers must not hold
# anyone. The socket timeout stays above kombu's 1 s BRPOP wait (a live server answers within it); web processes
# only publish, so they wait less and retry once: a publish gives up within about 2 s, the outbox rows stay pending
# and the sweep delivers them. (The outbox's own enqueue is tighter still: tigre/notifications/services.py.)
REDIS_TRANSPORT_OPTIONS: dict = (
    {"socket_connect_timeout": 1, "socket_timeout": 1}
    if TIGRE_WEB_PROCESS
    else {"socket_connect_timeout": 2, "socket_timeout": 3}
)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = dict(REDIS_TRANSPORT_OPTIONS)
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep LOGGING's handlers (and their identifier filter) in workers
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Business settings (docs/domain.md#business-settings). One place, read by the services.
TIGRE = {
    "MEETING_WEEKDAY": 2,  # Wednesday
    "MEETING_START": "17:00",
    "MEETING_DURATION_MINUTES": env.int("TIGRE_MEETING_DURATION_MINUTES", default=90),
    "MEETINGS_AHEAD": 8,
    "SLOT_MINUTES": env.int("TIGRE_SLOT_MINUTES", default=10),
    # Cut-off: Monday 23:59 Europe/Paris before the meeting (days before, local time).
    "CUTOFF_DAYS_BEFORE": 2,
    "CUTOFF_TIME": "23:59",
    # Regional days off of the board's centres, besides the national ones (`holidays` French subdivisions):
    # Moselle (57) and Alsace (6AE) keep Good Friday and 26 December.
    "HOLIDAY_SUBDIVISIONS": env.list("TIGRE_HOLIDAY_SUBDIVISIONS", default=["57", "6AE"]),
    "URGENT_ESCALATION_MINUTES": env.int("TIGRE_URGENT_ESCALATION_MINUTES", default=120),
    "PV_REMINDER_DAYS": env.int("TIGRE_PV_REMINDER_DAYS", default=7),
    # Who declares the board's adverse reactions (shown to requesters): docs/domain.md#pharmacovigilance.
    "PV_CENTRE": env("TIGRE_PV_CENTRE", default="CRPV de Nancy"),
    "ATTACHMENT_MAX_BYTES": env.int("TIGRE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024),
    "ATTACHMENT_MAX_COUNT": env.int("TIGRE_ATTACHMENT_MAX_COUNT", default=10),
    "ACCESS_LOG_RETENTION_DAYS": env.int("TIGRE_ACCESS_LOG_RETENTION_DAYS", default=365),
    "CASE_RETENTION_YEARS": env.int("TIGRE_CASE_RETENTION_YEARS", default=20),
    "VIDEO_URL_TEMPLATE": env("TIGRE_VIDEO_URL_TEMPLATE", default="https://visio.tigre.invalid/rcp-{date}"),
    # The request form's identity look-up (duplicate check): at most this many per user per window, counted on the
    # access trail (cases/history.py; docs/domain.md#a-patients-history).
    "DUPLICATE_CHECKS_PER_WINDOW": env.int("TIGRE_DUPLICATE_CHECKS_PER_WINDOW", default=30),
    "DUPLICATE_CHECK_WINDOW_MINUTES": 10,
    # Follow-up of an avis: its réévaluation date asks the requester what happened, if not older than this.
    "FOLLOW_UP_WINDOW_DAYS": 30,
    # The two coordinators a new meeting names by default (e-mails); empty: the first two active coordinators.
    "DEFAULT_COORDINATORS": env.list("TIGRE_DEFAULT_COORDINATORS", default=[]),
    "DEMO": False,
}

# The board's secretariat as the fiche RCP names it (INCa minimal dataset: who to contact about an avis).
TIGRE_SECRETARIAT = {
    "name": env("TIGRE_SECRETARIAT_NAME", default="Secrétariat de la RCP TIGRE, CHRU de Nancy"),
    "phone": env("TIGRE_SECRETARIAT_PHONE", default="03 83 00 00 00"),
    "email": env("TIGRE_SECRETARIAT_EMAIL", default="secretariat-rcp@tigre.invalid"),
}

# Sessions: a new key at login (Django), ended server-side at logout (database sessions), 30 minutes of
# inactivity or 12 hours in all end them (tigre.accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS  # the browser forgets the cookie at the absolute limit at the latest
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "tigre.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Reverse proxies in front of the application whose X-Forwarded-For entry can be trusted (0: none, REMOTE_ADDR
# is the client). Read by the access trail (tigre.audit.services.client_ip) and django-axes.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Second factor (django-otp, TOTP). Required for the roles in tigre.accounts.roles.STAFF_ROLES.
OTP_TOTP_ISSUER = "TIGRE e-RCP"
OTP_TOTP_THROTTLE_FACTOR = 1  # each failure doubles the wait before the next try

# Login throttling (django-axes): 5 failures lock for 15 minutes, never for good. Counted per account (one
# password guessed from anywhere), and per address *and* browser (one machine spraying many accounts): not per
# address alone, since a whole hospital may reach us through one outgoing IP address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tigre.accounts.security.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # 15 minutes from the lock, however often one retries
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # axes would otherwise log the e-mail address of every failed attempt

# Content Security Policy (django-csp 4): no inline script anywhere (htmx is told not to inject styles
# in base.html); inline style attributes stay allowed (Bootstrap components set some).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # Bootstrap draws its small icons as data: SVG in CSS
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Application logs carry case references, never names or INS: the filter redacts what slips through.
    "filters": {"no_identifiers": {"()": "tigre.audit.logging.RedactIdentifiersFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_identifiers"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Pro Santé Connect (tigre/accounts/psc.py; README "Pro Santé Connect"). The button shows once PSC_CLIENT_ID is set.
# PSC publishes its discovery document under /.well-known/wallet-openid-configuration, not the standard path:
# PSC_ENVIRONMENT picks the sandbox ("bac à sable") or production one; PSC_DISCOVERY_URL overrides both.
PSC_DISCOVERY_URLS = {
    "sandbox": "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet/.well-known/wallet-openid-configuration",
    "production": "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/.well-known/wallet-openid-configuration",
}
PSC = {
    "DISCOVERY_URL": env("PSC_DISCOVERY_URL", default="")
    or PSC_DISCOVERY_URLS[env("PSC_ENVIRONMENT", default="sandbox")],
    "CLIENT_ID": env("PSC_CLIENT_ID", default=""),
    "CLIENT_SECRET": env("PSC_CLIENT_SECRET", default=""),
    "SCOPE": "openid scope_all",
    # acr values accepted in the ID token (anything else is refused); the first is the one requested.
    "ACCEPTED_ACR": env.list("PSC_ACCEPTED_ACR", default=["eidas1", "eidas2"]),
    # A login counts as a card-level authentication (no TOTP asked of staff roles) when its acr or its authMode is
    # in these sets.
    "CARD_LEVEL_ACR": env.list("PSC_CARD_LEVEL_ACR", default=[]),
    "CARD_LEVEL_AUTH_MODES": env.list("PSC_CARD_LEVEL_AUTH_MODES", default=["CARD"]),
    "CLOCK_LEEWAY_SECONDS": env.int("PSC_CLOCK_LEEWAY_SECONDS", default=30),
    "HTTP_TIMEOUT_SECONDS": env.int("PSC_HTTP_TIMEOUT_SECONDS", default=10),
    # Registered with PSC; default: SITE_URL + /compte/psc/retour/ and /compte/psc/deconnecte/.
    "REDIRECT_URI": env("PSC_REDIRECT_URI", default=""),
    "POST_LOGOUT_REDIRECT_URI": env("PSC_POST_LOGOUT_REDIRECT_URI", default=""),
}
# Server errors (README, "Operations"): a mail to ADMINS, without patient data, at most one per kind of error every
# 10 minutes and per process (tigre/ops/errors.py), for errors of requests, of Celery tasks and of the app's code.
_logging = cast("dict[str, Any]", LOGGING)
_logging["filters"]["require_debug_false"] = {"()": "django.utils.log.RequireDebugFalse"}
_logging["handlers"]["mail_admins"] = {
    "class": "tigre.ops.errors.AdminMailHandler",
    "level": "ERROR",
    "filters": ["require_debug_false"],
}
# Django's own default logging mails ADMINS its full report (POST data, variables) from the "django" logger:
# replaced here by the handler above, so that nothing else mails the admins.
_logging["loggers"]["django"] = {"handlers": [], "level": "INFO", "propagate": True}
for _logger in ("django.request", "celery.app.trace", "tigre", "cases", "meetings", "referents"):
    _logging["loggers"].setdefault(_logger, {}).update({"handlers": ["mail_admins"], "level": "INFO"})
