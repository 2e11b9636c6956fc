"""Recognise a directory file's format from its content and hand it to the right importer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from lxml import etree

from bot.matching.importers import eforms, native, ocds, se_stats, ted
from bot.matching.records import ParsedFile

SUFFIXES = (".jsonl", ".json", ".csv", ".xml", ".ndjson")


class ImportFileError(ValueError):
    """A whole file cannot be imported (unreadable, malformed or of an unknown format)."""


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to the importable files inside them (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            files.append(path)
    return files


def read_file(path: Path) -> ParsedFile:
    """Parse one file in whichever supported format it holds; raise ImportFileError when it cannot."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ImportFileError(f"{path.name} is empty")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    try:
        if head == b"<":
            return _xml(data, path)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(f"{path.name} is neither UTF-8 text nor XML") from None
        if head in (b"{", b"["):
            return _json(text, path)
        return _csv(text, path)
    except ImportFileError:
        raise
    except (ValueError, csv.Error) as exc:  # csv.Error: a CSV the reader cannot split (stray carriage returns …)
        raise ImportFileError(f"{path.name}: {exc}") from exc


def _xml(data: bytes, path: Path) -> ParsedFile:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportFileError(f"{path.name} is not well-formed XML: {exc}") from exc
    name = etree.QName(root).localname
    if name == "TED_EXPORT":
        return ted.parse(root)
    if name in eforms.ROOTS:
        return eforms.parse(root)
    raise ImportFileError(f"{path.name}: unsupported XML root <{name}> (expected TED XML R2.0.9 or eForms)")


def _json(text: str, path: Path) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if len([line for line in text.splitlines() if line.strip()]) > 1:
            return native.parse_jsonl(text)
        raise ImportFileError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if ocds.is_ocds(document):
        return ocds.parse(document)
    if isinstance(document, list):
        return native.parse_json_array(document)
    if isinstance(document, dict):
        return native.parse_jsonl(text.replace("\n", " "))
    raise ImportFileError(f"{path.name}: expected an OCDS package, a native record or a list of records")


def _csv(text: str, path: Path) -> ParsedFile:
    header = next(csv.reader(io.StringIO(text)), [])
    if se_stats.is_se_stats(header):
        return se_stats.parse(text)
    if header and header[0].strip().upper() == "CODE" and {"EN", "DA", "SV", "DE"} & {h.upper() for h in header}:
        raise ImportFileError(f"{path.name} is a CPV code list: import it with `innobroker cpv import`")
    if len(header) < 2:
        raise ImportFileError(f"{path.name}: unrecognised format (expected native JSONL/CSV, OCDS JSON, TED or "
                              "eForms XML, or the Swedish procurement statistics CSV)")
    return native.parse_csv(text)
