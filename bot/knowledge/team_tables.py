"""The team-written tables behind search: glossary, translated headings, provision abstracts and situations."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import PROJECT_ROOT
from bot.knowledge.abstracts import ProvisionTable
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.glossary import Glossary
from bot.knowledge.headings import HeadingTranslations
from bot.knowledge.ingest import Ingestor
from bot.knowledge.lexicon import Lexicon
from bot.knowledge.store import KnowledgeStore

GLOSSARY_PATH = PROJECT_ROOT / "corpus" / "glossary.yaml"
HEADINGS_DIR = PROJECT_ROOT / "corpus" / "headings"
ABSTRACTS_DIR = PROJECT_ROOT / "corpus" / "abstracts"
SITUATIONS_DIR = PROJECT_ROOT / "corpus" / "situations"


@dataclass(frozen=True)
class TeamTables:
    """The four tables, read once at start-up and shared by ingestion and retrieval."""

    glossary: Glossary
    headings: HeadingTranslations
    abstracts: ProvisionTable
    situations: ProvisionTable

    @classmethod
    def load(cls) -> TeamTables:
        """Read the committed tables from ``corpus/``."""
        return cls(Glossary.load(GLOSSARY_PATH), HeadingTranslations.load(HEADINGS_DIR),
                   ProvisionTable.load(ABSTRACTS_DIR), ProvisionTable.load(SITUATIONS_DIR))

    def lexicon(self) -> Lexicon:
        """Word translations induced from the parallel headings, abstracts and glossary entries."""
        return Lexicon.induce([*self.headings.token_entries(), *self.abstracts.token_entries(),
                               *self.glossary.token_entries()])

    def ingestor(self, store: KnowledgeStore, embedder: CachedEmbedder) -> Ingestor:
        """An ingestor that stores each chunk with its headings, abstract and situations."""
        return Ingestor(store, embedder, self.headings, self.abstracts, self.situations)
