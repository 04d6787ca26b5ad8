"""Throwaway PostgreSQL and Redis servers for the test suite (a pytest plugin, loaded with ``-p tests.servers``).

When ``DATABASE_URL`` / ``REDIS_URL`` are set, the suite uses them and this plugin does nothing. When one is not
set, the plugin starts a private server from the installed binaries (Debian's ``/usr/lib/postgresql/*/bin`` and
``redis-server``) on a free loopback port, in a fresh temporary directory, and exports the URL before Django's
settings are read (``tigre/settings/test.py`` reads them) so that every subprocess the tests start (the Celery
worker, ``manage.py`` runs) inherits the same URLs. Two runs on one machine thus never share a database or a
queue, and no service needs to be running beforehand.

Why not pytest-postgresql / pytest-redis: their servers are session fixtures, started after Django's settings
are loaded, and pytest-postgresql runs ``initdb`` and ``postgres`` as the current user, which PostgreSQL refuses
when that user is root (as on CI). Here, under root, both PostgreSQL programs run as the ``postgres`` system
user on a directory it owns.

Clean-up: the servers are stopped and their directory removed at the end of the run, on failure, on Ctrl-C
(pytest's clean-up and ``atexit``) and on SIGTERM/SIGHUP (a handler); the servers get a parent-death signal, so
even a SIGKILLed pytest leaves no server behind, and a directory left by such a run is removed by the next one.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

DIR_PREFIX = "tigre-test-servers-"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
PORT_ATTEMPTS = 5
PG_GLOB = "/usr/lib/postgresql/*/bin"
VARIABLE_OF_PACKAGE = {"postgresql": "DATABASE_URL", "redis-server": "REDIS_URL"}
# Speed over durability: the cluster is thrown away at the end of the run.
PG_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "100",
}


class ServerError(RuntimeError):
    """A server could not be started; the message is one line for the user."""


@dataclass
class Server:
    name: str
    variable: str  # the environment variable that names it
    url: str
    port: int
    process: subprocess.Popen[bytes]
    stop_signal: int

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Servers:
    """The servers this run started, in their directory; ``stop`` is idempotent."""

    base: Path
    servers: list[Server] = field(default_factory=list)
    started_in: float = 0.0
    stopped: bool = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        for server in reversed(self.servers):
            server.stop()
        shutil.rmtree(self.base, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ locating binaries


def find_postgres_bindir(pattern: str = PG_GLOB) -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian's layout), else the one on PATH."""

    def version(path: str) -> tuple[int, ...]:
        match = re.search(r"/(\d+(?:\.\d+)*)/bin$", path)
        return tuple(int(p) for p in match.group(1).split(".")) if match else ()

    for candidate in sorted(glob.glob(pattern), key=version, reverse=True):
        if os.access(Path(candidate) / "initdb", os.X_OK) and os.access(Path(candidate) / "postgres", os.X_OK):
            return Path(candidate)
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    if initdb and postgres and Path(initdb).resolve().parent == Path(postgres).resolve().parent:
        return Path(initdb).resolve().parent
    return None


def find_redis_server() -> Path | None:
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")
    return Path(found) if found else None


def missing_packages_message(missing: list[str]) -> str:
    """The one line printed when a binary is missing (``missing``: Debian package names)."""
    packages = " ".join(missing)
    variables = " and ".join(VARIABLE_OF_PACKAGE[p] for p in missing)
    return (
        f"The tests start their own PostgreSQL and Redis: install the Debian package(s) {packages} "
        f"(apt-get install {packages}), or set {variables} to a running server."
    )


# ------------------------------------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_account() -> pwd.struct_passwd | None:
    """The account PostgreSQL runs as: ``postgres`` when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServerError(
            "Running as root, the tests need the 'postgres' system user to run PostgreSQL: install the Debian "
            "package postgresql, or set DATABASE_URL and REDIS_URL."
        ) from exc


def _die_with_parent(sig: int) -> Callable[[], None]:
    """preexec_fn: the server gets ``sig`` when pytest dies, even by SIGKILL (Linux prctl PR_SET_PDEATHSIG).

    Python's Popen changes user before it calls preexec_fn, and a change of user would clear this setting."""

    def set_pdeathsig() -> None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # 1 == PR_SET_PDEATHSIG

    return set_pdeathsig


