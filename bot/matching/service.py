"""The matching service: one object that owns the directory database, the match index and the embedder."""

from __future__ import annotations

import gc
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.db import Database
from bot.knowledge.embeddings import CachedEmbedder, make_embedder
from bot.language import detect_language
from bot.matching import peers as peer_ranking
from bot.matching import suppliers as supplier_ranking
from bot.matching.cpv import CpvCatalog
from bot.matching.directory import directory_version, ensure_sample, import_files
from bot.matching.features import Context
from bot.matching.index import COUNTRY_LANGUAGE, MatchIndex
from bot.matching.infer import gather, guesses
from bot.matching.types import ImportReport, MatchResult, Need, Suggestion

Progress = Callable[[str, int, int], None]


class MatchingError(ValueError):
    """A request the matcher cannot serve (empty need, unknown buyer); the message is shown to the user."""


class MatchService:
    """Ranks suppliers and peer buyers for needs; builds its index once and refreshes it after imports."""

    def __init__(self, settings: Settings, database: Database | None = None,
                 embedder: CachedEmbedder | None = None, progress: Progress | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        import bot.matching.models  # noqa: F401  (tables must be declared before the first query)

        self.database = database or Database(settings.resolved_database_url)
        self._embedder = embedder
        self._progress = progress
        self._index: MatchIndex | None = None
        self._version: str | None = None
        self._aliases: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        self.semantic_titles = False
        self.sample_report: ImportReport | None = None

    @property
    def embedder(self) -> CachedEmbedder:
        """The shared embedder (same provider and cache as the knowledge base), created on first use."""
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embeddings, self.settings.cache_dir)
        return self._embedder

    @property
    def semantic(self) -> bool:
        """False when ``matching.embed_limit`` is 0: the matcher then runs without any embeddings."""
        return self.settings.matching.embed_limit > 0

    def import_files(self, paths: list[Path], strict: bool = False) -> ImportReport:
        """Import directory files (each in one transaction); the index is rebuilt on the next match."""
        return import_files(self.database, paths, strict)

    def index(self) -> MatchIndex:
        """The current match index, importing the sample directory into an empty database first."""
        with self._lock:
            if self._index is None:
                self.sample_report = ensure_sample(self.database, self.settings.matching.directory_dir)
            version = directory_version(self.database)
            if self._index is None or version != self._version:
                self._index = self._build()
                self._version = version
            return self._index

    def _build(self) -> MatchIndex:
        with self.database.transaction() as session:
            index = MatchIndex(session, CpvCatalog.load(session))
        if self.semantic:
            progress = self._progress

            def tick(done: int, total: int) -> None:
                if progress is not None:
                    progress("embedding", done, total)

            self.semantic_titles = index.embed(self.embedder, self.settings.matching.embed_limit, tick)
        gc.collect()
        gc.freeze()  # the index holds millions of long-lived objects: keep them out of full GC passes
        aliases: dict[str, list[int]] = defaultdict(list)
        for position, key in enumerate(index.orgs.keys):
            aliases[key].append(position)
        self._aliases = dict(aliases)
        return index

    def match(self, need: Need) -> MatchResult:
        """Likely CPV codes, suppliers and peer buyers for a need, with reasons."""
        ctx = self._context(need)
        peer_list = peer_ranking.rank(ctx, max(need.top, 10))
        peer_positions = [ctx.index.orgs.position[p.id] for p in peer_list[:10]]
        supplier_list = supplier_ranking.rank(ctx, self.settings.matching, need.top, peer_positions)
        return MatchResult(need=need.text, language=ctx.language, cpv=ctx.guesses, suppliers=supplier_list,
                           peers=peer_list[: need.top])

    def peers(self, topic: str, buyer_id: str | None = None, country: str | None = None,
              top: int = 10) -> list[Suggestion]:
        """Buyers that procured something like ``topic`` (never the asking buyer itself)."""
        return peer_ranking.rank(self._context(Need(topic, buyer_id, country, top)), top)

    def _context(self, need: Need) -> Context:
        text = " ".join(need.text.split())
        if not text:
            raise MatchingError("the need is empty: describe what you are looking for")
        if need.top < 1:
            raise MatchingError("top must be at least 1")
        index = self.index()
        buyer = self.resolve(need.buyer_id) if need.buyer_id else None
        if need.country and not re.fullmatch(r"[A-Za-z]{2}", need.country.strip()):
            raise MatchingError(f"country must be a two-letter code such as SE, not {need.country!r}")
        raw_country = need.country or (index.orgs.countries[buyer] if buyer is not None else None) or ""
        country = raw_country.strip().upper() or None
        language = need.language or detect_language(text, default=COUNTRY_LANGUAGE.get(country or "", "en"))
        vector = self.embedder.embed_query(text) if self.semantic else None
        evidence = gather(index, text, language, vector, self.settings.matching.neighbours)
        excluded = set(self._aliases.get(index.orgs.keys[buyer], [buyer])) if buyer is not None else set()
        return Context(index=index, language=language, evidence=evidence,
                       guesses=guesses(index, evidence.votes, language), buyer=buyer, country=country,
                       region=index.orgs.regions[buyer] if buyer is not None else None, excluded=excluded)

    def resolve(self, reference: str) -> int:
        """An organisation's position by id or by exact name (case-insensitive); MatchingError when unknown."""
        index = self.index()
        if reference in index.orgs.position:
            return index.orgs.position[reference]
        from bot.matching.records import name_key

        found = self._aliases.get(name_key(reference))
        if not found:
            raise MatchingError(f"unknown buyer {reference!r}: give an organisation id or its exact name")
        return found[0]

    def close(self) -> None:
        """Release the database connections."""
        self.database.dispose()
