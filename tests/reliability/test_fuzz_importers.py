"""Fuzz the directory importers (native JSONL/CSV, OCDS, TED XML, eForms, the Swedish statistics) through the one
entry point that reads outside files: any input yields parsed records (bad rows rejected with a reason) or an
``ImportFileError`` with a reason, never another exception."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import PROJECT_ROOT
from bot.matching.importers.detect import ImportFileError, read_file
from bot.matching.importers.se_stats import SIGNATURE
from bot.matching.records import ParsedFile
from tests.conftest import SHARED_DATA
from tests.reliability.fuzzing import JSON, keyed, mutated
from tests.test_matching_import import EFORMS_CAN, RELEASE, TED_F03

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])
NATIVE_KEYS = ["type", "id", "name", "kind", "country", "region", "cpv", "languages", "contact", "contact_name",
               "contact_email", "contact_consent", "buyer", "title", "year", "suppliers", "innovation", "size",
               "sector", "national_id", "description", "organization", "published", "value"]
RELEASE_KEYS = ["ocid", "id", "date", "tag", "language", "buyer", "parties", "tender", "awards", "contracts"]
SAMPLES_PER_FORMAT = 6


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def _seeds() -> list[tuple[str, bytes]]:
    """Small valid files of every format, plus real TED and eForms notices when the shared data is present."""
    seeds = [(".xml", EFORMS_CAN.encode()), (".xml", TED_F03.encode()),
             (".json", json.dumps({"uri": "x", "releases": [RELEASE]}).encode()),
             (".json", json.dumps({"records": [{"ocid": "ocds-abc-001", "compiledRelease": RELEASE}]}).encode()),
             (".csv", b"id,buyer,title,cpv,year,suppliers,innovation\np1,Uppsala kommun,Cleaning,90911000,2021,"
                      b"Sortera AB;Ren AB,true\n"),
             (".csv", _csv([[*SIGNATURE, "Huvudsaklig CPV-kod", "Upphandlingens titel"],
                            ["UPPSALA KOMMUN", "2120003005", "UP1", "Sortera AB", "90511000 Sophämtning", "Sop"]]))]
    for name in ("organizations", "procurements", "solutions", "needs"):
        lines = (PROJECT_ROOT / "corpus" / "directory" / f"{name}.jsonl").read_bytes().splitlines()[:3]
        seeds.append((".jsonl", b"\n".join(lines) + b"\n"))
    for folder in ("ted-xml", "ted-eforms"):
        found = sorted(p for p in (SHARED_DATA / folder).rglob("*.xml") if p.stat().st_size < 80_000)
        seeds += [(".xml", p.read_bytes()) for p in found[:SAMPLES_PER_FORMAT]]
    return seeds


SEEDS = _seeds()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-import-") as folder:
        yield Path(folder)


def check(workdir: Path, suffix: str, data: bytes) -> ParsedFile | None:
    """Import ``data`` as a file: parsed records or a clear ImportFileError, nothing else."""
    path = workdir / f"input{suffix}"
    path.write_bytes(data)
    try:
        parsed = read_file(path)
    except ImportFileError as exc:
        assert str(exc).strip()
        return None
    assert isinstance(parsed, ParsedFile)
    assert all(reject.reason for reject in parsed.rejected)
    return parsed


def test_the_seeds_parse(workdir: Path) -> None:
    parsed = [check(workdir, suffix, data) for suffix, data in SEEDS]
    assert all(p is not None and p.accepted > 0 for p in parsed), parsed  # the mutations start from good files


@FUZZ
@given(sample=mutated(SEEDS))
def test_mutated_real_files_never_crash_an_importer(workdir: Path, sample: tuple[str, bytes]) -> None:
    check(workdir, *sample)


@FUZZ
@given(suffix=st.sampled_from([".xml", ".json", ".jsonl", ".csv"]),
       data=st.binary(max_size=400) | st.builds(lambda head, tail: head + tail, st.sampled_from(
           [b"<TED_EXPORT>", b'<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">',
            b"{", b"[", b"\xef\xbb\xbf", b"id,name,kind\n", b",".join(s.encode() for s in SIGNATURE) + b"\n"]),
           st.binary(max_size=300)))
def test_random_bytes_never_crash_an_importer(workdir: Path, suffix: str, data: bytes) -> None:
    check(workdir, suffix, data)


@FUZZ
@given(document=JSON | st.lists(keyed(NATIVE_KEYS), max_size=5)
       | st.fixed_dictionaries({"releases": st.lists(keyed(RELEASE_KEYS), max_size=4) | JSON})
       | st.fixed_dictionaries({"records": st.lists(keyed(["ocid", "compiledRelease", "releases"],
                                                         keyed(RELEASE_KEYS) | JSON), max_size=3) | JSON}),
       lines=st.booleans())
def test_any_json_never_crashes_the_native_and_ocds_importers(workdir: Path, document: Any, lines: bool) -> None:
    if lines and isinstance(document, list):
        data = "\n".join(json.dumps(item) for item in document) + "\n"
    else:
        data = json.dumps(document)
    check(workdir, ".jsonl" if lines else ".json", data.encode())


@FUZZ
@given(header=st.lists(st.sampled_from(NATIVE_KEYS) | st.text(max_size=8), min_size=1, max_size=8),
       rows=st.lists(st.lists(st.text(max_size=20), max_size=9), max_size=5))
def test_any_csv_never_crashes_the_native_importer(workdir: Path, header: list[str], rows: list[list[str]]) -> None:
    check(workdir, ".csv", _csv([header, *rows]))
