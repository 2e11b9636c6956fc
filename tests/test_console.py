"""The terminal chat handler over the real core."""

from __future__ import annotations

import io
from pathlib import Path

from bot.config import Settings
from bot.handlers.console import chat_loop
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.service import KnowledgeService
from tests.docs import DK_NOTE


def test_chat_answers_each_line_until_exit(settings: Settings, embedder: CachedEmbedder, tmp_path: Path) -> None:
    note = tmp_path / "dk.md"
    note.write_text(DK_NOTE, encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service.ingest([note])
    stdin = io.StringIO("Må vi tale med leverandører før udbuddet?\n\nWhat is a good pancake recipe?\nexit\nignored\n")
    stdout = io.StringIO()
    assert chat_loop(service, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "[1] Udbudsloven § 39" in out
    assert "https://www.retsinformation.dk/eli/lta/2015/1564" in out
    assert "I can't answer that from my sources" in out
    assert "ignored" not in out
