"""The knowledge service: one object that owns the store, the embedder and the answerer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from bot.config import Settings
from bot.knowledge.answer import ExtractiveAnswerer
from bot.knowledge.embeddings import CachedEmbedder, make_embedder
from bot.knowledge.generate import Compute, GroundedAnswerer, rewrite_followup
from bot.knowledge.ingest import IngestReport, Progress
from bot.knowledge.llm import make_chat_model
from bot.knowledge.retrieval import Retriever
from bot.knowledge.store import KnowledgeStore, open_chroma_client
from bot.knowledge.team_tables import TeamTables
from bot.types import Answer, AnswerDelta, AnswerDone, AnswerStart, Question


class KnowledgeService:
    """Ingests documents and answers rule questions from them."""

    def __init__(self, settings: Settings, embedder: CachedEmbedder | None = None, mode: str = "hybrid") -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder or make_embedder(settings.embeddings, settings.cache_dir)
        client = open_chroma_client(settings.chroma_path, settings.chroma_url)
        self.store = KnowledgeStore(client, settings.collection)
        tables = TeamTables.load()
        glossary = tables.glossary
        self.retriever = Retriever(self.store, self.embedder, settings.retrieval, glossary, mode, tables.lexicon())
        self.answerer = ExtractiveAnswerer(self.retriever)
        self.model = make_chat_model(settings.llm)
        self.generator = GroundedAnswerer(self.answerer, self.model, settings.llm, glossary) if self.model else None
        self._ingestor = tables.ingestor(self.store, self.embedder)

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

    @property
    def generates(self) -> bool:
        """Whether answers are written by a model (``llm.provider`` is set) rather than quoted."""
        return self.generator is not None

    def ask(self, question: Question) -> Answer:
        """Answer a rule question from the sources: generated and verified when a model is configured, else quoted."""
        return self.generator.answer(question) if self.generator else self.answerer.answer(question)

    async def ask_stream(self, question: Question, compute: Compute | None = None
                         ) -> AsyncIterator[AnswerStart | AnswerDelta | AnswerDone]:
        """The answer as it is written: AnswerStart, verified AnswerDelta sentences, AnswerDone (see docs/llm.md).

        Without a model this yields only AnswerDone with the extractive answer. ``compute`` runs the CPU-bound
        steps (retrieval, verification set-up), e.g. on the caller's worker pool; default: a thread.
        """
        if self.generator is None:
            answer = await (compute(self.ask, question) if compute else asyncio.to_thread(self.ask, question))
            yield AnswerDone(answer, False)
            return
        async for event in self.generator.stream(question, compute):
            yield event

    def rewrite_followup(self, history: Sequence[tuple[str, str]], followup: str, language: str) -> str | None:
        """A standalone question for a follow-up, written by the model; None without one or when it fails."""
        if self.model is None or not self.settings.llm.rewrite_followups:
            return None
        return rewrite_followup(self.model, history, followup, language)
