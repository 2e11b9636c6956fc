"""TED notices in the TED XML schema R2.0.9 (``TED_EXPORT``): buyer, title, CPV codes and awarded contractors."""

from __future__ import annotations

from typing import Any

from bot.matching.records import OrgRecord, ParsedFile, ProcurementRecord, RowError, clean, cpv_list

_INNOVATION_PROCEDURES = ("PT_INNOVATION_PARTNERSHIP",)


def _text(node: Any) -> str:
    return clean(" ".join(node.itertext())) if node is not None else ""


def _all(node: Any, tag: str) -> list[Any]:
    return list(node.iter(f"{{*}}{tag}")) if node is not None else []


def _first(node: Any, tag: str) -> Any:
    return next(iter(node.iter(f"{{*}}{tag}")), None) if node is not None else None


def _children(node: Any) -> list[Any]:
    return [child for child in node if isinstance(child.tag, str)] if node is not None else []


def _org(address: Any, kind: str) -> OrgRecord | None:
    name = _text(_first(address, "OFFICIALNAME"))
    if not name:
        return None
    country = _first(address, "COUNTRY")
    code = country.get("VALUE") if country is not None else None
    return OrgRecord(
        name=name, kind=kind, country="GB" if code == "UK" else code, region=_text(_first(address, "TOWN")) or None,
        national_id=_text(_first(address, "NATIONALID")) or None, website=_text(_first(address, "URL_GENERAL")) or None,
    ).validate()


def parse(root: Any) -> ParsedFile:
    """One notice → one procurement with its buyer and (for award notices) its winners."""
    parsed = ParsedFile(format="ted-xml", rows=1)
    try:
        parsed.procurements.append(_notice(root, parsed))
    except RowError as exc:
        parsed.reject(1, str(exc))
    return parsed


def _notice(root: Any, parsed: ParsedFile) -> ProcurementRecord:
    section = _first(root, "FORM_SECTION")
    forms = [f for f in _children(section) if f.get("CATEGORY")]
    form = next((f for f in forms if f.get("CATEGORY") == "ORIGINAL"), forms[0] if forms else None)
    if form is None:
        raise RowError("notice has no form section")
    buyer = _org(_first(form, "ADDRESS_CONTRACTING_BODY"), "buyer")
    if buyer is None:
        raise RowError("notice names no contracting body")
    region = _first(root, "CA_CE_NUTS")
    if region is not None and _text(region):
        buyer.region = _text(region)
    obj = _first(form, "OBJECT_CONTRACT")
    title = _text(_first(obj, "TITLE")) or _text(_first(form, "TITLE"))
    if not title:
        raise RowError("notice has no title")
    main = _first(_first(obj, "CPV_MAIN"), "CPV_CODE")
    codes = [main.get("CODE")] if main is not None else []
    codes += [c.get("CODE") for c in _all(obj, "CPV_ADDITIONAL") for c in _all(c, "CPV_CODE")]
    for original in _all(_first(root, "NOTICE_DATA"), "ORIGINAL_CPV"):
        label = _text(original)
        if label and original.get("CODE"):
            parsed.cpv_labels.setdefault(original.get("CODE"), {})["en"] = label
    winners: list[str | OrgRecord] = []
    for tag in ("ADDRESS_CONTRACTOR", "ADDRESS_WINNER"):
        for address in _all(form, tag):
            org = _org(address, "supplier")
            if org is not None and org.name not in {w.name for w in winners if isinstance(w, OrgRecord)}:
                winners.append(org)
    date = _text(_first(root, "DATE_PUB"))
    published = f"{date[:4]}-{date[4:6]}-{date[6:8]}" if len(date) == 8 else None
    procedure = _first(form, "PROCEDURE")
    kinds = [child.tag.split("}")[-1] for child in _children(procedure)]
    return ProcurementRecord(
        id=f"ted-{root.get('DOC_ID') or _text(_first(root, 'NO_DOC_OJS'))}", buyer=buyer, title=title,
        description=_text(_first(obj, "SHORT_DESCR")), cpv=cpv_list([c for c in codes if c]), published=published,
        procedure=_text(_first(root, "PR_PROC")) or None,
        innovation=any(k in _INNOVATION_PROCEDURES for k in kinds), suppliers=winners,
        language=(form.get("LG") or "").lower()[:2] or None, row=1,
    ).validate()
