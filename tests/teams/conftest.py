"""Teams end-to-end fixtures: the real server in process, the real services (shared with the Slack tests' small
notes and sample directory), conversations in a real SQLite file, and a fake Bot Connector at the serviceUrl."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.assistant import Assistant
from bot.config import Settings, load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.server import build_web_app
from tests.slack import conftest as slack_fixtures
from tests.slack.conftest import Services
from tests.teams.fake_connector import FakeConnector

ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}
fake = slack_fixtures.fake  # the fake Slack Web API (the real services come from tests/conftest.py)
TEAMS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The SDK's JWT middleware stores its claims under a plain string key, which aiohttp warns about."""
    for item in items:
        if Path(str(item.fspath)).parent == TEAMS_DIR:
            item.add_marker(pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"))


@dataclass
class TeamsHarness:
    """The server under test, the fake connector it talks to, and the core behind it."""

    client: TestClient
    connector: FakeConnector
    assistant: Assistant
    settings: Settings

    async def send(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> ClientResponse:
        """POST one activity to /api/messages, as the Bot Connector does."""
        return await self.client.post("/api/messages", json=activity, headers=headers)


def teams_settings(services: Services, environ: dict[str, str], **teams: Any) -> Settings:
    """Settings as an operator gives them: the SDK's CONNECTIONS__ variables from the environment."""
    overrides: dict[str, Any] = {"data_dir": services.settings.data_dir, "matching": {"embed_limit": 0}}
    if teams:
        overrides["teams"] = teams
    return load_settings(environ=environ, overrides=overrides)


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """The fake Bot Connector on loopback."""
    started = await FakeConnector().start()
    yield started
    await started.close()


TeamsFactory = Callable[..., AbstractAsyncContextManager[TeamsHarness]]


@pytest.fixture
def make_teams(services: Services, connector: FakeConnector, tmp_path: Path) -> Iterator[TeamsFactory]:
    """Start the real server with given settings; anonymous unless an environment is given."""
    own = Database(f"sqlite:///{tmp_path / 'conversations.sqlite'}")

    @asynccontextmanager
    async def start(environ: dict[str, str] | None = None, database: Database | None = None,
                    **teams: Any) -> AsyncIterator[TeamsHarness]:
        settings = teams_settings(services, ANONYMOUS if environ is None else environ, **teams)
        assistant = Assistant(settings, ConversationStore(database or own), services.knowledge, services.matcher)
        client = TestClient(TestServer(build_web_app(settings, assistant), host="127.0.0.1"))
        await client.start_server()
        try:
            yield TeamsHarness(client, connector, assistant, settings)
        finally:
            await client.close()
            assistant.close()

    yield start
    own.dispose()


@pytest.fixture
async def teams(make_teams: TeamsFactory) -> AsyncIterator[TeamsHarness]:
    """The server with anonymous Teams (development settings), talking to the fake connector."""
    async with make_teams() as started:
        yield started


def texts(card: dict[str, Any]) -> str:
    """All visible text of a card (TextBlocks, rich text runs, containers, action titles), for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("TextBlock", "TextRun"):
                parts.append(str(node.get("text", "")))
            if str(node.get("type", "")).startswith("Action.") and "title" in node:
                parts.append(str(node["title"]))
            for key, value in node.items():
                if key not in ("fallback", "card"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(parts)


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute of a card (buttons in the body and at the bottom)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
