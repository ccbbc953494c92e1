"""Backups: the whole database plus uploaded files in one archive, and back again.

An archive (``.tar.gz``, written owner-only) holds ``manifest.json``, the
database — a consistent copy made with SQLite's online backup API while
Hindsight runs, or ``pg_dump --format=custom`` — and ``uploads/``. The
manifest records the format, the database kind, the newest migration of each
app, the row count of every table and a SHA-256 of every member, so a restore
can refuse a damaged or mismatched archive before it touches anything.

The secret key is not in the archive unless asked for: encrypted monitor
credentials and webhook secrets need it, so keep it with the backups, but
apart from them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def database(self) -> str:
        return str(self.data["database"])


def uploads_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def table_counts() -> dict[str, int]:
    """Rows per table of every installed model (what a restore is compared against)."""
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._default_manager.using("default").count()
    return dict(sorted(counts.items()))


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump/pg_restore from Django's settings."""
    db = connection.settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed; install the PostgreSQL client tools "
            "(the same major version as the server)"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _dump_database(into: Path) -> str:
    if connection.vendor == "sqlite":
        target = into / SQLITE_MEMBER
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)  # a consistent snapshot, readers and the writer carry on
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(into / PG_MEMBER), *args],
            env,
        )
        return PG_MEMBER
    raise BackupError(f"Backups of {connection.vendor} databases are not supported")


def create_backup(*, path: Path, include_secret_key: bool = False) -> Manifest:
    """Write a backup archive of the database and uploads to ``path``; return its manifest."""
    with tempfile.TemporaryDirectory(prefix="hindsight-backup-") as scratch:
        work = Path(scratch)
        members = [_dump_database(work)]
        uploads = uploads_dir()
        if uploads.is_dir():
            shutil.copytree(uploads, work / "uploads")
            members += [
                str(p.relative_to(work))
                for p in sorted((work / "uploads").rglob("*"))
                if p.is_file()
            ]
        key_file = Path(settings.DATA_DIR) / "secret_key"
        if include_secret_key:
            (work / "secret_key").write_text(settings.SECRET_KEY, encoding="utf-8")
            members.append("secret_key")
        manifest = Manifest(
            {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "migrations": _migrations(),
                "tables": table_counts(),
                "files": {name: _sha256(work / name) for name in members},
                "secret_key_included": include_secret_key,
                "secret_key_file": str(key_file) if key_file.exists() else "",
            }
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            body = json.dumps(manifest.data, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(body), 0o600
            archive.addfile(info, io.BytesIO(body))
            for name in members:
                archive.add(work / name, arcname=name, recursive=False)
    return manifest


def read_manifest(path: Path) -> Manifest:
    """The manifest of a backup archive; BackupError when it is not one."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            data = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a Hindsight backup: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Hindsight backup of format {FORMAT}")
    return Manifest(data)


def _unpack(path: Path, manifest: Manifest, into: Path) -> None:
    wanted = set(manifest.data["files"])
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name not in wanted or not member.isfile():
                continue  # only the files the manifest lists, never links or paths outside
            archive.extract(member, into, filter="data")
    for name, digest in manifest.data["files"].items():
        found = into / name
        if not found.is_file() or _sha256(found) != digest:
            raise BackupError(f"The backup is damaged: {name} is missing or does not match")


def restore_backup(*, path: Path) -> Manifest:
    """Replace the database and uploads with the backup's; nothing changes if it is refused."""
    manifest = read_manifest(path)
    if manifest.database != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.database} database and Hindsight now uses "
            f"{connection.vendor}; restore it into a {manifest.database} database"
        )
    with tempfile.TemporaryDirectory(prefix="hindsight-restore-") as scratch:
        work = Path(scratch)
        _unpack(path, manifest, work)
        connection.close()
        if connection.vendor == "sqlite":
            source = sqlite3.connect(str(work / SQLITE_MEMBER))
            target = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
            try:
                source.backup(target)  # page by page, in one transaction on the target
            finally:
                target.close()
                source.close()
        else:
            args, env = _pg_env()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(work / PG_MEMBER),
                ],
                env,
            )
        uploads = uploads_dir()
        if (work / "uploads").is_dir():
            shutil.rmtree(uploads, ignore_errors=True)
            shutil.copytree(work / "uploads", uploads)
    return manifest
