"""Health of the three moving parts: database, broker, worker. Each check is bounded in time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import connection

CHECK_TIMEOUT = 2.7  # seconds; the checks run in parallel so /healthz answers within 3 s


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        connection.close()


def check_broker() -> str:
    from tigre.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def check_worker() -> str:
    from tigre.celery import app

    try:
        replies = app.control.ping(timeout=2.0, limit=1)  # returns at the first pong
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok" if replies else "error: no worker answered"


def run_checks() -> dict[str, str]:
    checks = {"database": check_database, "broker": check_broker, "worker": check_worker}
    pool = ThreadPoolExecutor(max_workers=len(checks))
    futures = {name: pool.submit(fn) for name, fn in checks.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=CHECK_TIMEOUT)
        except FutureTimeout:
            results[name] = "error: timeout"
    pool.shutdown(wait=False, cancel_futures=True)
    return results
