"""Local development: `make run`. Runs with no server at all unless DATABASE_URL / REDIS_URL are set."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import DATABASES, TIGRE, VAR_DIR, env

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
