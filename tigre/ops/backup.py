"""Backup and restore (README, "Operations"): the database and MEDIA_ROOT in one dated, checksummed archive.

The archive is a plain tar (its parts are compressed already), written under a temporary name then renamed:

- ``database.dump``: ``pg_dump -Fc`` of the whole database (schema, data, the access trail's append-only trigger);
- ``media/...``: every file under MEDIA_ROOT (attachments, generated PDFs);
- ``MANIFEST.json``: the SHA-256 and size of each of these, the row count of every table, the migrations applied.

Beside it, ``<archive>.sha256`` (``sha256sum -c`` reads it) covers the archive as a whole. The row counts are taken
in the very snapshot that pg_dump exports (``pg_export_snapshot``), so a restore can check that it got every row.
Attachments are copied after that snapshot: a file deleted in between may be missing from the archive.

A restore checks every checksum before it touches anything, then restores into an EMPTY database only (it refuses
one with tables), in one transaction (``pg_restore --single-transaction --exit-on-error``: all or nothing), then
compares the row counts with the manifest.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

import psycopg2
from psycopg2 import sql

FORMAT = 1
MANIFEST = "MANIFEST.json"
DUMP = "database.dump"
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message tells the operator why (in French)."""


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN_DIR if set, else the newest /usr/lib/postgresql/*/bin, else the PATH."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)

    def version(path: str) -> float:
        try:
            return float(Path(path).parts[-3])
        except ValueError:
            return 0.0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} est introuvable : installez le client PostgreSQL ou indiquez PG_BIN_DIR.")
    return found


def _connect(db: dict[str, Any], **extra: Any) -> Any:
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        connect_timeout=10,
        **extra,
    )


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # never on the command line, where `ps` would show it
    return env


def _run(args: list[str], db: dict[str, Any]) -> None:
    done = subprocess.run(args, env=_pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} a échoué ({done.returncode}) : {done.stderr.strip()[-2000:]}")


def _tables(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%' AND NOT c.relispartition
        ORDER BY 1, 2
        """
    )
    return list(cursor.fetchall())


def row_counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for schema, table in _tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[f"{schema}.{table}"] = int(cursor.fetchone()[0])
    return counts


def database_row_counts(db: dict[str, Any]) -> dict[str, int]:
    conn = _connect(db)
    try:
        with conn.cursor() as cursor:
            return row_counts(cursor)
    finally:
        conn.close()


# --- Files -------------------------------------------------------------------------------------------------------


class _Hashing:
    """A file object that hashes what is read through it (tarfile reads each member once)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(media_root).as_posix()


def _add(archive: tarfile.TarFile, path: Path, name: str, files: dict[str, dict[str, Any]]) -> None:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as raw:
        hashing = _Hashing(raw)
        archive.addfile(info, hashing)  # type: ignore[arg-type]
    files[name] = {"sha256": hashing.sha256.hexdigest(), "size": info.size}


def _safe_member(member: tarfile.TarInfo) -> str:
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts or not name.parts:
        raise BackupError(f"Archive refusée : élément suspect « {member.name} » (chemin ou type non admis).")
    return name.as_posix()


# --- Backup ------------------------------------------------------------------------------------------------------


def _migrations(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def backup_create(*, db: dict[str, Any], media_root: Path, output_dir: Path, now: dt.datetime | None = None) -> Path:
    """Write ``tigre-backup-YYYYMMDDTHHMMSSZ.tar`` (and its ``.sha256``) into ``output_dir``; returns its path."""
    now = now or dt.datetime.now(dt.UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / f"tigre-backup-{now:%Y%m%dT%H%M%SZ}.tar"
    if final.exists():
        raise BackupError(f"{final} existe déjà.")
    pg_dump = pg_tool("pg_dump")
    with tempfile.TemporaryDirectory(prefix="tigre-backup-") as tmp:
        dump = Path(tmp) / DUMP
        # One snapshot for the counts and the dump: the manifest tells exactly what the dump holds.
        conn = _connect(db)
        try:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cursor.fetchone()
                counts = row_counts(cursor)
                migrations = _migrations(cursor)
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump), *_pg_args(db)], db)
        finally:
            conn.close()
        version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
        partial = output_dir / f".{final.name}.partial"
        files: dict[str, dict[str, Any]] = {}
        old_umask = os.umask(0o077)  # patient data: readable by the owner only
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                _add(archive, dump, DUMP, files)
                for path, relative in _media_files(media_root):
                    _add(archive, path, f"{MEDIA}/{relative}", files)
                manifest = {
                    "format": FORMAT,
                    "application": "TIGRE e-RCP",
                    "created_at": now.isoformat(),
                    "database": {"name": db["NAME"], "server_version": server_version, "pg_dump": version},
                    "row_counts": counts,
                    "migrations": migrations,
                    "files": files,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
                archive.addfile(info, _BytesReader(data))  # type: ignore[arg-type]
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            partial.rename(final)
            sidecar = final.with_name(final.name + ".sha256")
            sidecar.write_text(f"{_sha256_of(final)}  {final.name}\n")
        finally:
            os.umask(old_umask)
            partial.unlink(missing_ok=True)
    return final


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        chunk, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return chunk


# --- Verify and restore ------------------------------------------------------------------------------------------


def backup_verify(archive_path: Path) -> dict[str, Any]:
    """Check the archive against its ``.sha256`` (if beside it) and every member against the manifest; returns the
    manifest. Raises BackupError, naming what does not match."""
    if not archive_path.is_file():
        raise BackupError(f"Archive introuvable : {archive_path}")
    sidecar = archive_path.with_name(archive_path.name + ".sha256")
    if sidecar.is_file():
        expected = sidecar.read_text().split()[0]
        if _sha256_of(archive_path) != expected:
            raise BackupError(f"Archive altérée : sa somme SHA-256 ne correspond pas à {sidecar.name}.")
    try:
        with tarfile.open(archive_path, "r:") as archive:
            try:
                manifest = json.load(archive.extractfile(MANIFEST))  # type: ignore[arg-type]
            except KeyError as exc:
                raise BackupError("Archive refusée : MANIFEST.json manquant.") from exc
            if manifest.get("format") != FORMAT:
                raise BackupError(f"Format d'archive inconnu : {manifest.get('format')!r}.")
            expected_files: dict[str, dict[str, Any]] = manifest["files"]
            seen = set()
            for member in archive:
                name = _safe_member(member)
                if name == MANIFEST:
                    continue
                if name not in expected_files:
                    raise BackupError(f"Archive refusée : « {name} » n'est pas dans le manifeste.")
                digest = hashlib.sha256()
                handle = archive.extractfile(member)
                assert handle is not None
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                if digest.hexdigest() != expected_files[name]["sha256"]:
                    raise BackupError(f"Archive altérée : la somme SHA-256 de « {name} » ne correspond pas.")
                seen.add(name)
            missing = sorted(set(expected_files) - seen)
            if missing:
                raise BackupError(f"Archive incomplète : il manque {', '.join(missing[:5])}.")
    except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"Archive illisible : {exc}") from exc
    return manifest


def _non_empty_database(db: dict[str, Any]) -> int:
    conn = _connect(db)
    try:
        with conn.cursor() as cursor:
            return len(_tables(cursor))
    finally:
        conn.close()


def backup_restore(*, archive_path: Path, db: dict[str, Any], media_root: Path) -> dict[str, Any]:
    """Restore an archive into an empty database and an empty MEDIA_ROOT; returns the manifest."""
    manifest = backup_verify(archive_path)  # before anything is touched
    try:
        tables = _non_empty_database(db)
    except psycopg2.OperationalError as exc:
        raise BackupError(f"Base « {db['NAME']} » injoignable : {str(exc).strip()}") from exc
    if tables:
        raise BackupError(
            f"Restauration refusée : la base « {db['NAME']} » n'est pas vide ({tables} tables). La restauration se "
            "fait dans une base vide : créez-en une (createdb) et pointez DATABASE_URL dessus."
        )
    if media_root.exists() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(
            f"Restauration refusée : MEDIA_ROOT ({media_root}) contient déjà des fichiers. Indiquez un dossier vide."
        )
    pg_restore = pg_tool("pg_restore")
    with tempfile.TemporaryDirectory(prefix="tigre-restore-") as tmp, tarfile.open(archive_path, "r:") as archive:
        dump = Path(tmp) / DUMP
        with archive.extractfile(DUMP) as source, dump.open("wb") as target:  # type: ignore[union-attr]
            shutil.copyfileobj(source, target, CHUNK)
        # All or nothing; the objects belong to the role that restores (the source's roles may not exist here).
        _run(
            [
                pg_restore,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                *_pg_args(db),
                str(dump),
            ],
            db,
        )
        media_root.mkdir(parents=True, exist_ok=True)
        prefix = f"{MEDIA}/"
        for member in archive:
            name = _safe_member(member)
            if not name.startswith(prefix):
                continue
            target_path = media_root / name[len(prefix) :]
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, target_path.open("wb") as target:  # type: ignore[union-attr]
                shutil.copyfileobj(source, target, CHUNK)
    counts = database_row_counts(db)
    if counts != manifest["row_counts"]:
        differ = sorted(
            t for t in set(counts) | set(manifest["row_counts"]) if counts.get(t) != manifest["row_counts"].get(t)
        )
        raise BackupError(f"Restauration incomplète : les nombres de lignes diffèrent ({', '.join(differ[:5])}).")
    return manifest
