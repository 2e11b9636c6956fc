"""The terminal chat handler over the real core: rule answers, matches, help and follow-ups."""

from __future__ import annotations

import io
from pathlib import Path

from bot.assistant import Assistant
from bot.config import load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.handlers.console import chat_loop
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.service import KnowledgeService
from bot.matching.service import MatchService
from tests.docs import DK_NOTE


async def test_chat_answers_rules_and_needs_until_exit(embedder: CachedEmbedder, tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"data_dir": tmp_path / "data", "matching": {"embed_limit": 0}})
    note = tmp_path / "dk.md"
    note.write_text(DK_NOTE, encoding="utf-8")
    knowledge = KnowledgeService(settings, embedder=embedder)
    knowledge.ingest([note])
    database = Database(settings.resolved_database_url)
    assistant = Assistant(settings, ConversationStore(database), knowledge, MatchService(settings, database, embedder))
    stdin = io.StringIO(
        "What is a good pancake recipe?\n"
        "Må vi tale med leverandører før udbuddet?\n\n"
        "og hvis leverandøren har rådgivet os?\n"
        "match: circular workwear for 4,000 employees\n"
        "help\n"
        "exit\nignored\n"
    )
    stdout = io.StringIO()
    try:
        assert await chat_loop(assistant, stdin, stdout, user="tester") == 0
    finally:
        assistant.close()
    out = stdout.getvalue()
    assert "(Forstået som et spørgsmål om reglerne)" in out
    assert "[1] Udbudsloven § 39" in out
    assert "https://www.retsinformation.dk/eli/lta/2015/1564" in out
    assert "I can't answer that from my sources" in out
    assert "(Understood as a need: suppliers and peer buyers who can help)" in out
    suppliers = out.split("Suppliers:")[1].split("Buyers who procured something similar:")[0]
    assert " 1. " in suppliers and "– " in suppliers, "at least one supplier with a reason"
    assert "`peers: topic`" in out
    assert "ignored" not in out
    turns = ConversationStore(Database(settings.resolved_database_url)).recent(
        assistant_place(), ("ask", "match"), 10)
    assert "opfølgning på “Må vi tale med leverandører før udbuddet?”" in out
    assert len(turns) == 4, "every answered line is stored as a turn of the conversation"


def assistant_place():  # type: ignore[no-untyped-def]
    """The place the console uses for user "tester"."""
    from bot.conversations import Place

    return Place("console", "local", "terminal", "", "tester")
