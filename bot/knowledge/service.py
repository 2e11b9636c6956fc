"""The knowledge service: one object that owns the store, the embedder and the answerer."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.knowledge.answer import ExtractiveAnswerer
from bot.knowledge.embeddings import CachedEmbedder, make_embedder
from bot.knowledge.glossary import Glossary
from bot.knowledge.ingest import Ingestor, IngestReport, Progress
from bot.knowledge.retrieval import Retriever
from bot.knowledge.store import KnowledgeStore, open_chroma_client
from bot.types import Answer, Question

GLOSSARY_PATH = PROJECT_ROOT / "corpus" / "glossary.yaml"


class KnowledgeService:
    """Ingests documents and answers rule questions from them."""

    def __init__(self, settings: Settings, embedder: CachedEmbedder | None = None, mode: str = "hybrid") -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder or make_embedder(settings.embeddings, settings.cache_dir)
        client = open_chroma_client(settings.chroma_path, settings.chroma_url)
        self.store = KnowledgeStore(client, settings.collection)
        self.retriever = Retriever(self.store, self.embedder, settings.retrieval, Glossary.load(GLOSSARY_PATH), mode)
        self.answerer = ExtractiveAnswerer(self.retriever)
        self._ingestor = Ingestor(self.store, self.embedder)

    def ingest(
        self, paths: Iterable[Path], jurisdiction: str | None = None, language: str | None = None,
        prune: bool = False, progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files/folders and refresh the keyword index."""
        report = self._ingestor.ingest(paths, jurisdiction, language, prune, progress)
        self.retriever.refresh()
        return report

    def ensure_starter_corpus(self, progress: Progress | None = None) -> IngestReport | None:
        """On an empty store, ingest the starter corpus; otherwise do nothing."""
        if self.store.documents():
            return None
        return self.ingest([self.settings.corpus_dir], progress=progress)

    def ask(self, question: Question) -> Answer:
        """Answer a rule question from the sources (extractive)."""
        return self.answerer.answer(question)
