"""Open Contracting Data Standard release and record packages (JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.matching.importers.eforms import ALPHA3
from bot.matching.records import OrgRecord, ParsedFile, ProcurementRecord, RowError, clean, cpv_list

_COUNTRY_NAMES = {"sweden": "SE", "sverige": "SE", "denmark": "DK", "danmark": "DK", "germany": "DE",
                  "deutschland": "DE", "norway": "NO", "norge": "NO", "finland": "FI", "suomi": "FI",
                  "united kingdom": "GB", "netherlands": "NL", "france": "FR", "austria": "AT", "österreich": "AT"}
_SIZES = {"micro": "micro", "small": "small", "medium": "medium", "large": "large", "sme": None}


def _obj(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a field of the wrong type counts as missing)."""
    return value if isinstance(value, Mapping) else {}


def _objs(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects in ``value`` when it is a list, else none."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def is_ocds(document: object) -> bool:
    """Whether a parsed JSON document is an OCDS release or record package."""
    return isinstance(document, Mapping) and ("releases" in document or "records" in document)


def parse(document: Mapping[str, Any]) -> ParsedFile:
    """Each release (or each record's compiled release) becomes one procurement."""
    parsed = ParsedFile(format="ocds-record-package" if "records" in document else "ocds-release-package")
    items = document.get("records") if "records" in document else document.get("releases")
    if not isinstance(items, list):
        raise ValueError("OCDS package: 'releases' or 'records' must be a list")
    for number, item in enumerate(items, start=1):
        parsed.rows += 1
        try:
            release = _release(item) if "records" in document else item
            parsed.procurements.append(_procurement(release, number))
        except RowError as exc:
            parsed.reject(number, str(exc))
    return parsed


def _release(record: Any) -> Mapping[str, Any]:
    if not isinstance(record, Mapping):
        raise RowError("record must be an object")
    if isinstance(record.get("compiledRelease"), Mapping):
        return record["compiledRelease"]
    releases = [r for r in _objs(record.get("releases")) if "tag" in r]
    if not releases:
        raise RowError("record has neither a compiledRelease nor embedded releases")
    return sorted(releases, key=lambda r: str(r.get("date", "")))[-1]


def _country(party: Mapping[str, Any]) -> str | None:
    address = _obj(party.get("address"))
    name = clean(address.get("countryName")).lower()
    if name in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[name]
    if len(name) == 2:
        return name.upper()
    if name.upper() in ALPHA3:
        return ALPHA3[name.upper()]
    scheme = clean(_obj(party.get("identifier")).get("scheme"))
    return scheme[:2].upper() if len(scheme) > 3 and scheme[2] == "-" else None


def _org(party: Mapping[str, Any], kind: str) -> OrgRecord:
    details, identifier, address = (_obj(party.get(key)) for key in ("details", "identifier", "address"))
    return OrgRecord(
        name=clean(party.get("name")), kind=kind, country=_country(party),
        region=clean(address.get("region") or address.get("locality")) or None,
        national_id=clean(identifier.get("id")) or None, size=_SIZES.get(clean(details.get("scale")).lower()),
    ).validate()


def _procurement(release: Any, number: int) -> ProcurementRecord:
    if not isinstance(release, Mapping):
        raise RowError("release must be an object")
    parties = {clean(p.get("id")): p for p in _objs(release.get("parties"))}
    buyer_ref = _obj(release.get("buyer"))
    buyer_party = parties.get(clean(buyer_ref.get("id"))) or next(
        (p for p in parties.values() if isinstance(p.get("roles"), list) and "buyer" in p["roles"]), buyer_ref)
    if not clean(buyer_party.get("name")):
        raise RowError("release names no buyer")
    tender = _obj(release.get("tender"))
    awards = _objs(release.get("awards"))
    title = clean(tender.get("title")) or next((clean(a.get("title")) for a in awards if a.get("title")), "")
    codes: list[str] = []
    for holder in [tender, *awards]:
        for item in _objs(holder.get("items")):
            for classification in [_obj(item.get("classification")), *_objs(item.get("additionalClassifications"))]:
                if clean(classification.get("scheme")).upper() == "CPV" and classification.get("id"):
                    codes.append(str(classification["id"]))
    suppliers: list[str | OrgRecord] = []
    for award in awards:
        if clean(award.get("status")) in ("cancelled", "unsuccessful"):
            continue
        for ref in _objs(award.get("suppliers")):
            party = parties.get(clean(ref.get("id"))) or ref
            if clean(party.get("name")) and clean(party.get("name")) not in {
                    s.name for s in suppliers if isinstance(s, OrgRecord)}:
                suppliers.append(_org(party, "supplier"))
    date = clean(tender.get("datePublished") or _obj(tender.get("tenderPeriod")).get("startDate")
                 or release.get("date"))
    return ProcurementRecord(
        id=clean(release.get("ocid")) or clean(release.get("id")), buyer=_org(buyer_party, "buyer"), title=title,
        description=clean(tender.get("description")), cpv=cpv_list(codes), published=date[:10] or None,
        procedure=clean(tender.get("procurementMethodDetails") or tender.get("procurementMethod")) or None,
        suppliers=suppliers, language=clean(release.get("language"))[:2].lower() or None, row=number,
    ).validate()
