"""A client-side deadline on every wait for PostgreSQL, in web processes.

``statement_timeout`` makes a *live* server cancel a slow statement, and libpq's ``connect_timeout`` bounds a
connection attempt; neither helps when the server host freezes or the network drops packets on a connection
already open (``CONN_MAX_AGE``): the kernel keeps the socket, libpq waits for an answer that never comes, and
gunicorn finally kills the worker, which gives the user an empty reply. psycopg2 lets a process wait for the
server in Python instead of inside libpq (``set_wait_callback``, made for coroutine libraries); this callback
waits at most ``DATABASE_CONNECT_TIMEOUT`` seconds for a new connection and ``DATABASE_WAIT_DEADLINE`` seconds
for one statement, then raises ``OperationalError``: psycopg2 closes that connection, Django discards it at the
end of the request and the user gets the error page at once.

Only web processes install it (tigre.ops.apps). With a wait callback psycopg2 cannot run COPY nor use large
objects; the web code uses neither (the benchmark loader, which COPYs, runs as a management command).
"""

from __future__ import annotations

import select
import time
from typing import Any

import psycopg2
from psycopg2 import extensions


class DatabaseWaitTimeout(psycopg2.OperationalError):
    """The database did not answer within the deadline (raised inside psycopg2, seen as a Django OperationalError)."""


def make_wait_callback(*, connect_timeout: float, statement_deadline: float) -> Any:
    def wait(conn: Any) -> None:
        connecting = conn.status == extensions.STATUS_SETUP
        limit = connect_timeout if connecting else statement_deadline
        deadline = time.monotonic() + limit
        while True:
            state = conn.poll()
            if state == extensions.POLL_OK:
                return
            if state == extensions.POLL_READ:
                events = select.POLLIN
            elif state == extensions.POLL_WRITE:
                events = select.POLLOUT
            else:  # pragma: no cover - psycopg2 documents no other state
                raise psycopg2.OperationalError(f"unexpected poll state {state}")
            poller = select.poll()  # anew each time: libpq may change sockets while connecting (several addresses)
            poller.register(conn.fileno(), events)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                what = "connecting" if connecting else "waiting for a statement"
                raise DatabaseWaitTimeout(f"the database did not answer within {limit:g} s ({what})")

    return wait


def install_wait_deadline() -> None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    extensions.set_wait_callback(
        make_wait_callback(
            connect_timeout=float(settings.DATABASE_CONNECT_TIMEOUT),
            statement_deadline=float(settings.DATABASE_WAIT_DEADLINE),
        )
    )
