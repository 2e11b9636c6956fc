"""Swedish procurement statistics (Upphandlingsmyndigheten, one row per procurement × lot × winning supplier)."""

from __future__ import annotations

import csv
import io

from bot.matching.records import OrgRecord, ParsedFile, ProcurementRecord, RowError, clean, cpv_list

BUYER, BUYER_ID, TITLE, PROC_ID = "Namn för köpare", "Organisationsnummer för köpare", "Upphandlingens titel", \
    "Upphandlings-ID"
SIGNATURE = (BUYER, BUYER_ID, PROC_ID, "Namn för leverantör")
REDACTED = "personuppgift"
MISSING = "00000000"
_SECTORS = {"kommun": "municipality", "region": "region", "stat": "state", "annat": "other"}
_SIZES = {"mikroföretag": "micro", "små företag": "small", "medelstora företag": "medium", "stora företag": "large"}
_HIERARCHY = ("CPV-Huvudgrupp", "CPV-Grupp", "CPV-Undergrupp", "CPV-Kategori", "CPV-Underkategori",
              "Huvudsaklig CPV-kod")
_SMALL_WORDS = {"kommun", "och", "i", "för", "av", "landsting", "län", "stad"}


def is_se_stats(header: list[str]) -> bool:
    """Whether a CSV header is the statistics' (Swedish column names)."""
    return all(column in header for column in SIGNATURE)


def pretty_name(name: str) -> str:
    """``"GÖTEBORGS KOMMUN"`` → ``"Göteborgs kommun"``; names in mixed case are kept."""
    if name != name.upper():
        return name
    words = [w.lower() if w.lower() in _SMALL_WORDS else w.capitalize() for w in name.split()]
    if words:
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(w.upper() if w.lower() in ("ab", "hb", "kb") else w for w in words)


def _codes(value: str | None) -> list[str]:
    """The code of a "CODE label" cell; "00000000 Uppgift saknas" (information missing) means none."""
    text = clean(value)
    return [] if not text or text.startswith(MISSING) else cpv_list([text])


def parse(text: str) -> ParsedFile:
    """Group rows by procurement; buyers carry org numbers, suppliers are matched by name."""
    parsed = ParsedFile(format="se-procurement-stats")
    reader = csv.DictReader(io.StringIO(text))
    by_id: dict[str, ProcurementRecord] = {}
    for item in reader:
        parsed.rows += 1
        row = reader.line_num
        try:
            record = _procurement(item, row, parsed)
        except RowError as exc:
            parsed.reject(row, str(exc))
            continue
        existing = by_id.get(record.id)
        if existing is None:
            by_id[record.id] = record
            continue
        existing.cpv += [c for c in record.cpv if c not in existing.cpv]
        known = {s.name for s in existing.suppliers if isinstance(s, OrgRecord)}
        existing.suppliers += [s for s in record.suppliers if isinstance(s, OrgRecord) and s.name not in known]
    parsed.procurements = list(by_id.values())
    return parsed


def _procurement(item: dict[str, str], row: int, parsed: ParsedFile) -> ProcurementRecord:
    buyer_name, buyer_id, proc_id = clean(item.get(BUYER)), clean(item.get(BUYER_ID)), clean(item.get(PROC_ID))
    if not buyer_name or not buyer_id:
        raise RowError("missing buyer name or organisation number")
    if not proc_id:
        raise RowError(f"missing {PROC_ID}")
    buyer = OrgRecord(name=pretty_name(buyer_name), kind="buyer", country="SE", national_id=buyer_id,
                      sector=_SECTORS.get(clean(item.get("Sektor för köpare")).lower())).validate()
    main = _codes(item.get("Huvudsaklig CPV-kod"))
    for column in _HIERARCHY:
        value = clean(item.get(column))
        codes = _codes(value)
        if codes and " " in value:
            parsed.cpv_labels.setdefault(codes[0], {})["sv"] = value.split(" ", 1)[1]
    suppliers: list[str | OrgRecord] = []
    supplier = clean(item.get("Namn för leverantör"))
    if supplier.lower() == REDACTED:
        parsed.warnings.append(f"row {row}: supplier redacted ('Personuppgift'), award kept without supplier")
    elif supplier:
        suppliers.append(OrgRecord(
            name=pretty_name(supplier), kind="supplier",
            country="SE" if clean(item.get("Juridisk form för leverantör")) else None,
            size=_SIZES.get(clean(item.get("Företagsstorlek för leverantör")).lower())).validate())
    published = clean(item.get("Publiceringsdatum"))[:10] or None
    return ProcurementRecord(
        id=f"se-{buyer_id}-{proc_id}", buyer=buyer, title=clean(item.get(TITLE)), cpv=main,
        published=published, procedure=clean(item.get("Förfarande")) or None,
        innovation=clean(item.get("Innovationsupphandling")) in ("1.0", "1", "True"), suppliers=suppliers,
        language="sv", row=row,
    ).validate()
