"""Slack end-to-end fixtures: real services over small notes, the real server in process, a fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.assistant import Assistant
from bot.config import Settings, load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.server import build_web_app
from tests.services import DE_NOTE, Services  # noqa: F401  (re-exported for the tests that import them here)
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, Harness


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
