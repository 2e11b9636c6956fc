"""Import the official CPV 2008 code list (CSV or XLSX with CODE and language columns, or a ZIP holding one)."""

from __future__ import annotations

import csv
import io
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bot.db import Database
from bot.matching.cpv import LANGUAGES, normalize_code
from bot.matching.models import CpvCode, DirectoryMeta
from bot.matching.store import chunks


class CpvImportError(ValueError):
    """The file is not a CPV code list we can read."""


@dataclass
class CpvReport:
    """Codes stored and rows skipped (with reasons)."""

    file: str
    codes: int = 0
    rejected: list[dict[str, object]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """JSON form of the report."""
        return {"file": self.file, "codes": self.codes, "rejected": len(self.rejected),
                "rejections": self.rejected[:100]}


def download(url: str, target: Path, timeout: float = 60.0) -> Path:
    """Fetch the CPV list from ``url`` into ``target``; CpvImportError with a clear message when offline."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            target.write_bytes(response.read())
    except OSError as exc:
        raise CpvImportError(f"cannot download the CPV list from {url} ({exc}); download it yourself and run "
                             "`innobroker cpv import FILE`") from exc
    return target


def _rows_from_csv(text: str) -> Iterator[list[str]]:
    dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_from_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many exception types for broken files
        raise CpvImportError(f"unreadable XLSX: {exc}") from exc
    for row in book.worksheets[0].iter_rows(values_only=True):
        yield ["" if v is None else str(v) for v in row]


def read_rows(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV, XLSX or a ZIP archive containing one of them."""
    data = path.read_bytes()
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:  # the file itself is an XLSX workbook
                return _rows_from_xlsx(data)
            inner = next((n for n in names if n.lower().endswith((".xlsx", ".csv", ".xls"))), None)
            if inner is None:
                raise CpvImportError(f"{path.name}: the archive holds no .xlsx or .csv file")
            return read_rows_bytes(archive.read(inner), inner)
    return read_rows_bytes(data, path.name)


def read_rows_bytes(data: bytes, name: str) -> Iterator[list[str]]:
    """Rows of CSV or XLSX content."""
    if data[:2] == b"PK":
        return _rows_from_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise CpvImportError(f"{name} is an old .xls workbook: save it as .xlsx or .csv and import that")
    try:
        return _rows_from_csv(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CpvImportError(f"{name} is neither an XLSX workbook nor UTF-8 CSV") from exc


def import_cpv(database: Database, path: Path) -> CpvReport:
    """Store every code with its da/sv/de/en labels (one transaction); re-importing updates in place."""
    report = CpvReport(file=str(path))
    rows = iter(read_rows(path))
    header = [h.strip().upper() for h in next(rows, [])]
    if not header or header[0] != "CODE":
        raise CpvImportError(f"{path.name}: expected a CODE column first, then language columns such as EN, DA, SV, DE")
    columns = {lang: header.index(lang.upper()) for lang in LANGUAGES if lang.upper() in header}
    if not columns:
        raise CpvImportError(f"{path.name}: no language column among {', '.join(x.upper() for x in LANGUAGES)}")
    values: dict[str, dict[str, str | None]] = {}
    for number, row in enumerate(rows, start=2):
        code = normalize_code(row[0]) if row else None
        if code is None:
            if any(cell.strip() for cell in row):
                report.rejected.append({"row": number, "reason": f"not a CPV code: {row[0]!r}"})
            continue
        values[code] = {lang: (row[i].strip() or None) if i < len(row) else None for lang, i in columns.items()}
    with database.transaction() as session:
        for part in chunks(list(values)):
            session.execute(sa.delete(CpvCode).where(CpvCode.code.in_(part)))
        for part in chunks([{"code": c, **labels} for c, labels in values.items()]):
            session.execute(sa.insert(CpvCode), list(part))
        session.merge(DirectoryMeta(key="cpv_list", value=path.name[:255]))
        session.merge(DirectoryMeta(key="version", value=f"cpv-{len(values)}-{path.stat().st_mtime_ns}"))
    report.codes = len(values)
    return report
