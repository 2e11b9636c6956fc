"""Directory operations: import files (one transaction each), status, and the sample directory on first use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bot.db import Database
from bot.matching.importers.detect import ImportFileError, expand, read_file
from bot.matching.models import DirectoryMeta, Organization, Procurement
from bot.matching.store import DirectoryWriter
from bot.matching.types import FileReport, ImportReport

MAX_REJECTIONS_LISTED = 200
SAMPLE_ORDER = ("organizations", "procurements", "solutions", "needs")


class StrictImportError(ValueError):
    """Raised inside the transaction to roll back a file that had rejected rows under --strict."""


def import_files(
    database: Database, paths: list[Path], strict: bool = False, progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import every file in its own transaction; a failing file leaves nothing behind."""
    report = ImportReport()
    for path in expand(paths):
        if progress:
            progress(str(path))
        report.files.append(import_one(database, path, strict))
    return report


def import_one(database: Database, path: Path, strict: bool = False) -> FileReport:
    """Parse and store one file; on any error the file's transaction is rolled back."""
    file_report = FileReport(file=str(path))
    try:
        parsed = read_file(path)
        file_report.format = parsed.format
        with database.transaction() as session:
            file_report.counts = DirectoryWriter(session, parsed.format).write(parsed)
            if strict and parsed.rejected:
                raise StrictImportError(f"{len(parsed.rejected)} rejected rows (--strict): nothing imported")
    except (ImportFileError, StrictImportError) as exc:
        file_report.status, file_report.error = "failed", str(exc)
    except sa.exc.SQLAlchemyError as exc:
        file_report.status = "failed"
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        file_report.error = f"database error, nothing imported from {path.name}: {reason}"
    else:
        parsed.rejected.sort(key=lambda r: r.row)
    if file_report.format != "unknown":
        file_report.accepted = parsed.accepted if file_report.status == "imported" else 0
        file_report.rejected = [{"row": r.row, "reason": r.reason} for r in parsed.rejected[:MAX_REJECTIONS_LISTED]]
        file_report.warnings = len(parsed.warnings)
    return file_report


def directory_version(database: Database) -> str | None:
    """A token that changes with every import (None for a never-imported directory)."""
    with database.transaction() as session:
        row = session.get(DirectoryMeta, "version")
        return row.value if row else None


def counts(database: Database) -> dict[str, int]:
    """Number of organisations and procurements in the directory."""
    with database.transaction() as session:
        orgs = session.scalar(sa.select(sa.func.count()).select_from(Organization)) or 0
        procurements = session.scalar(sa.select(sa.func.count()).select_from(Procurement)) or 0
    return {"organizations": int(orgs), "procurements": int(procurements)}


def ensure_sample(database: Database, directory_dir: Path) -> ImportReport | None:
    """On an empty directory, import the shipped sample directory; otherwise do nothing (replicas starting together
    take turns, so only the first imports)."""
    with database.exclusive("sample-directory"):
        if counts(database)["organizations"]:
            return None
        files = sorted(directory_dir.glob("*.jsonl"), key=lambda p: (SAMPLE_ORDER.index(p.stem)
                                                                      if p.stem in SAMPLE_ORDER else 99, p.name))
        return import_files(database, files)
