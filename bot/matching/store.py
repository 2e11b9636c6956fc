"""Writes parsed records into the directory tables: bulk upserts keyed by id, organisations matched across sources."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.matching.models import (
    Award,
    Contact,
    CpvCode,
    DirectoryMeta,
    Network,
    NetworkMember,
    OpenNeed,
    Organization,
    Procurement,
    Solution,
)
from bot.matching.records import OrgRecord, ParsedFile, name_key, slug

CHUNK = 2000
_ORG_FIELDS = ("name", "kind", "country", "region", "sector", "description", "cpv", "size", "website", "languages",
               "national_id")


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _digits(national_id: str | None) -> str | None:
    digits = re.sub(r"\D", "", national_id or "")[:40]
    return digits or None


class DirectoryWriter:
    """Stores one parsed file inside the caller's transaction."""

    def __init__(self, session: Session, source: str) -> None:
        self.session = session
        self.source = source
        self.now = datetime.now(UTC).replace(tzinfo=None)
        self.ids: set[str] = set()
        self.by_national: dict[tuple[str, str], str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        rows = session.execute(sa.select(Organization.id, Organization.country, Organization.national_id,
                                         Organization.name_key))
        for org_id, country, national, key in rows:
            self._remember(org_id, country, national, key)
        self.pending: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, tuple[str, str | None, bool]] = {}
        self.networks: dict[str, list[str]] = {}

    def _remember(self, org_id: str, country: str | None, national: str | None, key: str) -> None:
        self.ids.add(org_id)
        digits = _digits(national)
        if digits:
            self.by_national[(country or "", digits)] = org_id
        self.by_name.setdefault((country or "", key), org_id)

    def org(self, record: OrgRecord) -> str:
        """Queue an organisation for upsert and return its id (resolved by national id or name when absent)."""
        key = name_key(record.name)
        digits = _digits(record.national_id)
        explicit = record.id is not None
        org_id = record.id or (digits and self.by_national.get((record.country or "", digits))) \
            or self.by_name.get((record.country or "", key))
        if not org_id:
            base = f"{(record.country or 'xx').lower()}-{digits or slug(record.name)}"
            org_id, n = base, 1
            while org_id in self.ids:
                n += 1
                org_id = f"{base}-{n}"
        values = {f: getattr(record, f) for f in _ORG_FIELDS} | {"name_key": key}
        previous = self.pending.get(org_id)
        if previous is not None and not explicit:  # fill gaps only
            values = previous | {k: v for k, v in values.items() if v and not previous.get(k)}
        self.pending[org_id] = values | {"id": org_id, "explicit": explicit or bool(previous and previous["explicit"])}
        self._remember(org_id, record.country, record.national_id, key)
        if explicit and (record.contact_name or record.contact_email):
            self.contacts[org_id] = (record.contact_name or record.contact_email or "", record.contact_email,
                                     record.contact_consent)
        if explicit:
            self.networks[org_id] = record.networks
        return org_id

    def write(self, parsed: ParsedFile) -> dict[str, int]:
        """Upsert everything in ``parsed``; reference errors become rejections. Returns counts per table."""
        for record in parsed.organizations:
            self.org(record)
        procurements, awards = self._procurements(parsed)
        self._flush_orgs()
        counts = {"organizations": len(self.pending), "procurements": len(procurements), "awards": len(awards)}
        self._upsert(Procurement, procurements)
        for part in chunks([p["id"] for p in procurements]):
            self.session.execute(sa.delete(Award).where(Award.procurement_id.in_(part)))
        for part in chunks(awards):
            self.session.execute(sa.insert(Award), list(part))
        counts["solutions"] = self._simple(Solution, parsed, parsed.solutions, "supplier", "org_id")
        counts["needs"] = self._simple(OpenNeed, parsed, parsed.needs, "buyer", "buyer_id")
        self._contacts_and_networks()
        self._cpv_labels(parsed.cpv_labels)
        self.session.merge(DirectoryMeta(key="version", value=uuid.uuid4().hex))
        return counts

    def _procurements(self, parsed: ParsedFile) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        rows: dict[str, dict[str, Any]] = {}
        awards: dict[tuple[str, str], dict[str, str]] = {}
        for record in parsed.procurements:
            try:
                buyer = self._ref(record.buyer, "buyer")
                suppliers = [self._ref(s, "supplier") for s in record.suppliers]
            except LookupError as exc:
                parsed.reject(record.row, str(exc))
                continue
            rows[record.id] = {"id": record.id, "buyer_id": buyer, "title": record.title,
                               "description": record.description, "cpv": record.cpv, "year": record.year,
                               "published": record.published, "procedure": record.procedure,
                               "innovation": record.innovation, "language": record.language, "source": self.source}
            for supplier in suppliers:
                awards[(record.id, supplier)] = {"procurement_id": record.id, "supplier_id": supplier}
        return list(rows.values()), list(awards.values())

    def _ref(self, ref: str | OrgRecord, role: str) -> str:
        if isinstance(ref, OrgRecord):
            return self.org(ref)
        if ref not in self.ids:
            raise LookupError(f"unknown {role} id {ref!r} (import the organisation first)")
        return ref

    def _flush_orgs(self) -> None:
        rows = []
        for values in self.pending.values():
            row = {k: v for k, v in values.items() if k != "explicit"}
            row.update(source=self.source, updated_at=self.now)
            row["description"] = row["description"] or ""
            row["cpv"], row["languages"] = row["cpv"] or [], row["languages"] or []
            rows.append(row)
        existing = self._existing(Organization, [r["id"] for r in rows])
        keep = {r["id"] for r in rows if r["id"] in existing and not self.pending[r["id"]]["explicit"]}
        if keep:  # notices and statistics never blank out what a richer source said
            stored = {o.id: o for o in self.session.execute(
                sa.select(Organization).where(Organization.id.in_(keep))).scalars()}
            for row in rows:
                old = stored.get(row["id"])
                if old is not None:
                    for f in (*_ORG_FIELDS, "source"):
                        if getattr(old, f):
                            row[f] = getattr(old, f)
        self._upsert(Organization, rows, existing)

    def _existing(self, model: Any, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for part in chunks(ids):
            found.update(self.session.execute(sa.select(model.id).where(model.id.in_(part))).scalars())
        return found

    def _upsert(self, model: Any, rows: list[dict[str, Any]], existing: set[str] | None = None) -> None:
        if not rows:
            return
        existing = self._existing(model, [r["id"] for r in rows]) if existing is None else existing
        new = [r for r in rows if r["id"] not in existing]
        old = [{**{k: v for k, v in r.items() if k != "id"}, "_id": r["id"]} for r in rows if r["id"] in existing]
        for part in chunks(new):
            self.session.execute(sa.insert(model), list(part))
        if old:
            table = model.__table__
            columns: dict[str, Any] = {k: sa.bindparam(k) for k in old[0] if k != "_id"}
            statement = table.update().where(table.c.id == sa.bindparam("_id")).values(columns)
            for part in chunks(old):
                self.session.connection().execute(statement, list(part))

    def _simple(self, model: Any, parsed: ParsedFile, records: list[Any], ref_attr: str, column: str) -> int:
        rows = []
        for record in records:
            owner = getattr(record, ref_attr)
            if owner not in self.ids:
                parsed.reject(record.row, f"unknown {ref_attr} id {owner!r} (import the organisation first)")
                continue
            values = {k: v for k, v in vars(record).items() if k not in ("row", ref_attr)}
            rows.append(values | {column: owner})
        self._upsert(model, rows)
        return len(rows)

    def _contacts_and_networks(self) -> None:
        for part in chunks(list(self.contacts)):
            self.session.execute(sa.delete(Contact).where(Contact.org_id.in_(part)))
        if self.contacts:
            self.session.execute(sa.insert(Contact), [
                {"org_id": org_id, "name": name, "email": email, "consent": consent}
                for org_id, (name, email, consent) in self.contacts.items()])
        for part in chunks(list(self.networks)):
            self.session.execute(sa.delete(NetworkMember).where(NetworkMember.org_id.in_(part)))
        names = {slug(n): n for names in self.networks.values() for n in names}
        existing = self._existing(Network, list(names))
        self._upsert(Network, [{"id": k, "name": v} for k, v in names.items()], existing)
        members = {(slug(n), org_id) for org_id, names_ in self.networks.items() for n in names_}
        if members:
            self.session.execute(sa.insert(NetworkMember), [{"network_id": n, "org_id": o} for n, o in members])

    def _cpv_labels(self, labels: dict[str, dict[str, str]]) -> None:
        """Add labels seen in the data, never overwriting the official list."""
        if not labels:
            return
        stored = {c.code: c for part in chunks(list(labels)) for c in self.session.execute(
            sa.select(CpvCode).where(CpvCode.code.in_(part))).scalars()}
        for code, by_language in labels.items():
            row = stored.get(code)
            if row is None:
                self.session.add(CpvCode(code=code, **by_language))
                continue
            for language, label in by_language.items():
                if not getattr(row, language):
                    setattr(row, language, label)
