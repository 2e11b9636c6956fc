"""The stores behind ``innobroker eval``: structure-aware chunks and a plain fixed-size baseline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from bot.config import Settings
from bot.knowledge.embeddings import CachedEmbedder, make_embedder
from bot.knowledge.ingest import source_name
from bot.knowledge.loaders import LoadError, load_file
from bot.knowledge.retrieval import Retriever
from bot.knowledge.sections import split_sections
from bot.knowledge.store import KnowledgeStore, StoredChunk, open_chroma_client
from bot.knowledge.team_tables import TeamTables
from bot.language import detect_language

SHARED_LAW_FILES = ("se-lou/sfs-2016-1145.md", "de-vergaberecht/gwb.md", "de-vergaberecht/vgv_2016.md")
PLAIN_CHUNK_CHARS = 1000


def shared_documents(shared: Path | None) -> list[Path]:
    """The shared law texts the dev set refers to, where present."""
    if shared is None:
        return []
    return [shared / name for name in SHARED_LAW_FILES if (shared / name).is_file()]


@dataclass
class EvalStores:
    """Both evaluation stores and what is needed to build retrievers over them."""

    settings: Settings
    embedder: CachedEmbedder
    structured: KnowledgeStore
    plain: KnowledgeStore | None
    language_of: dict[str, str]
    act_of: dict[str, str]
    documents: int
    chunks: int
    tables: TeamTables

    def __post_init__(self) -> None:
        self.lexicon = self.tables.lexicon()

    def retriever(self, variant: str) -> Retriever:
        """A retriever configured as one of the evaluated variants."""
        retrieval = self.settings.retrieval.model_copy()
        store, mode = self.structured, "hybrid"
        if variant == "hybrid_no_glossary":
            retrieval.glossary_expansion = False
        elif variant == "hybrid_no_headings":
            retrieval.heading_weight = 0.0
        elif variant == "hybrid_no_diversity":
            retrieval.repeat_penalty = 1.0
        elif variant == "hybrid_no_situations":
            retrieval.situation_weight = 0.0
        elif variant == "hybrid_no_bridge":
            retrieval.bridge_passages = 0
        elif variant == "hybrid_no_lexicon":
            retrieval.lexicon_expansion = False
        elif variant == "hybrid_no_jurisdiction":
            retrieval.jurisdiction_inference = False
        elif variant == "rrf":
            retrieval.glossary_expansion, retrieval.lexicon_expansion, mode = False, False, "rrf"
        elif variant == "dense":
            mode = "dense"
        elif variant == "plain_baseline":
            assert self.plain is not None
            store, mode = self.plain, "dense"
        return Retriever(store, self.embedder, retrieval, self.tables.glossary, mode, self.lexicon)


def build_eval_stores(settings: Settings, shared: Path | None, with_baseline: bool, progress: Any = None) -> EvalStores:
    """Ingest the starter corpus and shared laws into the evaluation stores (incrementally)."""
    embedder = make_embedder(settings.embeddings, settings.cache_dir)
    client = open_chroma_client(settings.data_dir / "eval" / "chroma", None)
    structured = KnowledgeStore(client, "eval_structured")
    files = [settings.corpus_dir, *shared_documents(shared)]
    tables = TeamTables.load()
    tables.ingestor(structured, embedder).ingest(files, progress=progress)
    records = structured.documents()
    language_of = {Path(s).name: str(r.meta.get("language", "")) for s, r in records.items()}
    act_of = {Path(s).name: str(r.meta.get("law", "")) for s, r in records.items()}
    plain = None
    if with_baseline:
        plain = KnowledgeStore(client, "eval_plain")
        _build_plain(plain, embedder, files, progress)
    chunks = sum(r.chunks for r in records.values())
    return EvalStores(settings, embedder, structured, plain, language_of, act_of, len(records), chunks, tables)


def _build_plain(store: KnowledgeStore, embedder: CachedEmbedder, paths: list[Path], progress: Any) -> None:
    """Fixed-size chunks, no headings as context; each chunk labelled with the sections it overlaps."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=PLAIN_CHUNK_CHARS, chunk_overlap=100, add_start_index=True)
    known = store.documents()
    files = [p for path in paths for p in (sorted(path.rglob("*.md")) if path.is_dir() else [path])]
    for path in files:
        source = source_name(path)
        data = path.read_bytes()
        doc_hash = hashlib.sha256(data + b"|plain-1").hexdigest()
        if source in known and known[source].doc_hash == doc_hash:
            continue
        try:
            doc = load_file(path)
        except LoadError:
            continue
        language = str(doc.meta.get("language") or "")[:2] or detect_language(doc.text[:5000])
        boundaries = [(c.start, c.section) for c in split_sections(doc.text, doc.title)]
        pieces = splitter.create_documents([doc.text])
        chunks = []
        for n, piece in enumerate(pieces):
            start = int(piece.metadata["start_index"])
            end = start + len(piece.page_content)
            sections = _overlapping(boundaries, start, end)
            chunks.append(StoredChunk(f"{doc_hash[:20]}:{n}", piece.page_content, piece.page_content, {
                "source": source, "doc_hash": doc_hash, "title": doc.title, "section": sections[0] if sections else "",
                "sections": "|".join(sections), "language": language, "jurisdiction": "", "law": doc.law,
                "url": "", "n": n}))
        vectors = embedder.embed_passages([c.text for c in chunks])
        previous = known[source].doc_hash if source in known else None
        store.commit_document(source, doc_hash, {"language": language}, chunks, vectors, previous)


def _overlapping(boundaries: list[tuple[int, str]], start: int, end: int) -> list[str]:
    labels = []
    for i, (offset, section) in enumerate(boundaries):
        next_offset = boundaries[i + 1][0] if i + 1 < len(boundaries) else 1 << 60
        if offset < end and next_offset > start and section not in labels:
            labels.append(section)
    return labels
