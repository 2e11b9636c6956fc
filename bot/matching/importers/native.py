"""The native directory format: JSONL (one record per line, ``"type"`` says which) or CSV (the header says which)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from typing import Any

from bot.matching.records import (
    NeedRecord,
    OrgRecord,
    ParsedFile,
    ProcurementRecord,
    RowError,
    SolutionRecord,
    clean,
    cpv_list,
    text_list,
)

TYPES = ("organization", "procurement", "solution", "need")


def parse_bool(value: object) -> bool:
    """JSON booleans or CSV ``true/false/yes/no/1/0`` (empty = false)."""
    if isinstance(value, bool):
        return value
    text = clean(value).lower()
    if text in ("true", "yes", "ja", "1", "1.0"):
        return True
    if text in ("false", "no", "nej", "0", "0.0", "", "none"):
        return False
    raise RowError(f"expected true or false, not {value!r}")


def _year(value: object) -> int | None:
    text = clean(value)
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise RowError(f"year must be a number, not {value!r}") from None


def _required(item: Mapping[str, Any], key: str) -> str:
    value = clean(item.get(key))
    if not value:
        raise RowError(f"missing {key!r}")
    return value


def record_type(item: Mapping[str, Any]) -> str:
    """The record's ``type``, or one inferred from its fields (``kind`` → organization, ``buyer`` → procurement)."""
    declared = clean(item.get("type")).lower()
    if declared:
        if declared not in TYPES:
            raise RowError(f"unknown type {declared!r} (expected one of {', '.join(TYPES)})")
        return declared
    if "kind" in item:
        return "organization"
    if "buyer" in item and "title" in item:
        return "procurement"
    raise RowError('missing "type" (organization, procurement, solution or need)')


def organization(item: Mapping[str, Any]) -> OrgRecord:
    """An organisation from a native record."""
    contact = item.get("contact") or {}
    if not isinstance(contact, Mapping):
        raise RowError("contact must be an object with name and email")
    return OrgRecord(
        id=_required(item, "id"), name=_required(item, "name"), kind=clean(item.get("kind")).lower(),
        country=clean(item.get("country")) or None, region=clean(item.get("region")) or None,
        sector=clean(item.get("sector")) or None, description=clean(item.get("description")),
        cpv=cpv_list(item.get("cpv")), size=clean(item.get("size")).lower() or None,
        website=clean(item.get("website")) or None, languages=text_list(item.get("languages")),
        networks=text_list(item.get("networks")),
        contact_name=clean(contact.get("name") or item.get("contact_name")) or None,
        contact_email=clean(contact.get("email") or item.get("contact_email")) or None,
        contact_consent=parse_bool(item.get("contact_consent")),
        national_id=clean(item.get("national_id")) or None,
    ).validate()


def procurement(item: Mapping[str, Any], row: int) -> ProcurementRecord:
    """A past procurement from a native record (buyer and suppliers are organisation ids)."""
    return ProcurementRecord(
        id=_required(item, "id"), buyer=_required(item, "buyer"), title=_required(item, "title"),
        description=clean(item.get("description")), cpv=cpv_list(item.get("cpv")), year=_year(item.get("year")),
        published=clean(item.get("published")) or None, procedure=clean(item.get("procedure")) or None,
        innovation=parse_bool(item.get("innovation")), suppliers=list(text_list(item.get("suppliers"))),
        language=clean(item.get("language")) or None, row=row,
    ).validate()


def add_record(parsed: ParsedFile, item: Any, row: int) -> None:
    """Validate one native record and add it to ``parsed`` (or reject it with the reason)."""
    parsed.rows += 1
    try:
        if not isinstance(item, Mapping):
            raise RowError("expected a JSON object")
        kind = record_type(item)
        if kind == "organization":
            parsed.organizations.append(organization(item))
        elif kind == "procurement":
            parsed.procurements.append(procurement(item, row))
        elif kind == "solution":
            parsed.solutions.append(SolutionRecord(
                id=_required(item, "id"), supplier=_required(item, "supplier"), title=_required(item, "title"),
                description=clean(item.get("description")), cpv=cpv_list(item.get("cpv")), row=row))
        else:
            parsed.needs.append(NeedRecord(
                id=_required(item, "id"), buyer=_required(item, "buyer"), title=_required(item, "title"),
                description=clean(item.get("description")), cpv=cpv_list(item.get("cpv")),
                status=clean(item.get("status")) or "open", row=row))
    except RowError as exc:
        parsed.reject(row, str(exc))


def parse_jsonl(text: str) -> ParsedFile:
    """Native JSONL: one record per line."""
    parsed = ParsedFile(format="native-jsonl")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.rows += 1
            parsed.reject(number, f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        add_record(parsed, item, number)
    return parsed


def parse_json_array(items: list[Any]) -> ParsedFile:
    """A JSON array of native records."""
    parsed = ParsedFile(format="native-json")
    for number, item in enumerate(items, start=1):
        add_record(parsed, item, number)
    return parsed


def parse_csv(text: str) -> ParsedFile:
    """Native CSV: a ``type`` column, or a header that shows the record type; lists are ``;``-separated."""
    parsed = ParsedFile(format="native-csv")
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    default = _header_type(header)
    if default is None and "type" not in header:
        raise ValueError("the CSV header names no record type: add a 'type' column, or use the documented columns")
    for item in reader:
        row = {k.strip().lower(): v for k, v in item.items() if k}
        if default and not clean(row.get("type")):
            row["type"] = default
        add_record(parsed, row, reader.line_num)
    return parsed


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _header_type(header: list[str]) -> str | None:
    if "type" in header:
        return None
    checks: list[tuple[str, Callable[[list[str]], bool]]] = [
        ("organization", lambda h: "kind" in h),
        ("procurement", lambda h: "buyer" in h and "suppliers" in h),
        ("solution", lambda h: "supplier" in h),
        ("need", lambda h: "buyer" in h),
    ]
    for kind, check in checks:
        if check(header):
            return kind
    return None
