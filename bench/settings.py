"""The benchmark (`make bench`): PostgreSQL and Redis like the tests, its own database and Redis database,
DEBUG off."""

from __future__ import annotations

from tigre.settings.test import *  # noqa: F403
from tigre.settings.test import DATABASES, INSTALLED_APPS, TIGRE, env

DATABASES["default"] = env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tigre_bench")
# As in production: persistent connections, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/14")
CELERY_BROKER_URL = REDIS_URL
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
DEBUG = False
# A national-size meeting: 60 requests on one agenda (one-minute slots in a 90-minute meeting).
TIGRE["SLOT_MINUTES"] = 1
