"""The throwaway PostgreSQL and Redis of tests/servers.py: found, started, isolated, and gone after the run, however
the run ends (passed, failed, SIGTERM, SIGKILL)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import redis

from tests import servers

ROOT = Path(__file__).resolve().parents[1]

INNER_TEST = """
import json, os, time
from tests import servers

def test_inner():
    running = servers._running
    print("SERVERS " + json.dumps({
        "base": str(running.base),
        "pids": [s.process.pid for s in running.servers],
        "database_url": os.environ["DATABASE_URL"],
        "redis_url": os.environ["REDIS_URL"],
    }), flush=True)
    time.sleep(float(os.environ.get("INNER_SLEEP", "0")))
    assert os.environ.get("INNER_FAIL") != "1"
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _wait_dead(pids: list[int], timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.fixture
def own_tmpdir() -> Iterator[Path]:
    """The inner run's TMPDIR: other runs on the machine, which clear the directories left by killed runs, never
    see its directory. Not under pytest's tmp_path, which the postgres user may not enter."""
    path = Path(tempfile.mkdtemp(prefix="tigre-servers-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _inner_run(tmp_path: Path, tmpdir: Path, **env_extra: str) -> subprocess.Popen[str]:
    """pytest, without DATABASE_URL / REDIS_URL, on a one-test file, with only this plugin loaded."""
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_ADDOPTS")}
    env.update({"PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir), **env_extra})
    plugins = ["-p", "tests.servers", "-p", "no:django", "-p", "no:cacheprovider", "-p", "no:playwright"]
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), *plugins, "-s", "-q", "test_inner.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _read_servers(proc: subprocess.Popen[str]) -> tuple[dict, list[str]]:
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("SERVERS "):
            return json.loads(line.removeprefix("SERVERS ")), lines
    raise AssertionError("the inner run printed no servers:\n" + "".join(lines))


def test_missing_binaries_are_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(servers, "find_postgres_bindir", lambda pattern=servers.PG_GLOB: None)
    monkeypatch.setattr(servers, "find_redis_server", lambda: None)
    with pytest.raises(servers.ServerError) as both:
        servers.start(database=True, broker=True)
    assert "\n" not in str(both.value)
    assert "apt-get install postgresql redis-server" in str(both.value)
    assert "DATABASE_URL and REDIS_URL" in str(both.value)

    with pytest.raises(servers.ServerError) as redis_only:
        servers.start(database=False, broker=True)
    assert "apt-get install redis-server)" in str(redis_only.value)
    assert "DATABASE_URL" not in str(redis_only.value)


def test_the_newest_postgresql_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for version in ("9.6", "15", "13"):
        bindir = tmp_path / version / "bin"
        bindir.mkdir(parents=True)
        for program in ("initdb", "postgres"):
            (bindir / program).write_text("#!/bin/sh\n")
            (bindir / program).chmod(0o755)
    (tmp_path / "16" / "bin").mkdir(parents=True)  # a client-only install: no server programs
    assert servers.find_postgres_bindir(str(tmp_path / "*" / "bin")) == tmp_path / "15" / "bin"

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert servers.find_postgres_bindir(str(tmp_path / "none" / "*" / "bin")) is None


def test_started_servers_answer_and_leave_nothing_behind() -> None:
    running = servers.start(database=True, broker=True)
    try:
        postgres, broker = running.servers
        assert postgres.url.startswith("postgres://postgres@127.0.0.1:")
        assert ":5432/" not in postgres.url
        assert broker.url.startswith("redis://127.0.0.1:")
        assert ":6379/" not in broker.url
        conn = psycopg2.connect(postgres.url.replace("/tigre", "/postgres"))
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW fsync")
                assert cur.fetchone() == ("off",)
                cur.execute("SELECT current_setting('data_directory')")
                row = cur.fetchone()
                assert row is not None
                assert Path(row[0]).is_relative_to(running.base)
        finally:
            conn.close()
        assert redis.Redis.from_url(broker.url).ping()
        if os.geteuid() == 0:  # PostgreSQL refuses root: it runs as the postgres system user
            assert Path(f"/proc/{postgres.process.pid}").stat().st_uid == servers.pwd.getpwnam("postgres").pw_uid
    finally:
        running.stop()
    assert not running.base.exists()
    assert postgres.process.poll() is not None
    assert broker.process.poll() is not None
    running.stop()  # idempotent


@pytest.mark.parametrize("outcome", ["passed", "failed"])
def test_a_run_without_urls_starts_its_servers_and_removes_them(tmp_path: Path, own_tmpdir: Path, outcome: str) -> None:
    proc = _inner_run(tmp_path, own_tmpdir, INNER_FAIL="1" if outcome == "failed" else "0")
    info, lines = _read_servers(proc)
    out = "".join(lines) + proc.communicate(timeout=60)[0]
    assert proc.returncode == (1 if outcome == "failed" else 0), out
    assert f"1 {outcome}" in out
    assert info["database_url"] != os.environ.get("DATABASE_URL")
    assert info["redis_url"] != os.environ.get("REDIS_URL")
    assert Path(info["base"]).parent == own_tmpdir
    assert _wait_dead(info["pids"]) == []
    assert not Path(info["base"]).exists()


def test_a_terminated_run_stops_its_servers(tmp_path: Path, own_tmpdir: Path) -> None:
    proc = _inner_run(tmp_path, own_tmpdir, INNER_SLEEP="60")
    info, _lines = _read_servers(proc)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM
    assert _wait_dead(info["pids"]) == []
    assert not Path(info["base"]).exists()


def test_a_killed_run_leaves_no_server_and_its_directory_goes_with_the_next_run(
    tmp_path: Path, own_tmpdir: Path
) -> None:
    proc = _inner_run(tmp_path, own_tmpdir, INNER_SLEEP="60")
    info, _lines = _read_servers(proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert _wait_dead(info["pids"]) == []  # the parent-death signal
    assert Path(info["base"]).exists()
    servers.remove_stale_directories(str(own_tmpdir))
    assert not Path(info["base"]).exists()


def test_a_live_run_keeps_its_directory(tmp_path: Path) -> None:
    live = tmp_path / f"{servers.DIR_PREFIX}live"
    live.mkdir()
    (live / "owner.pid").write_text(str(os.getpid()))
    stale = tmp_path / f"{servers.DIR_PREFIX}stale"
    stale.mkdir()
    (stale / "owner.pid").write_text("999999999")
    starting = tmp_path / f"{servers.DIR_PREFIX}starting"  # another run's, before it wrote its owner.pid
    starting.mkdir()
    abandoned = tmp_path / f"{servers.DIR_PREFIX}abandoned"  # the same, long ago
    abandoned.mkdir()
    os.utime(abandoned, (time.time() - 3600, time.time() - 3600))
    servers.remove_stale_directories(str(tmp_path))
    assert live.exists()
    assert starting.exists()
    assert not stale.exists()
    assert not abandoned.exists()
