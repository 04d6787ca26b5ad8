"""Local development: `make run`. Runs with no server at all unless DATABASE_URL / REDIS_URL are set."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import DATABASES, EMAIL_RELAYS, EXPORTS, PSC, TIGRE, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
TIGRE["DEMO"] = True
VAR_DIR.mkdir(exist_ok=True)

# The embedded SQLite database is shared by web, worker and beat: wait for the write lock instead of failing
# ("database is locked"), take it at the start of each transaction, and let readers run beside the writer (WAL).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# Pro Santé Connect: the local development provider (`make psc-dev-provider`, README "Pro Santé Connect") unless the
# environment names a real one.
if not PSC["CLIENT_ID"]:
    PSC.update(
        DISCOVERY_URL="http://127.0.0.1:8900/auth/realms/esante-wallet/.well-known/wallet-openid-configuration",
        CLIENT_ID="tigre-dev",
        CLIENT_SECRET="tigre-dev-secret",  # noqa: S106  # the local development provider's only
    )

# Exports: the demo's invented patients carry test INS OIDs; the MSSanté relay prints to the console unless the
# environment names an operator's relay (MSSANTE_EMAIL_URL).
EXPORTS["TEST_IDENTITIES"] = True
EMAIL_RELAYS.setdefault(
    "mssante", {**env.email_url_config("consolemail://"), "FROM_EMAIL": "rcp-tigre@demo.mssante.invalid"}
)
