"""The benchmark: PostgreSQL and Redis like the tests, its own database, DEBUG off, the real password hasher."""

from __future__ import annotations

from .test import *  # noqa: F403
from .test import DATABASES, INSTALLED_APPS, env

DATABASES["default"] = env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tigre_bench")
INSTALLED_APPS = [*INSTALLED_APPS, "tigre.bench"]
ROOT_URLCONF = "tigre.bench.urls"
DEBUG = False
