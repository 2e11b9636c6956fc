"""``innobroker backup`` and ``restore``: the data directory as one verified ``.tar.gz``.

SQLite databases (the directory and workflow database, Chroma's ``chroma.sqlite3``, the embedding cache) are copied
with SQLite's online backup API, so each copy is consistent even while ``serve`` runs; every other file is copied as
it is. Chroma's index files are only consistent with its database while nothing writes to the store, so take a
backup when no ``innobroker ingest`` is running (``serve`` only reads the store once the starter corpus is in). A
shared Chroma server (``chroma_url``) or a PostgreSQL ``database_url`` is not in the data directory: back those up
with their own tools. The archive holds ``innobroker-backup.json`` (every file's size and SHA-256) and ``data/``.

``restore`` checks the whole archive (names, sizes, hashes, SQLite integrity) in a temporary directory next to the
data directory and only then swaps it in by renaming (so the data directory must not itself be a mount point); it
refuses to replace a non-empty data directory unless ``--force`` is given. Stop the server first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from bot.cli import fail, print_json
from bot.config import Settings

MANIFEST = "innobroker-backup.json"
FORMAT = "innobroker-backup"
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(ValueError):
    """A backup that cannot be written or an archive that cannot be restored, with the reason."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database through the online backup API."""
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        connection.close()


def backup(data_dir: Path, out: Path) -> dict[str, Any]:
    """Write the archive of ``data_dir`` to ``out`` (atomically); returns what it holds."""
    data_dir, out = data_dir.resolve(), out.resolve()
    if not data_dir.is_dir() or not any(data_dir.iterdir()):
        raise BackupError(f"nothing to back up: {data_dir} is empty or missing")
    if out.is_relative_to(data_dir):
        raise BackupError("write the backup outside the data directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix=".innobroker-backup-", dir=out.parent) as staging:
        stage = Path(staging) / "data"
        for source in sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.is_symlink()):
            if source.name.endswith(SKIPPED_SUFFIXES):
                continue  # folded into the database copy by the backup API
            relative = source.relative_to(data_dir)
            target = stage / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            sqlite = _is_sqlite(source)
            if sqlite:
                _copy_sqlite(source, target)
            else:
                shutil.copy2(source, target)
            files.append({"path": relative.as_posix(), "bytes": target.stat().st_size, "sha256": _sha256(target),
                          "sqlite": sqlite})
        manifest = {"format": FORMAT, "version": 1, "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "files": files}
        (Path(staging) / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        partial = Path(staging) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(staging) / MANIFEST, MANIFEST)
            for entry in files:
                archive.add(stage / entry["path"], f"data/{entry['path']}")
        os.replace(partial, out)
    return {"archive": str(out), "files": len(files), "bytes": sum(f["bytes"] for f in files)}


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    member = archive.getmember(MANIFEST) if MANIFEST in archive.getnames() else None
    handle = archive.extractfile(member) if member is not None and member.isfile() else None
    if handle is None:
        raise BackupError(f"not an innobroker backup: {MANIFEST} is missing")
    try:
        manifest = json.loads(handle.read(10 << 20))
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON") from exc
    valid = isinstance(manifest, dict) and manifest.get("format") == FORMAT
    if not valid or not isinstance(manifest.get("files"), list):
        raise BackupError(f"not an innobroker backup: {MANIFEST} has no file list")
    return manifest


def _safe(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] != "data" or len(path.parts) < 2:
        raise BackupError(f"refusing an archive member outside data/: {name!r}")
    return PurePosixPath(*path.parts[1:]).as_posix()


def verify_into(archive_path: Path, staging: Path) -> dict[str, Any]:
    """Extract and check the archive in ``staging`` (its data ends up in ``staging/data``); returns the manifest."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = _manifest(archive)
            expected = {str(f.get("path")): f for f in manifest["files"] if isinstance(f, dict)}
            members = [m for m in archive.getmembers() if m.name != MANIFEST]
            for member in members:
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"refusing a link or device in the archive: {member.name!r}")
                _safe(member.name)
            present = {_safe(m.name) for m in members if m.isfile()}
            if present != set(expected):
                raise BackupError(f"the archive does not match its manifest ({len(present)} files, "
                                  f"{len(expected)} listed)")
            archive.extractall(staging, members=members, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"not a readable backup archive: {exc}") from exc
    for relative, entry in expected.items():
        path = staging / "data" / relative
        if path.stat().st_size != entry.get("bytes") or _sha256(path) != entry.get("sha256"):
            raise BackupError(f"{relative} is damaged (size or SHA-256 differs from the manifest)")
        if entry.get("sqlite") and (problem := _integrity(path)) != "ok":
            raise BackupError(f"{relative} fails SQLite's integrity check: {problem}")
    return manifest


def restore(archive_path: Path, data_dir: Path, force: bool = False) -> dict[str, Any]:
    """Verify the archive, then replace ``data_dir`` with its contents (``force`` to replace a non-empty one)."""
    data_dir = data_dir.resolve()
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())) and not force:
        raise BackupError(f"{data_dir} is not empty: pass --force to replace it")
    if os.path.ismount(data_dir):
        raise BackupError(f"{data_dir} is a mount point and cannot be swapped: restore into a directory inside it "
                          "(--data-dir) and point data_dir there")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=data_dir.parent))
    try:
        manifest = verify_into(archive_path, staging)
        restored = staging / "data"
        restored.mkdir(exist_ok=True)
        if data_dir.exists():
            previous = staging / "previous"
            os.rename(data_dir, previous)
            try:
                os.rename(restored, data_dir)
            except OSError:
                os.rename(previous, data_dir)
                raise
        else:
            os.rename(restored, data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"data_dir": str(data_dir), "files": len(manifest["files"]), "created": manifest.get("created")}


def register(sub: Any) -> None:
    """Add ``backup`` and ``restore`` to the CLI."""
    make = sub.add_parser("backup", help="write the data directory to a verified .tar.gz")
    make.add_argument("--out", type=Path, required=True, help="archive to write, e.g. backup.tar.gz")
    make.add_argument("--json", action="store_true", help="print the result as JSON")
    make.set_defaults(run=run_backup)
    back = sub.add_parser("restore", help="replace the data directory with a backup (stop the server first)")
    back.add_argument("archive", type=Path)
    back.add_argument("--force", action="store_true", help="replace a data directory that is not empty")
    back.add_argument("--json", action="store_true", help="print the result as JSON")
    back.set_defaults(run=run_restore)


def _outside(settings: Settings) -> list[str]:
    notes = []
    if settings.chroma_url:
        notes.append(f"the knowledge store on the Chroma server {settings.chroma_url} is not in the data directory")
    if settings.database_url:
        notes.append("the database at database_url is not in the data directory: back it up with its own tools")
    return notes


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker backup --out FILE.tar.gz"""
    try:
        result = backup(settings.data_dir, args.out)
    except (BackupError, OSError, sqlite3.Error) as exc:
        return fail(f"backup failed: {exc}")
    result["not_included"] = _outside(settings)
    if args.json:
        print_json(result)
    else:
        print(f"backed up {result['files']} files ({result['bytes']} bytes) to {result['archive']}")
        for note in result["not_included"]:
            print(f"note: {note}")
    return 0


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker restore FILE.tar.gz [--force]"""
    try:
        result = restore(args.archive, settings.data_dir, args.force)
    except (BackupError, OSError) as exc:
        return fail(f"restore refused: {exc}", 2 if isinstance(exc, BackupError) else 1)
    if args.json:
        print_json(result)
    else:
        print(f"restored {result['files']} files (backup of {result['created']}) into {result['data_dir']}")
    return 0
