"""Shared fixtures of the security, isolation, logging and operations tests: the real server with Slack (signed
requests, the fake Web API) and anonymous Teams (the fake Bot Connector) mounted together, over the real services."""

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
from bot.server import build_web_app
from tests.slack import conftest as slack_fixtures
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, Harness
from tests.teams import conftest as teams_fixtures
from tests.teams.conftest import ANONYMOUS, TeamsHarness
from tests.teams.fake_connector import FakeConnector

fake = slack_fixtures.fake
connector = teams_fixtures.connector
TEAMS_WARNING = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")


@dataclass
class Both:
    """One server with both surfaces: Slack's harness and Teams' harness share its client and core."""

    slack: Harness
    teams: TeamsHarness
    assistant: Assistant
    settings: Settings

    @property
    def client(self) -> TestClient:
        """The test client of the server."""
        return self.slack.client


def both_environ(fake: FakeSlack, anonymous: bool = True, **extra: str) -> dict[str, str]:
    """Slack's secrets and Web API URL, and (unless ``anonymous`` is False) anonymous Teams."""
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url,
            **(ANONYMOUS if anonymous else {}), **extra}


ServerFactory = Callable[..., AbstractAsyncContextManager[Both]]


@pytest.fixture
def make_server(services: slack_fixtures.Services, fake: FakeSlack, connector: FakeConnector,
                tmp_path: Path) -> Iterator[ServerFactory]:
    """Start the real server; ``environ`` replaces the default environment, ``overrides`` are settings."""
    own = Database(f"sqlite:///{tmp_path / 'conversations.sqlite'}")

    @asynccontextmanager
    async def start(environ: dict[str, str] | None = None, database: Database | None = None,
                    assistant: Assistant | None = None, **overrides: Any) -> AsyncIterator[Both]:
        settings = load_settings(environ=both_environ(fake) if environ is None else environ, overrides={
            "data_dir": services.settings.data_dir, "matching": {"embed_limit": 0}, **overrides})
        core = assistant or Assistant(settings, ConversationStore(database or own), services.knowledge,
                                      services.matcher)
        client = TestClient(TestServer(build_web_app(settings, core), host="127.0.0.1"))
        await client.start_server()
        try:
            yield Both(Harness(client, fake, core), TeamsHarness(client, connector, core, settings), core, settings)
        finally:
            await client.close()
            if assistant is None:
                core.close()

    yield start
    own.dispose()


@pytest.fixture
async def server(make_server: ServerFactory) -> AsyncIterator[Both]:
    """Both surfaces with the default settings."""
    async with make_server() as started:
        yield started


@pytest.fixture
def brokered(services: slack_fixtures.Services, tmp_path: Path) -> Iterator[Assistant]:
    """The core with ``UBROKER`` as the only broker (everybody else a member), its data in a fresh SQLite file."""
    settings = load_settings(environ={"INNOBROKER_WORKFLOWS__BROKERS": "UBROKER"}, overrides={
        "data_dir": services.settings.data_dir, "matching": {"embed_limit": 0}})
    database = Database(f"sqlite:///{tmp_path / 'workflows.sqlite'}")
    assistant = Assistant(settings, ConversationStore(database), services.knowledge, services.matcher)
    yield assistant
    assistant.close()
