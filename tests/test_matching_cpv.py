"""CPV codes: hierarchy helpers, the shipped divisions, and importing the official list (CSV, XLSX, ZIP, download)."""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import bot.matching.models  # noqa: F401
from bot.cli import main
from bot.db import Database
from bot.matching.cpv import DIVISIONS, DIVISIONS_FILE, CpvCatalog, ancestors, level, normalize_code, similarity
from bot.matching.cpv_import import CpvImportError, import_cpv

ROWS = [["CODE", "EN", "DA", "SV", "DE"],
        ["90500000-2", "Refuse and waste related services", "Tjenesteydelser i forbindelse med affald",
         "Avfallstjänster", "Dienstleistungen im Zusammenhang mit Abfällen"],
        ["90511000-2", "Refuse collection services", "Indsamling af affald", "Sophämtning", "Abholung von Abfällen"],
        ["not a code", "x", "x", "x", "x"]]


def test_code_helpers() -> None:
    assert normalize_code("90500000-2") == "90500000"
    assert normalize_code("45453100 Renoveringsarbeten") == "45453100"
    assert normalize_code("3000000-1") == "03000000"  # a spreadsheet lost the leading zero
    assert normalize_code("12000000") is None and normalize_code("905") is None and normalize_code("x") is None
    assert level("90500000") == 3 and level("45000000") == 2 and level("90511200") == 6
    assert ancestors("90511000") == ["90511000", "90510000", "90500000", "90000000"]
    assert similarity("90500000", "90511000") == 1.0  # an ancestor covers its branch
    assert similarity("90510000", "90520000") == 0.6  # same group
    assert similarity("90000000", "90511000") == 0.7  # division only
    assert similarity("90511000", "90610000") == 0.4
    assert similarity("90511000", "45000000") == 0.0


def test_shipped_divisions_cover_all_45_in_four_languages() -> None:
    with DIVISIONS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 45
    assert {r["CODE"][:2] for r in rows} == DIVISIONS
    assert all(r[lang].strip() for r in rows for lang in ("EN", "DA", "SV", "DE"))
    catalog = CpvCatalog.load()
    assert catalog.label("90511000", "sv").startswith("Avlopps")  # falls back to the division
    assert catalog.describe("90511000", "de").startswith("90000000 Abwasser")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite directory database."""
    db = Database(f"sqlite:///{tmp_path / 'cpv.sqlite'}")
    yield db
    db.dispose()


def test_import_csv_is_idempotent_and_reports_bad_rows(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "cpv.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(ROWS)
    report = import_cpv(database, path)
    assert report.codes == 2 and report.rejected == [{"row": 4, "reason": "not a CPV code: 'not a code'"}]
    assert import_cpv(database, path).codes == 2
    with database.transaction() as session:
        catalog = CpvCatalog.load(session)
    assert catalog.label("90511000", "sv") == "Sophämtning"
    assert catalog.describe("90511100", "en") == "90511000 Refuse collection services"


def test_import_xlsx_and_zip(database: Database, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in ROWS[:3]:
        book.active.append(row)
    xlsx = tmp_path / "cpv_2008.xlsx"
    book.save(xlsx)
    assert import_cpv(database, xlsx).codes == 2
    archive = tmp_path / "cpv_2008_xls.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(xlsx, "cpv_2008.xlsx")
    assert import_cpv(database, archive).codes == 2


def test_unreadable_lists_give_clear_errors(database: Database, tmp_path: Path) -> None:
    old = tmp_path / "cpv.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(CpvImportError, match=r"old \.xls workbook"):
        import_cpv(database, old)
    no_code = tmp_path / "labels.csv"
    no_code.write_text("EN,DA\nx,y\n", encoding="utf-8")
    with pytest.raises(CpvImportError, match="expected a CODE column"):
        import_cpv(database, no_code)
    empty_zip = tmp_path / "x.zip"
    with zipfile.ZipFile(empty_zip, "w") as handle:
        handle.writestr("readme.txt", "nothing")
    with pytest.raises(CpvImportError, match=r"holds no \.xlsx or \.csv"):
        import_cpv(database, empty_zip)


def test_official_list_from_shared_data(database: Database, shared_data: Path) -> None:
    report = import_cpv(database, shared_data / "cpv-2008" / "cpv_2008_all_languages.csv")
    assert report.codes == 9454 and not report.rejected
    with database.transaction() as session:
        catalog = CpvCatalog.load(session)
    assert catalog.label("90500000", "sv") == "Avfallstjänster"
    assert catalog.label("90511000", "en") == "Refuse collection services"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server publishing a zipped CPV list; yields its URL."""
    folder = tmp_path / "www"
    folder.mkdir()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(ROWS[:3])
    with zipfile.ZipFile(folder / "cpv_2008.zip", "w") as handle:
        handle.writestr("cpv_2008.csv", buffer.getvalue())

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cpv_2008.zip"
    server.shutdown()
    server.server_close()


def test_cli_downloads_the_list_or_explains_why_not(
    tmp_path: Path, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path / "d"), "cpv", "import", "--url", served, "--json"]) == 0
    assert '"codes": 2' in capsys.readouterr().out
    missing = served.rsplit("/", 1)[0] + "/missing.zip"
    assert main(["--data-dir", str(tmp_path / "d"), "cpv", "import", "--url", missing]) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]  # after the "downloading …" progress line
    assert error.startswith("innobroker: cannot download the CPV list") and "cpv import FILE" in error
