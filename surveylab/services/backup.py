"""Backup and restore of a whole database, as a portable archive.

An archive is one zip file (ZIP64, deflated):

- ``manifest.json``: the format and its version, the surveylab version and backend that wrote
  it, the time, the schema revision (alembic's), and for every table its member, columns
  (name and portable type), row count, size [bytes] and sha256; and the sha256 of every
  stored survey file's bytes, by file id;
- ``tables/<table>.jsonl``: one JSON array per row, values in the manifest's column order
  (:func:`surveylab.repositories.archive.encode_value`).

Being logical rather than a copy of the database's files, an archive from DuckDB restores into
PostgreSQL and the other way round, and an archive of an older schema revision restores at
that revision and is then migrated to the newest, in the same transaction.

These are operator commands on the host, not user actions: a backup holds everything in the
database (password hashes, the state of every login, the audit log), and a restore replaces
all of it, users included. Whoever can run them already holds the database's URL and
password (PostgreSQL) or can read its file (DuckDB), which give the same access; no token is
asked for. The archive is written mode 600.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from surveylab import db
from surveylab._version import __version__
from surveylab.config import PRIVATE_FILE_MODE, Settings
from surveylab.db import tables as schema
from surveylab.repositories.archive import (
    VERSION_TABLE,
    ArchiveSchemaError,
    TableStore,
    replacing,
    snapshot,
)
from surveylab.services.common import ServiceError

FORMAT = "surveylab-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1 << 20


class BackupError(ServiceError):
    """A backup or restore refused: the archive or the database named, and what to do."""


@dataclass(frozen=True)
class ArchiveSummary:
    """What a backup wrote or a restore read.

    Attributes
    ----------
    path : Path
        The archive.
    revision : str
        The schema revision the archive was taken at.
    backend : str
        The backend it was taken from (``duckdb`` or ``postgresql``).
    rows : dict of str to int
        Rows per table [count].
    files : int
        Stored survey files [count], each checked against its sha256.
    size_bytes : int
        Size of the archive [bytes].
    revision_now : str
        After a restore: the revision the database is at (the newest); after a backup the
        same as ``revision``.
    """

    path: Path
    revision: str
    backend: str
    rows: dict[str, int]
    files: int
    size_bytes: int
    revision_now: str


def _sha256_lines(lines: Iterator[bytes], fh: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for line in lines:
        digest.update(line)
        fh.write(line)
        size += len(line)
    return digest.hexdigest(), size


def _target(out: Path) -> Path:
    """The archive path for ``out``: inside it with a dated name when it is a folder."""
    if out.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = out / f"surveylab-{stamp}.zip"
    if out.exists():
        raise BackupError(f"{out}: exists; give a new file name or a folder")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent}: no such folder")
    return out


def backup(settings: Settings, out: Path) -> ArchiveSummary:
    """Write every table of the configured database to an archive, read in one snapshot.

    Parameters
    ----------
    settings : Settings
        The database to back up.
    out : Path
        A new file, or a folder to write ``surveylab-<UTC time>.zip`` into.

    Returns
    -------
    ArchiveSummary

    Raises
    ------
    BackupError
        ``out`` exists, or the database was never migrated. Nothing is left at ``out`` when
        the backup fails (it is written beside it under a temporary name, then renamed).
    """
    path = _target(out)
    fd, tmp_name = tempfile.mkstemp(prefix=".surveylab-backup-", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, PRIVATE_FILE_MODE)
    try:
        with snapshot(settings) as store:
            revision = store.revision()
            if revision is None:
                raise BackupError("the database has no schema yet: nothing to back up")
            manifest = _write_archive(store, tmp, revision)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ArchiveSummary(
        path=path,
        revision=revision,
        backend=manifest["backend"],
        rows={t["name"]: t["rows"] for t in manifest["tables"]},
        files=len(manifest["files"]),
        size_bytes=path.stat().st_size,
        revision_now=revision,
    )


def _write_archive(store: TableStore, tmp: Path, revision: str) -> dict[str, Any]:
    tables: list[dict[str, Any]] = []
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, columns in store.tables(_surveylab_tables()).items():
            member = f"tables/{name}.jsonl"
            count = 0

            def lines(name: str = name, columns: list[tuple[str, str]] = columns):
                nonlocal count
                for row in store.rows(name, columns):
                    count += 1
                    yield (json.dumps(row, separators=(",", ":")) + "\n").encode()

            with zf.open(member, "w", force_zip64=True) as fh:
                sha, size = _sha256_lines(lines(), fh)
            tables.append(
                {
                    "name": name,
                    "member": member,
                    "columns": [list(c) for c in columns],
                    "rows": count,
                    "bytes": size,
                    "sha256": sha,
                }
            )
        names = {t["name"] for t in tables}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "surveylab_version": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "backend": store.backend,
            "schema_revision": revision,
            "tables": tables,
            "files": store.file_checksums() if "survey_files" in names else {},
        }
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1))
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of an archive, checked for its format.

    Raises
    ------
    BackupError
        Not a surveylab archive, of a format version this surveylab does not read, or of a
        schema revision its migrations do not know (a newer surveylab wrote it).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read(MANIFEST))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, KeyError, ValueError, zlib.error) as exc:
        raise BackupError(f"{path}: not a surveylab backup ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a surveylab backup (manifest.json names no {FORMAT})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path}: backup format version {manifest.get('format_version')} is not "
            f"{FORMAT_VERSION}; restore it with the surveylab version that wrote it "
            f"({manifest.get('surveylab_version')})"
        )
    if manifest.get("schema_revision") not in db.revisions():
        raise BackupError(
            f"{path}: schema revision {manifest.get('schema_revision')!r} is unknown to this "
            f"surveylab ({__version__}); restore with surveylab "
            f"{manifest.get('surveylab_version')} or newer"
        )
    return manifest


def verify(path: Path) -> dict[str, Any]:
    """Check every table of an archive against the sha256, size and row count in its
    manifest; returns the manifest.

    Raises
    ------
    BackupError
        The first member that is missing, damaged or does not match, named.
    """
    manifest = read_manifest(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = set(zf.namelist())
            for table in manifest["tables"]:
                member = table["member"]
                if member not in members:
                    raise BackupError(f"{path}: {member} is missing")
                digest = hashlib.sha256()
                size = rows = 0
                with zf.open(member) as fh:
                    for line in fh:
                        digest.update(line)
                        size += len(line)
                        rows += 1
                if digest.hexdigest() != table["sha256"] or size != table["bytes"]:
                    raise BackupError(
                        f"{path}: {member} does not match its sha256 in manifest.json "
                        "(the archive is damaged or was changed); nothing was restored"
                    )
                if rows != table["rows"]:
                    raise BackupError(
                        f"{path}: {member} has {rows} rows, manifest.json says {table['rows']}"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError(f"{path}: damaged archive ({exc}); nothing was restored") from None
    return manifest


def restore(settings: Settings, path: Path, *, force: bool = False) -> ArchiveSummary:
    """Restore an archive into the configured database, then migrate it to the newest schema.

    The archive is verified first (:func:`verify`). Then, in one transaction: the database's
    surveylab tables are dropped (refused when any holds a row, unless ``force``), the schema
    is created at the archive's revision, every table is written, the row counts and the
    sha256 of every survey file are checked, the schema is migrated to the newest revision,
    and the restore is written to the audit log. Any failure rolls all of it back.

    Parameters
    ----------
    settings : Settings
        The database to restore into (a DuckDB file is created when missing).
    path : Path
        The archive (:func:`backup`).
    force : bool, optional
        Replace a database that holds rows.

    Returns
    -------
    ArchiveSummary

    Raises
    ------
    BackupError
        The archive is not a surveylab backup or does not match its checksums, or the
        database holds rows and ``force`` is not given; the database is left unchanged.
    """
    manifest = verify(path)
    revision = manifest["schema_revision"]
    ours = {*_surveylab_tables(), *(t["name"] for t in manifest["tables"]), VERSION_TABLE}
    with replacing(settings) as store:
        if not force and not store.is_empty(ours):
            raise BackupError(
                "the database holds data; restoring replaces all of it: back it up first, "
                "then give --force"
            )
        store.drop(ours)
        store.migrate(revision)
        rows = {}
        try:
            with zipfile.ZipFile(path) as zf:
                for table in manifest["tables"]:
                    columns = [(str(c), str(tag)) for c, tag in table["columns"]]
                    with zf.open(table["member"]) as fh:
                        written = store.insert(table["name"], columns, _rows(fh))
                    if written != table["rows"] or store.count(table["name"]) != written:
                        raise BackupError(
                            f"{path}: table {table['name']}: {written} rows written, "
                            f"manifest.json says {table['rows']}"
                        )
                    rows[table["name"]] = written
        except ArchiveSchemaError as exc:
            raise BackupError(f"{path}: {exc}") from None
        files = store.file_checksums() if "survey_files" in rows else {}
        if files != manifest["files"]:
            bad = sorted(set(files.items()) ^ set(manifest["files"].items()))
            raise BackupError(
                f"{path}: stored survey files do not match their sha256 in manifest.json "
                f"(file {bad[0][0]}); nothing was restored"
            )
        now = store.migrate("head")
        store.record_restore(
            f"{path.name}: taken {manifest['created_at']} from {manifest['backend']} at "
            f"revision {revision}; now at {now}"
        )
    return ArchiveSummary(
        path=path,
        revision=revision,
        backend=manifest["backend"],
        rows=rows,
        files=len(files),
        size_bytes=path.stat().st_size,
        revision_now=now,
    )


def _surveylab_tables() -> set[str]:
    """The names of surveylab's tables: the newest schema's (a database shared with other
    applications keeps theirs out of a backup and a restore)."""
    return set(schema.metadata.tables)


def _rows(fh: IO[bytes]) -> Iterator[list[Any]]:
    for line in fh:
        yield json.loads(line)
