"""manage.py backup and restore: one checksummed archive; restored into a fresh database, the same rows, the same
attachment bytes, and the access trail still append-only."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from cases.messages import Kind, notify_case
from cases.services import attachment_add
from tests.factories.cases import SubmittedCaseFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.ops.backup import BackupError, backup_verify, database_row_counts

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(5000)


def _admin_connection() -> Any:
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres", user=db["USER"] or None, host=db["HOST"] or None, port=db["PORT"] or None
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def fresh_database() -> Iterator[dict[str, Any]]:
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def content(alice: Any, client: Any, media: Path) -> list[Any]:
    """Requests with attachments, their access trail and notifications: rows in most tables, files on disk."""
    attachments = []
    for content_bytes, name in ((PDF, "compte-rendu.pdf"), (PNG, "ecg.png")):
        case = SubmittedCaseFactory(requester=alice, requester_centre=alice.centre)
        attachments.append(attachment_add(case=case, by=alice, uploaded=SimpleUploadedFile(name, content_bytes)))
        notify_case(kind=Kind.REQUEST_RECEIVED, case=case, recipients=[alice])
        login(client, alice)
        assert client.get(f"/demandes/{case.pk}/").status_code == 200  # writes the access trail
    assert AccessLog.objects.count() >= 2
    return attachments


def _archive(directory: Path) -> Path:
    [archive] = directory.glob("tigre-backup-*.tar")
    return archive


def _restore(archive: Path, db: dict[str, Any], media_root: Path) -> subprocess.CompletedProcess[str]:
    """`manage.py restore` as an operator runs it: another process, DATABASE_URL naming the fresh database."""
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), "--media-root", str(media_root)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tigre.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_backup_then_restore_gives_the_same_rows_files_and_append_only_trail(
    content: list[Any], tmp_path: Path, fresh_database: dict[str, Any]
) -> None:
    call_command("backup", output_dir=str(tmp_path / "backups"))
    archive = _archive(tmp_path / "backups")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # patient data: the owner only
    sidecar = archive.with_name(archive.name + ".sha256")
    assert subprocess.run(["sha256sum", "-c", sidecar.name], cwd=archive.parent, check=False).returncode == 0
    source = database_row_counts(connection.settings_dict)

    done = _restore(archive, fresh_database, tmp_path / "restored-media")
    assert done.returncode == 0, done.stderr
    assert "Restauration terminée" in done.stdout

    restored = database_row_counts(fresh_database)
    assert restored == source
    assert restored["public.audit_accesslog"] >= 2 and restored["public.cases_attachment"] == 2
    for attachment in content:
        original = Path(attachment.file.path).read_bytes()
        assert (tmp_path / "restored-media" / attachment.file.name).read_bytes() == original

    conn = psycopg2.connect(
        dbname=fresh_database["NAME"],
        user=fresh_database["USER"] or None,
        host=fresh_database["HOST"] or None,
        port=fresh_database["PORT"] or None,
    )
    try:
        for statement in ("DELETE FROM audit_accesslog", "UPDATE audit_accesslog SET target = 'x'"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="append-only"), conn.cursor() as cur:
                cur.execute(statement)
            conn.rollback()
    finally:
        conn.close()
    assert database_row_counts(fresh_database)["public.audit_accesslog"] == source["public.audit_accesslog"]


def test_restore_refuses_a_database_that_is_not_empty(content: list[Any], tmp_path: Path) -> None:
    call_command("backup", output_dir=str(tmp_path / "backups"))
    before = database_row_counts(connection.settings_dict)
    with pytest.raises(CommandError, match="n'est pas vide") as refused:
        call_command("restore", str(_archive(tmp_path / "backups")), media_root=str(tmp_path / "elsewhere"))
    assert "base vide" in str(refused.value)
    assert database_row_counts(connection.settings_dict) == before
    assert not (tmp_path / "elsewhere").exists()


def test_restore_refuses_a_media_root_with_files(
    content: list[Any], tmp_path: Path, fresh_database: dict[str, Any]
) -> None:
    call_command("backup", output_dir=str(tmp_path / "backups"))
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "someone-elses.pdf").write_bytes(b"%PDF")
    done = _restore(_archive(tmp_path / "backups"), fresh_database, occupied)
    assert done.returncode != 0 and "contient déjà des fichiers" in done.stderr
    assert database_row_counts(fresh_database) == {}  # nothing restored


def _corrupt(archive: Path, member: str) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    with archive.open("r+b") as handle:
        handle.seek(offset + 20)
        byte = handle.read(1)
        handle.seek(offset + 20)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_a_damaged_archive_is_refused_before_anything_is_touched(
    content: list[Any], tmp_path: Path, fresh_database: dict[str, Any]
) -> None:
    call_command("backup", output_dir=str(tmp_path / "backups"))
    archive = _archive(tmp_path / "backups")
    _corrupt(archive, f"media/{content[0].file.name}")
    with pytest.raises(BackupError, match="sa somme SHA-256 ne correspond pas"):
        backup_verify(archive)  # the whole archive against its .sha256
    archive.with_name(archive.name + ".sha256").unlink()
    with pytest.raises(BackupError, match=r"la somme SHA-256 de « media/.*» ne correspond pas"):
        backup_verify(archive)  # each member against the manifest
    done = _restore(archive, fresh_database, tmp_path / "restored-media")
    assert done.returncode != 0 and "Archive altérée" in done.stderr
    assert database_row_counts(fresh_database) == {}
    assert not (tmp_path / "restored-media").exists()
