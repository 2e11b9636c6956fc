"""Incremental, crash-safe ingestion of documents into the knowledge store."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.knowledge.abstracts import ProvisionTable, cited_provision
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.headings import HeadingTranslations
from bot.knowledge.loaders import SUPPORTED_SUFFIXES, LoadedDocument, LoadError, load_file
from bot.knowledge.sections import Chunk, split_sections
from bot.knowledge.store import KnowledgeStore, StoredChunk
from bot.language import detect_language

CHUNKER_VERSION = "7"  # bump when chunking changes, so unchanged files are re-chunked once
_DEFAULT_JURISDICTION = {"da": "DK", "sv": "SE", "de": "DE", "en": "EU"}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class IngestReport:
    """What one ingest run did; ``to_json`` is the ``ingest --json`` contract."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Counts plus one ``{"source","error"}`` per skipped file."""
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "chunks": self.chunks, "errors": self.errors}


@dataclass
class _Prepared:
    source: str
    doc_hash: str
    meta: dict[str, Any]
    chunks: list[StoredChunk]
    previous_hash: str | None


def source_name(path: Path) -> str:
    """How a file is named in citations: relative to the project when inside it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(resolved)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[dict[str, str]]]:
    """Expand files and folders into supported files; missing paths become errors."""
    files: list[Path] = []
    errors = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                                and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            errors.append({"source": str(path), "error": "no such file or folder"})
    return files, errors


class Ingestor:
    """Loads, chunks, embeds and commits documents one at a time."""

    def __init__(
        self, store: KnowledgeStore, embedder: CachedEmbedder, headings: HeadingTranslations | None = None,
        abstracts: ProvisionTable | None = None, situations: ProvisionTable | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._headings = headings or HeadingTranslations([])
        self._abstracts = abstracts or ProvisionTable([])
        self._situations = situations or ProvisionTable([])

    def ingest(
        self, paths: Iterable[Path], jurisdiction: str | None = None, language: str | None = None,
        prune: bool = False, progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files and folders; unchanged files cost one hash, bad files are reported and skipped."""
        paths = list(paths)
        report = IngestReport()
        files, report.errors = discover(paths)
        known = self._store.documents()
        self._store.remove_orphans(known)
        pending: list[_Prepared] = []
        for i, path in enumerate(files):
            if progress:
                progress("reading", i, len(files))
            source = source_name(path)
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.errors.append({"source": source, "error": f"cannot read file: {exc.strerror or exc}"})
                continue
            salt = (f"|{CHUNKER_VERSION}|{jurisdiction}|{language}|{self._headings.version}|{self._abstracts.version}"
                    f"|{self._situations.version}")
            doc_hash = hashlib.sha256(data + salt.encode()).hexdigest()
            previous = known.get(source)
            if previous and previous.doc_hash == doc_hash:
                report.unchanged += 1
                continue
            try:
                prepared = self._prepare(path, source, doc_hash, jurisdiction, language)
            except LoadError as exc:
                report.errors.append({"source": source, "error": str(exc)})
                continue
            prepared.previous_hash = previous.doc_hash if previous else None
            pending.append(prepared)
        self._embed_and_commit(pending, report, progress)
        if prune:
            report.removed = self._prune(paths, files, known)
        return report

    def _prepare(
        self, path: Path, source: str, doc_hash: str, jurisdiction: str | None, language: str | None,
    ) -> _Prepared:
        doc = load_file(path)
        lang = language or _lang_code(doc.meta.get("language")) or detect_language(doc.text[:5000])
        juris = (jurisdiction or str(doc.meta.get("jurisdiction") or "") or _DEFAULT_JURISDICTION[lang]).upper()
        pieces = split_sections(doc.text, doc.title, markdown=doc.format in ("markdown", "html", "docx") or None)
        if not pieces:
            raise LoadError("no text found in file")
        meta = {"title": doc.title, "language": lang, "jurisdiction": juris, "law": doc.law, "format": doc.format}
        chunks = []
        for n, piece in enumerate(pieces):
            translated = self._headings.translate(piece.heading_path, lang)
            abstract = self._abstracts.lookup(doc.law, piece.section)
            for other, text in abstract.items():
                translated.setdefault(other, []).append(text)
            translations = self._headings.render(translated)
            chunks.append(StoredChunk(
                id=f"{doc_hash[:20]}:{n}",
                text=piece.text,
                context=piece.context(doc.title),
                meta={"source": source, "doc_hash": doc_hash, "title": doc.title, "section": piece.section,
                      "language": lang, "jurisdiction": juris, "law": doc.law, "url": _url_for(doc, piece) or "",
                      "n": n, "translations": translations,
                      "abstract": self._headings.render({other: [text] for other, text in abstract.items()}),
                      # A note's section about a provision ("LOU 16 kap. 7 §") shares the provision's situations.
                      "situations": self._headings.render({other: [text] for other, text in self._situations.lookup(
                          *cited_provision(doc.law, piece.section)).items()})},
            ))
        return _Prepared(source, doc_hash, meta, chunks, None)

    def _embed_and_commit(self, pending: list[_Prepared], report: IngestReport, progress: Progress | None) -> None:
        total = sum(len(p.chunks) for p in pending)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("embedding", done, total)

        for prepared in pending:
            vectors = self._embedder.embed_passages([c.context for c in prepared.chunks], progress=advance)
            self._store.commit_document(
                prepared.source, prepared.doc_hash, prepared.meta, prepared.chunks, vectors, prepared.previous_hash
            )
            report.chunks += len(prepared.chunks)
            if prepared.previous_hash:
                report.updated += 1
            else:
                report.added += 1

    def _prune(self, paths: list[Path], files: list[Path], known: dict[str, Any]) -> int:
        present = {source_name(f) for f in files}
        roots = [source_name(p) for p in paths]
        removed = 0
        for source in known:
            inside = any(source == r or source.startswith(r.rstrip("/") + "/") for r in roots)
            if inside and source not in present and not Path(_absolute(source)).exists():
                self._store.remove_document(source)
                removed += 1
        return removed


def _absolute(source: str) -> str:
    return source if source.startswith("/") else str(PROJECT_ROOT / source)


def _lang_code(value: Any) -> str | None:
    text = str(value or "").lower()[:2]
    return text if text in _DEFAULT_JURISDICTION else None


def _url_for(doc: LoadedDocument, piece: Chunk) -> str | None:
    """A link to the provision where the document tells us how to build one."""
    slug = doc.meta.get("slug")
    number = re.match(r"§\s*(\d+[a-z]?)", piece.section)
    if slug and number:
        return f"https://www.gesetze-im-internet.de/{slug}/__{number.group(1)}.html"
    sources = doc.meta.get("sources")
    if isinstance(sources, list):
        for item in sources:
            if isinstance(item, dict) and item.get("url") and str(item.get("citation", "")) == piece.section:
                return str(item["url"])
        first = next((s for s in sources if isinstance(s, dict) and s.get("url")), None)
        if first:
            return str(first["url"])
    for key in ("url", "pdf_url", "source_url"):
        if doc.meta.get(key):
            return str(doc.meta[key])
    return None
