"""TED eForms notices (UBL 2.3, SDK 1.x): buyer, title, CPV codes and, in result notices, the winners."""

from __future__ import annotations

from typing import Any

from bot.matching.records import OrgRecord, ParsedFile, ProcurementRecord, RowError, clean, cpv_list

ROOTS = ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice")
SIZES = {"micro": "micro", "small": "small", "medium": "medium", "large": "large", "sme": None}
# ISO 3166 alpha-3 → alpha-2 for the countries that publish on TED (EU, EEA, candidates, neighbours).
ALPHA3 = dict(pair.split(":") for pair in (
    "AUT:AT BEL:BE BGR:BG HRV:HR CYP:CY CZE:CZ DNK:DK EST:EE FIN:FI FRA:FR DEU:DE GRC:GR HUN:HU IRL:IE ITA:IT "
    "LVA:LV LTU:LT LUX:LU MLT:MT NLD:NL POL:PL PRT:PT ROU:RO SVK:SK SVN:SI ESP:ES SWE:SE ISL:IS LIE:LI NOR:NO "
    "CHE:CH GBR:GB SRB:RS MKD:MK MNE:ME ALB:AL BIH:BA TUR:TR UKR:UA MDA:MD GEO:GE USA:US"
).split())


def _local(node: Any) -> str:
    return str(node.tag).split("}")[-1]


def _kids(node: Any, name: str) -> list[Any]:
    return [c for c in node if isinstance(c.tag, str) and _local(c) == name] if node is not None else []


def _kid(node: Any, *path: str) -> Any:
    for name in path:
        found = _kids(node, name)
        node = found[0] if found else None
    return node


def _deep(node: Any, name: str) -> list[Any]:
    return list(node.iter(f"{{*}}{name}")) if node is not None else []


def _text(node: Any) -> str:
    return clean(node.text) if node is not None and node.text else ""


def _organizations(root: Any) -> dict[str, dict[str, Any]]:
    orgs: dict[str, dict[str, Any]] = {}
    for company in _deep(root, "Company"):
        org_id = _text(_kid(company, "PartyIdentification", "ID"))
        address = _kid(company, "PostalAddress")
        orgs[org_id] = {
            "name": _text(_kid(company, "PartyName", "Name")),
            "national_id": _text(_kid(company, "PartyLegalEntity", "CompanyID")) or None,
            "country": ALPHA3.get(_text(_kid(address, "Country", "IdentificationCode"))),
            "region": _text(_kid(address, "CityName")) or None,
            "website": _text(_kid(company, "WebsiteURI")) or None,
            "size": SIZES.get(_text(_kid(company, "CompanySizeCode"))),
        }
    return orgs


def _winner_ids(root: Any) -> list[str]:
    """Tenderers of the tenders that a lot result selected as winning."""
    result = next(iter(_deep(root, "NoticeResult")), None)
    if result is None:
        return []
    parties = {_text(_kid(p, "ID")): [_text(_kid(t, "ID")) for t in _kids(p, "Tenderer")]
               for p in _kids(result, "TenderingParty")}
    tenders = {_text(_kid(t, "ID")): _text(_kid(t, "TenderingParty", "ID")) for t in _kids(result, "LotTender")}
    winners: list[str] = []
    for lot in _kids(result, "LotResult"):
        if _text(_kid(lot, "TenderResultCode")) not in ("", "selec-w"):
            continue
        for tender in _kids(lot, "LotTender"):
            for org_id in parties.get(tenders.get(_text(_kid(tender, "ID")), ""), []):
                if org_id not in winners:
                    winners.append(org_id)
    return winners


def parse(root: Any) -> ParsedFile:
    """One eForms notice → one procurement."""
    parsed = ParsedFile(format="eforms", rows=1)
    try:
        parsed.procurements.append(_notice(root))
    except RowError as exc:
        parsed.reject(1, str(exc))
    return parsed


def _notice(root: Any) -> ProcurementRecord:
    orgs = _organizations(root)

    def record(org_id: str, kind: str) -> OrgRecord | None:
        data = orgs.get(org_id) or {}
        if not data.get("name"):
            return None
        return OrgRecord(kind=kind, **data).validate()

    buyer_id = _text(_kid(root, "ContractingParty", "Party", "PartyIdentification", "ID"))
    buyer = record(buyer_id, "buyer")
    if buyer is None:
        raise RowError("notice names no buyer organisation")
    buyer.size = None
    project = _kid(root, "ProcurementProject")
    title = _text(_kid(project, "Name"))
    if not title:
        raise RowError("notice has no title")
    projects = [project, *[_kid(lot, "ProcurementProject") for lot in _kids(root, "ProcurementProjectLot")]]
    codes = [_text(c) for p in projects for c in _deep(p, "ItemClassificationCode") if c.get("listName") == "cpv"]
    published = _text(next(iter(_deep(root, "PublicationDate")), None)) or _text(_kid(root, "IssueDate"))
    publication = _text(next(iter(_deep(root, "NoticePublicationID")), None)).lstrip("0")
    language = _text(_kid(root, "NoticeLanguageCode")).lower()
    winners = [w for w in (record(i, "supplier") for i in _winner_ids(root)) if w is not None]
    return ProcurementRecord(
        id=f"ted-{publication or _text(_kid(root, 'ID'))}", buyer=buyer, title=title,
        description=_text(_kid(project, "Description")), cpv=cpv_list([c for c in codes if c]),
        published=published[:10] or None, procedure=_text(_kid(root, "TenderingProcess", "ProcedureCode")) or None,
        innovation="innovation" in _text(_kid(root, "TenderingProcess", "ProcedureCode")),
        suppliers=list(winners), language={"swe": "sv", "dan": "da", "deu": "de", "eng": "en"}.get(language), row=1,
    ).validate()
