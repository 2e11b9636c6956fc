"""The knowledge store: chunk vectors, texts and the ingestion manifest, all in Chroma.

Keeping the manifest in Chroma too (a second collection) means an embedded store and a shared
``chroma run`` server behave the same, and several bot replicas share one knowledge base.
Write order per document (the manifest record is the commit point): add the new chunks under ids
derived from the content hash, upsert the manifest record, delete the previous version's chunks.
A chunk whose ``doc_hash`` differs from its document's manifest hash is invisible to readers and
removed by the next ingest, so a crash at any point leaves a consistent store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

_MANIFEST_SUFFIX = "_manifest"


@dataclass(frozen=True)
class StoredChunk:
    """One chunk as kept in the store."""

    id: str
    text: str
    context: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class DocumentRecord:
    """Manifest entry of one ingested document."""

    source: str
    doc_hash: str
    chunks: int
    meta: dict[str, Any]


def open_chroma_client(path: Path | None, url: str | None) -> Any:
    """An embedded persistent client at ``path``, or an HTTP client for ``url``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class KnowledgeStore:
    """Chunks with their embeddings, plus the per-document manifest."""

    def __init__(self, client: Any, name: str = "knowledge") -> None:
        self._client = client
        # Always pass our own vectors: Chroma's default embedding function downloads a model.
        self._chunks = client.get_or_create_collection(
            name=name, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": 128, "ef_construction": 200}},
        )
        self._manifest = client.get_or_create_collection(name=name + _MANIFEST_SUFFIX, embedding_function=None)

    # -- manifest -------------------------------------------------------------------------
    def documents(self) -> dict[str, DocumentRecord]:
        """All manifest entries by source."""
        got = self._manifest.get(include=["metadatas"])
        records = {}
        for source, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            data = json.loads(str(meta["json"]))
            records[source] = DocumentRecord(source, str(meta["doc_hash"]), int(meta["chunks"]), data)
        return records

    def commit_document(
        self, source: str, doc_hash: str, meta: dict[str, Any], chunks: Sequence[StoredChunk],
        vectors: np.ndarray, previous_hash: str | None,
    ) -> None:
        """Replace a document's chunks following the crash-safe write order."""
        for start in range(0, len(chunks), 1000):
            part = chunks[start : start + 1000]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + len(part)],
                documents=[c.text for c in part],
                metadatas=[{**c.meta, "context": c.context} for c in part],
            )
        self._manifest.upsert(
            ids=[source],
            embeddings=[[0.0]],
            metadatas=[{"doc_hash": doc_hash, "chunks": len(chunks), "json": json.dumps(meta, default=str)}],
        )
        if previous_hash and previous_hash != doc_hash:
            self._chunks.delete(where={"$and": [{"source": source}, {"doc_hash": previous_hash}]})

    def remove_document(self, source: str) -> None:
        """Forget a document: manifest first, so its chunks become invisible at once."""
        self._manifest.delete(ids=[source])
        self._chunks.delete(where={"source": source})

    def remove_orphans(self, documents: dict[str, DocumentRecord]) -> int:
        """Delete chunks left by an interrupted ingest; return how many."""
        got = self._chunks.get(include=["metadatas"])
        orphans = [
            cid for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=False)
            if documents.get(str(meta.get("source"))) is None
            or documents[str(meta["source"])].doc_hash != meta.get("doc_hash")
        ]
        for start in range(0, len(orphans), 1000):
            self._chunks.delete(ids=orphans[start : start + 1000])
        return len(orphans)

    # -- reading --------------------------------------------------------------------------
    def all_chunks(self) -> list[StoredChunk]:
        """Every visible chunk (used to build the keyword index)."""
        documents = self.documents()
        got = self._chunks.get(include=["documents", "metadatas"])
        chunks = []
        for cid, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False):
            record = documents.get(str(meta.get("source")))
            if record is None or record.doc_hash != meta.get("doc_hash"):
                continue
            meta = dict(meta)
            context = str(meta.pop("context", text))
            chunks.append(StoredChunk(cid, text or "", context, meta))
        return chunks

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity."""
        count = self._chunks.count()
        if count == 0:
            return []
        result = self._chunks.query(
            query_embeddings=[vector], n_results=min(n, count), where=where or None, include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=False)]

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the given chunks."""
        got = self._chunks.get(ids=ids, include=["embeddings"])
        vectors = got.get("embeddings")
        if vectors is None:
            return {}
        return {str(cid): np.asarray(vec, dtype=np.float32) for cid, vec in zip(got["ids"], vectors, strict=False)}

    def count(self) -> int:
        """Number of stored chunk records (including not yet collected orphans)."""
        return int(self._chunks.count())

    def heartbeat(self) -> None:
        """Raise if the store cannot be reached."""
        self._client.heartbeat()
