"""/healthz under one deadline: a broker or a database that accepts connections and never answers costs it at most
3 seconds, and leaves no thread and no socket behind (10 calls in a row)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.ops.hanging import HangingServer, open_sockets
from tigre import health
from tigre.celery import app

pytestmark = pytest.mark.django_db(transaction=True)
CALLS = 10


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    with HangingServer() as server:
        yield server


def _call(client: Any, server: HangingServer, times: int) -> list[tuple[float, int, dict[str, str]]]:
    client.get("/healthz")  # warm-up: imports, the broker's first connection pool
    threads, sockets = threading.active_count(), open_sockets() - server.connections
    calls = []
    for _ in range(times):
        started = time.monotonic()
        response = client.get("/healthz")
        calls.append((time.monotonic() - started, response.status_code, response.json()))
    assert threading.active_count() == threads, "a check left a thread behind"
    # Sockets the hanging server accepted are its own end, not the app's: the app must have closed its end.
    assert open_sockets() - server.connections <= sockets, "a check left a socket open"
    return calls


def test_healthz_within_3s_with_a_hanging_broker_and_nothing_left_behind(
    client: Any, hanging: HangingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{hanging.port}/0")
    calls = _call(client, hanging, CALLS)
    assert hanging.connections >= CALLS  # the checks did reach the server that never answers
    for elapsed, status, body in calls:
        assert elapsed < 3.0
        assert status == 503
        assert body == {"database": "ok", "broker": "error: timeout", "worker": "error: broker unavailable"}


def test_healthz_within_3s_with_a_hanging_database_and_nothing_left_behind(
    client: Any, hanging: HangingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check reads the connection parameters when it runs; the test's own connection is already open.
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(hanging.port))
    calls = _call(client, hanging, 3)
    assert hanging.connections >= 3
    for elapsed, status, body in calls:
        assert elapsed < 3.0
        assert status == 503
        assert body["database"] == "error: timeout"
        assert body["broker"] == "ok"  # the other checks ran meanwhile, in parallel


def test_healthz_reports_each_check_in_time_when_both_hang(
    client: Any, hanging: HangingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{hanging.port}/0")
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(hanging.port))
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3.0
    assert response.status_code == 503
    assert response.json() == {
        "database": "error: timeout",
        "broker": "error: timeout",
        "worker": "error: broker unavailable",
    }


def test_a_check_the_deadline_cut_short_reads_as_its_own_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a loaded machine a check may still be running when the deadline passes: the report is the same as when
    the check's own socket timeout fired (not a different word for the same fact), and the worker is not blamed."""

    def slow_broker(deadline: float) -> str:
        time.sleep(0.5)
        return "ok"

    monkeypatch.setattr(health, "check_database", lambda deadline: "ok")
    monkeypatch.setattr(health, "check_broker", slow_broker)
    assert health.run_checks(deadline_seconds=0.1) == {
        "database": "ok",
        "broker": "error: timeout",
        "worker": "error: broker unavailable",
    }
