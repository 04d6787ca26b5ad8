"""A PostgreSQL that accepts connections and never answers, seen by a real gunicorn running the production
settings: the user gets the French error page within seconds, never gunicorn's empty reply after 30 s.

Two faults: the server hangs before a connection is made (a fresh connection), and it freezes under a connection
already open and kept (CONN_MAX_AGE), which libpq alone would wait on for ever (tigre/ops/db.py)."""

from __future__ import annotations

import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.ops.hanging import HangingServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONNECT_TIMEOUT = 2  # DATABASE_CONNECT_TIMEOUT given to the server below
STATEMENT_TIMEOUT = 2  # DATABASE_STATEMENT_TIMEOUT: the wait deadline is this + 2 s
GUNICORN_TIMEOUT = 30


class FreezableProxy:
    """A TCP proxy to the real PostgreSQL that can freeze: it then keeps every connection open and forwards
    nothing more, new ones included (a frozen host, a network partition)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = threading.Event()
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.sockets.append(client)
            if self.frozen.is_set():
                continue  # accepted, never answered
            upstream = socket.create_connection(self.target)
            self.sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while not self.stopped.is_set():
            if self.frozen.is_set():
                time.sleep(0.05)
                continue
            try:
                readable, _, _ = select.select([source], [], [], 0.1)
                if not readable:
                    continue
                data = source.recv(65536)
                if not data:
                    return
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
        for s in self.sockets:
            s.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(port: int, path: str, cookie: str = "") -> tuple[int, str, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=GUNICORN_TIMEOUT + 15)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode(), time.monotonic() - started
    finally:
        conn.close()


class Server:
    def __init__(self, db_port: int) -> None:
        self.port = _free_port()
        db = connection.settings_dict
        self.log = open(f"/tmp/tigre-test-gunicorn-{self.port}.log", "w")  # noqa: SIM115 (closed in stop)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tigre.settings.production",
            "SECRET_KEY": "hanging-database-test-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_URL": "smtp://mail.tigre.invalid:25",  # never contacted
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@127.0.0.1:{db_port}/{db['NAME']}",
            "CONN_MAX_AGE": "60",
            "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "DATABASE_STATEMENT_TIMEOUT": str(STATEMENT_TIMEOUT),
            "PYTHONPATH": str(ROOT),
        }
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        args = ["tigre.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
        self.proc = subprocess.Popen(
            [gunicorn, *args, "--timeout", str(GUNICORN_TIMEOUT)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, Path(self.log.name).read_text()[-3000:]
            try:
                status, _body, _ = _request(self.port, "/")  # anonymous, no session: to the login page, no database
                assert status == 302
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start:\n" + Path(self.log.name).read_text()[-3000:])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    with HangingServer() as server:
        yield server


def _assert_french_error_page(status: int, body: str, elapsed: float, within: float) -> None:
    assert elapsed < within, f"answered after {elapsed:.1f} s"
    assert status == 503
    assert "Service momentanément indisponible" in body and "La base de données" in body


def test_a_database_that_never_answers_gives_the_french_page_within_seconds(db: Any, hanging: HangingServer) -> None:
    server = Server(hanging.port)
    try:
        # A session cookie: the session must be read from the database.
        status, body, elapsed = _request(server.port, "/", cookie="__Host-sessionid=abcdefghijklmnopqrstuvwxyz012345")
    finally:
        server.stop()
    assert hanging.connections >= 1
    _assert_french_error_page(status, body, elapsed, within=CONNECT_TIMEOUT + 2)


def test_a_database_frozen_under_an_open_connection_gives_the_french_page_within_seconds(db: Any) -> None:
    proxy = FreezableProxy(
        (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    )
    server = Server(proxy.port)
    cookie = "__Host-sessionid=abcdefghijklmnopqrstuvwxyz012345"
    try:
        status, _body, _ = _request(server.port, "/", cookie=cookie)
        assert status == 302  # the database answered (no such session: to the login page); the connection is kept
        proxy.frozen.set()
        status, body, elapsed = _request(server.port, "/", cookie=cookie)
        # The kept connection's check waits STATEMENT_TIMEOUT + 2 s, a new connection CONNECT_TIMEOUT more.
        _assert_french_error_page(status, body, elapsed, within=STATEMENT_TIMEOUT + 2 + CONNECT_TIMEOUT + 2)
        assert server.proc.poll() is None
        assert "WORKER TIMEOUT" not in Path(server.log.name).read_text()  # gunicorn never had to kill it
    finally:
        server.stop()
        proxy.close()
