"""Health of the three moving parts: database, broker, worker, under ONE deadline for all of them.

The checks run in parallel, each in a thread of its own, and each is bounded by the same deadline: it computes its
socket timeouts from the time left, so that every thread has finished when ``run_checks`` returns (no thread left
blocked behind a hung server) and every connection it opened is closed. A server that accepts connections and never
answers (a frozen host, a network partition) thus costs /healthz at most ``DEADLINE`` seconds.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from tigre.celery import app

DEADLINE = 2.2  # seconds for all checks together: /healthz answers within 3 s whatever hangs, with room for a busy host
MARGIN = 0.2  # what a check keeps for closing its connection and reporting
TIMEOUT = "error: timeout"
BROKER_UNAVAILABLE = "error: broker unavailable"


class DeadlineExceeded(Exception):
    pass


def _left(deadline: float) -> float:
    return deadline - time.monotonic() - MARGIN


def _wait_async(conn: Any, deadline: float) -> None:
    """Drive a psycopg2 asynchronous connection until its current operation is done, or the deadline passes."""
    from psycopg2 import extensions

    while True:
        state = conn.poll()
        if state == extensions.POLL_OK:
            return
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN if state == extensions.POLL_READ else select.POLLOUT)
        left = _left(deadline)
        if left <= 0 or not poller.poll(left * 1000):
            raise DeadlineExceeded


def check_database(deadline: float) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`: a local file, it cannot hang
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return "ok"
        except Exception as exc:
            return f"error: {exc.__class__.__name__}"
        finally:
            connection.close()

    import psycopg2

    # A connection of its own in asynchronous mode: every wait is ours to bound, and it is closed below.
    conn = None
    try:
        conn = psycopg2.connect(**connection.get_connection_params(), async_=True)
        _wait_async(conn, deadline)
        cursor = conn.cursor()
        cursor.execute("SELECT 1")
        _wait_async(conn, deadline)
        cursor.fetchone()
        return "ok"
    except DeadlineExceeded:
        return TIMEOUT
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        if conn is not None:
            conn.close()


def _broker_options(deadline: float) -> dict[str, Any]:
    left = max(_left(deadline), 0.05)
    # polling_interval: kombu's Redis transport waits for replies with BRPOP of this many seconds (1 by default),
    # which would let the worker ping overrun the deadline by up to a second.
    return {"max_retries": 0, "socket_connect_timeout": left, "socket_timeout": left, "polling_interval": 0.1}


def check_broker(deadline: float) -> str:
    url = app.conf.broker_write_url or app.conf.broker_url
    try:
        if url.startswith(("redis://", "rediss://")):
            left = max(_left(deadline), 0.05)
            # redis-py directly: on a timeout it drops the connection itself, and close() releases the pool.
            client = redis.Redis.from_url(url, socket_connect_timeout=left, socket_timeout=left)
            try:
                client.ping()
            finally:
                client.close()
        else:  # kombu's filesystem broker of `make run`: local directories
            with app.connection_for_write(transport_options=_broker_options(deadline)) as conn:
                conn.ensure_connection(max_retries=0)
        return "ok"
    except (redis.TimeoutError, TimeoutError):
        # The same word as a check the deadline cut short: whichever bound fired first, it did not answer in time.
        return TIMEOUT
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def check_worker(deadline: float) -> str:
    """Ping the workers over the broker; the first pong is enough. Run only once the broker has answered."""
    from kombu.pidbox import Mailbox

    conf = app.conf
    # Celery's own app.control.ping publishes through the app's shared producer pool; a mailbox without a pool
    # publishes on the connection given here, whose timeouts come from the deadline and which is closed after.
    mailbox = Mailbox(
        conf.control_exchange,
        type="fanout",
        accept=conf.accept_content,
        serializer=conf.task_serializer,
        queue_ttl=conf.control_queue_ttl,
        reply_queue_ttl=conf.control_queue_ttl,
        queue_expires=conf.control_queue_expires,
        reply_queue_expires=conf.control_queue_expires,
    )
    try:
        with app.connection_for_write(transport_options=_broker_options(deadline)) as conn:
            bound = mailbox(conn)
            replies = bound._broadcast("ping", {}, reply=True, timeout=max(_left(deadline), 0.05), limit=1)  # type: ignore[attr-defined]
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok" if replies else "error: no worker answered"


def run_checks(deadline_seconds: float = DEADLINE) -> dict[str, str]:
    deadline = time.monotonic() + deadline_seconds
    results: dict[str, str] = {}

    def run(*steps: tuple[str, Callable[[float], str]]) -> None:
        from django.db import connections

        try:
            for name, check in steps:
                try:
                    results[name] = check(deadline)
                except Exception as exc:  # a check reports its own errors; this is the last safety net
                    results[name] = f"error: {exc.__class__.__name__}"
                if results[name] != "ok":
                    break  # no worker can be reached through a broker that does not answer
        finally:
            connections.close_all()  # this thread's own Django connections, if a check opened one

    names = ("database", "broker", "worker")
    # Looked up when called, so that a test can replace a check. The worker is pinged through the broker: it is
    # asked only once the broker has answered (in a few milliseconds), in the time left.
    threads = [
        threading.Thread(target=run, args=(("database", check_database),), name="healthz-database", daemon=True),
        threading.Thread(
            target=run, args=(("broker", check_broker), ("worker", check_worker)), name="healthz-broker", daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Each check is bounded by the deadline; the join's own bound only guards against a bug.
        thread.join(timeout=max(deadline - time.monotonic(), 0) + MARGIN)
    # A check still running here (a loaded machine gave it less than its share of the deadline) did not answer in
    # time: the same report as its own timeout. The worker is not asked through a broker that did not answer.
    report = {name: results.get(name, TIMEOUT) for name in names}
    if report["broker"] != "ok" and "worker" not in results:
        report["worker"] = BROKER_UNAVAILABLE
    return report
