"""The model endpoint down, slow or answering garbage: the user gets the quoted provisions instead, is told why, and
the stored turn records the fallback; Slack (streamed thread replies, slash commands) and Teams alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.config import load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.knowledge.service import KnowledgeService
from tests.fake_llm import FakeChat, Turn, fake_chat_server
from tests.reliability.support import Both, ServerFactory, both_environ
from tests.servers import free_port
from tests.slack.conftest import Services
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import block_texts, buttons, mention
from tests.teams.activities import group
from tests.teams.conftest import actions, texts

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")
QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
GOOD = "Ja, det må I gerne [1]. En ordregiver må gerne tale med leverandører, før et udbud annonceres [1]."
DOWN = "Sprogmodellen svarer ikke lige nu"
UNCHECKED = "Det skrevne svar kunne ikke efterprøves mod kilderne"
QUOTED = "Disse bestemmelser i kilderne dækker bedst dit spørgsmål"
Start = Callable[[str], AbstractAsyncContextManager[Both]]


@pytest.fixture
def llm() -> Iterator[FakeChat]:
    with fake_chat_server() as server:
        yield server


@pytest.fixture
def with_model(make_server: ServerFactory, services: Services, fake: FakeSlack, tmp_path: Path) -> Start:
    """Start both surfaces with a model at ``base_url`` (1 s timeout, one retry)."""

    @asynccontextmanager
    async def start(base_url: str) -> AsyncIterator[Both]:
        model = {"provider": "compatible", "base_url": base_url, "model": "fake-model", "timeout_s": 1,
                 "max_retries": 1}
        settings = load_settings(environ=both_environ(fake), overrides={
            "data_dir": services.settings.data_dir, "matching": {"embed_limit": 0}, "llm": model})
        knowledge = KnowledgeService(settings, embedder=services.knowledge.embedder)
        database = Database(f"sqlite:///{tmp_path / 'llm.sqlite'}")
        core = Assistant(settings, ConversationStore(database), knowledge, services.matcher)
        try:
            async with make_server(assistant=core, llm=model) as server:
                yield server
        finally:
            core.close()

    return start


async def stored_fallback(server: Both, blocks: list[dict]) -> str:
    """The fallback reason recorded with the turn whose feedback buttons are in ``blocks``."""
    turn = await server.assistant.turn(int(buttons(blocks)[0]["value"]))
    assert turn is not None
    return str(turn.result["generation"]["fallback_reason"])


async def test_model_down_the_quoted_provisions_are_posted_and_the_user_told(with_model: Start,
                                                                            fake: FakeSlack) -> None:
    async with with_model(f"http://127.0.0.1:{free_port()}/v1") as server:  # nothing listens there
        await server.slack.event(mention(QUESTION, "1.1"))
        [post] = await fake.wait_for("chat.postMessage", timeout=30)
        text = block_texts(post.params["blocks"])
        assert DOWN in text and QUOTED in text and "Udbudsloven § 39" in text
        assert text.index(DOWN) < text.index(QUOTED)  # told first
        assert fake.to("chat.startStream") == [] and await stored_fallback(server, post.params["blocks"]) == (
            "unreachable")


async def test_model_too_slow_the_quoted_provisions_are_posted_and_the_user_told(with_model: Start, llm: FakeChat,
                                                                                fake: FakeSlack) -> None:
    llm.script(Turn(GOOD, delay_s=2.5), Turn(GOOD, delay_s=2.5))
    async with with_model(llm.url) as server:
        await server.slack.event(mention(QUESTION, "2.1"))
        [post] = await fake.wait_for("chat.postMessage", timeout=30)
        assert len(llm.received) == 2  # the first attempt and one retry, each cut at 1 s
        assert DOWN in block_texts(post.params["blocks"]) and QUOTED in block_texts(post.params["blocks"])
        assert await stored_fallback(server, post.params["blocks"]) == "timeout"


async def test_garbage_half_way_replaces_the_streamed_text_and_says_so(with_model: Start, llm: FakeChat,
                                                                      fake: FakeSlack) -> None:
    llm.script(Turn(GOOD, malformed=True))
    async with with_model(llm.url) as server:
        await server.slack.event(mention(QUESTION, "3.1"))
        [update] = await fake.wait_for("chat.update", timeout=30)
        [start] = fake.to("chat.startStream")
        assert update.params["ts"] == fake.to("chat.stopStream")[0].params["ts"]
        assert start.params["markdown_text"].startswith("Ja, det må I gerne")
        text = block_texts(update.params["blocks"])
        assert UNCHECKED in text and QUOTED in text and fake.to("chat.postMessage") == []


async def test_an_unusable_answer_to_a_slash_command_is_replaced_and_the_user_told(with_model: Start, llm: FakeChat,
                                                                                  fake: FakeSlack) -> None:
    llm.script("Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt.")
    async with with_model(llm.url) as server:
        await server.slack.command(f"ask {QUESTION}", name="garbage")
        [reply] = await fake.wait_for("response:garbage", timeout=30)
        text = block_texts(reply.params["blocks"])
        assert UNCHECKED in text and QUOTED in text and "Lorem ipsum" not in str(fake.calls)


async def test_model_down_in_teams_the_card_quotes_the_provisions_and_tells_the_user(with_model: Start) -> None:
    async with with_model(f"http://127.0.0.1:{free_port()}/v1") as server:
        connector = server.teams.connector
        await server.teams.send(group(connector.url, QUESTION))
        [reply] = await connector.messages()
        card = texts(reply.cards[0])
        assert DOWN in card and QUOTED in card and "Udbudsloven § 39" in card
        turn = await server.assistant.turn(actions(reply.cards[0])[0]["data"]["turn"])
        assert turn is not None and turn.result["generation"]["fallback_reason"] == "unreachable"
