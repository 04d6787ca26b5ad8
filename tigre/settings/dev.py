"""Local development: `make run`. Runs with no server at all unless DATABASE_URL / REDIS_URL are set."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import TIGRE, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
TIGRE["DEMO"] = True
VAR_DIR.mkdir(exist_ok=True)
