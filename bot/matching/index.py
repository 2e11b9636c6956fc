"""The in-memory match index: a snapshot of the directory with keyword indexes, award arrays and cached vectors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.knowledge.keyword import KeywordIndex
from bot.language import LANGUAGES, detect_language
from bot.matching.cpv import CpvCatalog, level
from bot.matching.models import Award, Contact, Network, NetworkMember, OpenNeed, Organization, Procurement, Solution
from bot.matching.types import ContactPerson

COUNTRY_LANGUAGE = {"DK": "da", "SE": "sv", "DE": "de", "AT": "de", "CH": "de", "GB": "en", "IE": "en"}
WON_TITLES_IN_PROFILE = 20


@dataclass
class Orgs:
    """Column arrays of all organisations."""

    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    countries: list[str | None] = field(default_factory=list)
    regions: list[str | None] = field(default_factory=list)
    sectors: list[str | None] = field(default_factory=list)
    sizes: list[str | None] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    declared_cpv: list[list[str]] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    contacts: dict[int, ContactPerson] = field(default_factory=dict)
    networks: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    solutions: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Procurements:
    """Column arrays of all past procurements; awards as CSR lists in both directions."""

    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    cpv: list[list[str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    buyer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    year: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    innovation: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    main_code: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    award_proc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    award_supplier: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    by_supplier: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    by_proc: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    supplier_order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def winners(self, proc: int) -> np.ndarray:
        """Supplier positions that won procurement ``proc``."""
        return self.award_supplier[self.by_proc[proc] : self.by_proc[proc + 1]]

    def won_by(self, supplier: int) -> np.ndarray:
        """Procurement positions that ``supplier`` won."""
        return self.award_proc[self.supplier_order[self.by_supplier[supplier] : self.by_supplier[supplier + 1]]]


def group_of(code: str) -> int:
    """The three-digit CPV group of a code as an int (e.g. 905), for vectorised filters."""
    return int(code[:3])


class MatchIndex:
    """Everything the matcher needs, loaded once per process from the directory database."""

    def __init__(self, session: Session, catalog: CpvCatalog) -> None:
        self.catalog = catalog
        self.orgs = self._load_orgs(session)
        self.procs = self._load_procurements(session)
        self.needs = [(self.orgs.position[b], t, c) for b, t, c in session.execute(
            sa.select(OpenNeed.buyer_id, OpenNeed.title, OpenNeed.cpv).where(OpenNeed.status == "open"))]
        n = len(self.orgs.ids)
        self.is_buyer = np.zeros(n, bool)
        self.is_buyer[self.procs.buyer] = True
        self.is_buyer |= np.array([k == "buyer" for k in self.orgs.kinds], bool)
        self.is_supplier = np.zeros(n, bool)
        self.is_supplier[self.procs.award_supplier] = True
        self.is_supplier |= np.array([k == "supplier" for k in self.orgs.kinds], bool)
        self.award_group = self.procs.group[self.procs.award_proc] if len(self.procs.award_proc) else \
            np.zeros(0, np.int32)
        self.declared: dict[str, list[int]] = defaultdict(list)
        for org, codes in enumerate(self.orgs.declared_cpv):
            for code in codes:
                self.declared[code[:2]].append(org)
        self.proc_keyword = KeywordIndex(self.procs.titles, self.procs.languages)
        self.org_keyword = KeywordIndex([self.profile(i, won_titles=True) for i in range(n)],
                                        [self.org_language(i) for i in range(n)])
        self.cpv_docs: list[str] = []
        texts, languages = [], []
        for code, labels in catalog.labels.items():
            for language, label in labels.items():
                extra = catalog.keywords.get(code, "") if level(code) == 2 else ""
                self.cpv_docs.append(code)
                texts.append(f"{label} {extra}")
                languages.append(language)
        self.cpv_keyword = KeywordIndex(texts, languages)
        self.title_vectors: np.ndarray | None = None
        self.title_row = np.full(len(self.procs.ids), -1, np.int32)
        self.org_vectors: dict[int, np.ndarray] = {}
        self.division_vectors: np.ndarray | None = None
        self.division_codes: list[str] = []

    def _load_orgs(self, session: Session) -> Orgs:
        orgs = Orgs()
        columns = (Organization.id, Organization.name, Organization.name_key, Organization.kind, Organization.country,
                   Organization.region, Organization.sector, Organization.size, Organization.description,
                   Organization.cpv)
        for row in session.execute(sa.select(*columns).order_by(Organization.id)):
            orgs.position[row.id] = len(orgs.ids)
            orgs.ids.append(row.id)
            orgs.names.append(row.name)
            orgs.keys.append(row.name_key)
            orgs.kinds.append(row.kind)
            orgs.countries.append(row.country)
            orgs.regions.append(row.region)
            orgs.sectors.append(row.sector)
            orgs.sizes.append(row.size)
            orgs.descriptions.append(row.description or "")
            orgs.declared_cpv.append(list(row.cpv or []))
        consented = sa.select(Contact.org_id, Contact.name, Contact.email).where(Contact.consent.is_(True))
        for org_id, name, email in session.execute(consented):  # contacts without consent are never loaded
            orgs.contacts[orgs.position[org_id]] = ContactPerson(name=name, email=email)
        members = sa.select(NetworkMember.org_id, Network.name).join(Network, Network.id == NetworkMember.network_id)
        for org_id, name in session.execute(members):
            orgs.networks[orgs.position[org_id]].append(name)
        for org_id, title in session.execute(sa.select(Solution.org_id, Solution.title)):
            orgs.solutions[orgs.position[org_id]].append(title)
        return orgs

    def _load_procurements(self, session: Session) -> Procurements:
        procs = Procurements()
        buyers, years, innovation, groups = [], [], [], []
        text = sa.func.substr(Procurement.description, 1, 300).label("description")
        columns = (Procurement.id, Procurement.buyer_id, Procurement.title, text, Procurement.cpv, Procurement.year,
                   Procurement.innovation, Procurement.language)
        position = {}
        for row in session.execute(sa.select(*columns).order_by(Procurement.id)):
            position[row.id] = len(procs.ids)
            procs.ids.append(row.id)
            procs.titles.append(f"{row.title} {row.description or ''}".strip())
            codes = list(row.cpv or [])
            procs.cpv.append(codes)
            buyers.append(self.orgs.position[row.buyer_id])
            years.append(row.year or 0)
            innovation.append(bool(row.innovation))
            groups.append(group_of(codes[0]) if codes else -1)
            procs.languages.append(row.language or COUNTRY_LANGUAGE.get(self.orgs.countries[buyers[-1]] or "")
                                   or detect_language(row.title))
        procs.buyer = np.asarray(buyers, np.int32)
        procs.year = np.asarray(years, np.int16)
        procs.innovation = np.asarray(innovation, bool)
        procs.group = np.asarray(groups, np.int32)
        procs.main_code = np.asarray([int(c[0]) if c else -1 for c in procs.cpv], np.int64)
        pairs = [(position[p], self.orgs.position[s]) for p, s in session.execute(
            sa.select(Award.procurement_id, Award.supplier_id).order_by(Award.procurement_id))]
        award = np.asarray(pairs, np.int32).reshape(-1, 2)
        procs.award_proc, procs.award_supplier = award[:, 0].copy(), award[:, 1].copy()
        order = np.argsort(procs.award_proc, kind="stable")
        procs.award_proc, procs.award_supplier = procs.award_proc[order], procs.award_supplier[order]
        procs.by_proc = np.searchsorted(procs.award_proc, np.arange(len(procs.ids) + 1)).astype(np.int64)
        procs.supplier_order = np.argsort(procs.award_supplier, kind="stable")
        sorted_suppliers = procs.award_supplier[procs.supplier_order]
        procs.by_supplier = np.searchsorted(sorted_suppliers, np.arange(len(self.orgs.ids) + 1)).astype(np.int64)
        return procs

    def org_language(self, org: int) -> str:
        """The language an organisation's texts are most likely written in."""
        country = self.orgs.countries[org] or ""
        if country in COUNTRY_LANGUAGE:
            return COUNTRY_LANGUAGE[country]
        return detect_language(self.orgs.descriptions[org]) if self.orgs.descriptions[org] else "en"

    def profile(self, org: int, won_titles: bool = False) -> str:
        """Name, description and offers (plus the titles of recent contracts won) as one text."""
        parts = [self.orgs.names[org], self.orgs.descriptions[org], *self.orgs.solutions.get(org, [])]
        if won_titles:
            won = self.procs.won_by(org)[-WON_TITLES_IN_PROFILE:]
            parts += list(dict.fromkeys(self.procs.titles[p][:200] for p in won))
        return " ".join(p for p in parts if p)

    def embed(self, embedder: object, limit: int, progress: Callable[[int, int], None] | None = None) -> bool:
        """Attach cached vectors: described organisations, CPV divisions and (within ``limit``) procurement titles."""
        from bot.knowledge.embeddings import CachedEmbedder

        assert isinstance(embedder, CachedEmbedder)
        rich = [i for i in range(len(self.orgs.ids)) if self.orgs.descriptions[i] or self.orgs.solutions.get(i)]
        divisions = [(c, lang, label) for c, labels in self.catalog.labels.items() if level(c) == 2
                     for lang, label in labels.items() if lang in LANGUAGES]
        titles = list(dict.fromkeys(t[:300] for t in self.procs.titles))
        embed_titles = len(titles) + len(rich) <= limit
        texts = [self.profile(i)[:600] for i in rich[:limit]] + [label for _, _, label in divisions]
        texts += titles if embed_titles else []
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], len(texts))

        vectors = embedder.embed_passages(texts, progress=tick)
        self.org_vectors = {org: vectors[k] for k, org in enumerate(rich[:limit])}
        offset = len(rich[:limit])
        self.division_vectors = vectors[offset : offset + len(divisions)]
        self.division_codes = [c for c, _, _ in divisions]
        if embed_titles:
            self.title_vectors = vectors[offset + len(divisions) :]
            row = {t: k for k, t in enumerate(titles)}
            self.title_row = np.asarray([row[t[:300]] for t in self.procs.titles], np.int32)
        return embed_titles