def _popen(args: list[str], log: Path, account: pwd.struct_passwd | None, death_signal: int) -> subprocess.Popen[bytes]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    with log.open("ab") as out:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=log.parent,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            process_group=0,  # Ctrl-C reaches pytest only; pytest's clean-up stops the servers in order
            preexec_fn=_die_with_parent(death_signal),
        )


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def _wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes]) -> bool:
    """True once ``ready()``; False as soon as the process has exited (or after START_TIMEOUT)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(0.05)
    return False


def remove_stale_directories(tmp: str | None = None) -> None:
    """Remove the directories of earlier runs whose pytest is gone (killed before its clean-up)."""
    for path in Path(tmp or tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        try:
            pid = int((path / "owner.pid").read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and Path(f"/proc/{pid}").exists():
            continue
        with contextlib.suppress(OSError):
            if not pid and time.time() - path.stat().st_mtime < 60:
                continue  # another run's, created an instant ago: its owner.pid is being written
            shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------------------------------------ servers


def start_postgres(bindir: Path, base: Path, account: pwd.struct_passwd | None) -> Server:
    import psycopg2

    data = base / "postgres"
    data.mkdir()
    if account:
        os.chown(data, account.pw_uid, account.pw_gid)
    log = base / "postgres.log"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
    initdb += ["--locale=C.UTF-8", "--no-sync", "--no-instructions"]
    proc = _popen(initdb, log, account, signal.SIGKILL)
    if proc.wait(timeout=120) != 0:
        raise ServerError(f"initdb failed ({bindir / 'initdb'}): {_tail(log)}")

    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        settings = [f"-c{key}={value}" for key, value in {**PG_SETTINGS, "port": str(port)}.items()]
        proc = _popen([str(bindir / "postgres"), "-D", str(data), *settings], log, account, signal.SIGQUIT)

        def ready(port: int = port) -> bool:
            try:
                conn = psycopg2.connect(
                    host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2
                )
            except psycopg2.OperationalError:
                return False
            try:
                with conn.cursor() as cur:  # our server, not another run's that took the port meanwhile
                    cur.execute("SELECT current_setting('data_directory')")
                    row = cur.fetchone()
                    return bool(row) and Path(row[0]).resolve() == data.resolve()
            finally:
                conn.close()

        if _wait_until(ready, proc):
            url = f"postgres://postgres@127.0.0.1:{port}/tigre"
            return Server("PostgreSQL", "DATABASE_URL", url, port, proc, signal.SIGINT)  # SIGINT: fast shutdown
        Server("PostgreSQL", "DATABASE_URL", "", port, proc, signal.SIGINT).stop()
        if "could not bind" not in _tail(log, 20) and "already in use" not in _tail(log, 20):
            break
    raise ServerError(f"PostgreSQL ({bindir / 'postgres'}) did not start: {_tail(log)}")


def start_redis(executable: Path, base: Path) -> Server:
    import redis

    directory = base / "redis"
    directory.mkdir()
    log = base / "redis.log"
    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        args = [str(executable), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(directory), "--daemonize", "no"]
        proc = _popen(args, log, None, signal.SIGTERM)

        def ready(port: int = port) -> bool:
            client = redis.Redis(
                host="127.0.0.1", port=port, socket_connect_timeout=2, socket_timeout=2, decode_responses=True
            )
            try:  # our server, not another run's that took the port meanwhile
                return Path(str(client.config_get("dir").get("dir", ""))).resolve() == directory.resolve()
            except redis.RedisError:
                return False
            finally:
                client.close()

        if _wait_until(ready, proc):
            return Server("Redis", "REDIS_URL", f"redis://127.0.0.1:{port}/0", port, proc, signal.SIGTERM)
        Server("Redis", "REDIS_URL", "", port, proc, signal.SIGTERM).stop()
        if "Address already in use" not in _tail(log, 20):
            break
    raise ServerError(f"Redis ({executable}) did not start: {_tail(log)}")


def start(*, database: bool, broker: bool) -> Servers:
    """Start the servers asked for, in a fresh directory; on any failure stop what was started and raise."""
    missing = []
    bindir = find_postgres_bindir() if database else None
    redis_server = find_redis_server() if broker else None
    if database and bindir is None:
        missing.append("postgresql")
    if broker and redis_server is None:
        missing.append("redis-server")
    if missing:
        raise ServerError(missing_packages_message(missing))
    account = _server_account() if database else None

    begin = time.monotonic()
    remove_stale_directories()
    base = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
    (base / "owner.pid").write_text(str(os.getpid()))
    if account:
        os.chown(base, account.pw_uid, account.pw_gid)  # postgres must reach its data directory
    servers = Servers(base)
    try:
        if bindir is not None:
            servers.servers.append(start_postgres(bindir, base, account))
        if redis_server is not None:
            servers.servers.append(start_redis(redis_server, base))
    except BaseException:
        servers.stop()
        raise
    servers.started_in = time.monotonic() - begin
    return servers


# ------------------------------------------------------------------------------------------------- pytest hooks

_running: Servers | None = None
_failures: list[str] = []
_previous_handlers: dict[int, Any] = {}


def _stop_running() -> None:
    global _running
    if _running is not None:
        _running.stop()
        for server in _running.servers:  # an in-process pytest.main() run after this one starts afresh
            if os.environ.get(server.variable) == server.url:
                del os.environ[server.variable]
        _running = None
    for signum, handler in _previous_handlers.items():
        with contextlib.suppress(ValueError):
            signal.signal(signum, handler)
    _previous_handlers.clear()


def _on_termination(signum: int, frame: FrameType | None) -> None:
    """SIGTERM/SIGHUP skip atexit: stop the servers, then die of the same signal."""
    _stop_running()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Before pytest-django reads the settings: start what DATABASE_URL / REDIS_URL do not name."""
    global _running
    if early_config.known_args_namespace.help or early_config.known_args_namespace.version:
        return
    database, broker = not os.environ.get("DATABASE_URL"), not os.environ.get("REDIS_URL")
    if not (database or broker):
        return
    try:
        _running = start(database=database, broker=broker)
    except ServerError as exc:
        _failures.append(str(exc))  # pytest.exit is only handled once pytest is configured: see pytest_configure
        return
    atexit.register(_stop_running)
    early_config.add_cleanup(_stop_running)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            _previous_handlers[signum] = signal.getsignal(signum)
            signal.signal(signum, _on_termination)
    for server in _running.servers:
        os.environ[server.variable] = server.url


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """One line, and no test run, when a server could not be started (before conftest checks PostgreSQL)."""
    if _failures:
        pytest.exit(_failures[0], returncode=3)


def pytest_report_header(config: pytest.Config) -> str:
    if _running is None:
        return "servers: DATABASE_URL and REDIS_URL from the environment"
    names = ", ".join(f"{s.name} on 127.0.0.1:{s.port}" for s in _running.servers)
    return f"servers: throwaway {names} (started in {_running.started_in:.1f} s, {_running.base})"
