"""`make run`'s embedded defaults (SQLite, the filesystem broker) serve every page: the suite runs on PostgreSQL, so
a query PostgreSQL accepts and SQLite refuses (a case page once failed there with "no such function: translate")
would otherwise reach a newcomer's first run unseen. The demo is loaded into a throwaway SQLite database and each
demo role follows the app's links from its home page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_reached_from_the_home_pages_answers_on_sqlite(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tigre.settings.dev",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tigre.sqlite3'}",
        "REDIS_URL": "",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("manage.py", "migrate", "--noinput", "-v", "0")
    run("manage.py", "load_demo")
    out = run(str(ROOT / "tests" / "ops" / "sqlite_crawl.py"))
    *counts, last = out.strip().splitlines()
    assert len(counts) == 6 and all(int(line.split(": ")[1].split()[0]) > 5 for line in counts), out
    assert json.loads(last) == []
