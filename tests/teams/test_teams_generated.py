"""Generated answers in Teams (a model configured, the scripted OpenAI-compatible server as the only model double):
streamed into personal chats with Teams citations, as a card elsewhere, and replaced when the model fails."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.assistant import Assistant
from bot.config import load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.knowledge.service import KnowledgeService
from bot.server import build_web_app
from tests.fake_llm import FakeChat, Turn, fake_chat_server
from tests.slack.conftest import Services
from tests.teams.activities import GROUP, PERSONAL, group, personal
from tests.teams.conftest import ANONYMOUS, TeamsHarness, actions, texts
from tests.teams.fake_connector import FakeConnector

QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
GOOD = ("Ja, en ordregiver må gerne tale med leverandører, før et udbud annonceres [1]. "
        "Dialogen må dog ikke fordreje konkurrencen eller stride mod ligebehandling [1].")
LAW_URL = "https://www.retsinformation.dk/eli/lta/2015/1564"


@pytest.fixture
def llm() -> Iterator[FakeChat]:
    with fake_chat_server() as fake:
        yield fake


@pytest.fixture
async def generating(services: Services, llm: FakeChat, connector: FakeConnector,
                     tmp_path: Path) -> AsyncIterator[TeamsHarness]:
    """The server with a model configured as an operator does it (the key from OPENAI_API_KEY)."""
    settings = load_settings(environ={**ANONYMOUS, "OPENAI_API_KEY": "sk-test"}, overrides={
        "data_dir": services.settings.data_dir, "matching": {"embed_limit": 0},
        "llm": {"provider": "compatible", "base_url": llm.url, "model": "fake-model", "timeout_s": 5,
                "max_retries": 0}})
    knowledge = KnowledgeService(settings, embedder=services.knowledge.embedder)
    database = Database(f"sqlite:///{tmp_path / 'conversations.sqlite'}")
    assistant = Assistant(settings, ConversationStore(database), knowledge, services.matcher)
    client = TestClient(TestServer(build_web_app(settings, assistant), host="127.0.0.1"))
    await client.start_server()
    try:
        yield TeamsHarness(client, connector, assistant, settings)
    finally:
        await client.close()
        assistant.close()


async def test_a_personal_chat_sees_the_answer_stream_with_teams_citations(generating: TeamsHarness,
                                                                          llm: FakeChat) -> None:
    llm.script(Turn(GOOD, chunk_delay_s=0.1))  # slower than the 1 s Teams wants between stream updates
    await generating.send(personal(generating.connector.url, QUESTION))
    [final] = await generating.connector.messages()
    streamed = [s for s in generating.connector.sent if s.stream_type]
    kinds = [s.stream_type for s in streamed]
    assert kinds[0] == "informative" and kinds[-1] == "final" and "streaming" in kinds
    chunks = [s.activity["text"] for s in streamed if s.stream_type == "streaming"]
    assert chunks[0].startswith("Ja, en ordregiver må gerne tale med leverandører") and "[1]" in chunks[0]
    assert final.stream_type == "final" and final.activity["text"] == GOOD
    [message_entity] = [e for e in final.activity["entities"] if e.get("type") == "https://schema.org/Message"]
    [citation] = message_entity["citation"]
    assert citation["position"] == 1 and citation["appearance"]["url"] == LAW_URL
    assert citation["appearance"]["name"] == "Udbudsloven § 39"
    card = final.cards[0]
    text = texts(card)
    assert "Forstået som et spørgsmål om reglerne" in text and "Kilder" in text and "Udbudsloven § 39" in text
    turn = await generating.assistant.turn(actions(card)[0]["data"]["turn"])
    assert turn is not None and turn.place.channel == PERSONAL
    assert turn.result["generation"]["generated"] is True and turn.result["answer"].startswith(GOOD)


async def test_a_group_chat_gets_the_generated_answer_as_a_card_with_linked_markers(generating: TeamsHarness,
                                                                                    llm: FakeChat) -> None:
    llm.script(GOOD)
    await generating.send(group(generating.connector.url, QUESTION))
    [reply] = await generating.connector.messages(conversation=GROUP)
    assert reply.stream_type is None and reply.activity["summary"].startswith("Ja, en ordregiver")
    body = reply.cards[0]["body"]
    runs = [run for block in body if block.get("type") == "RichTextBlock" for run in block["inlines"]]
    markers = [run for run in runs if run["text"] == "[1]"]
    assert len(markers) == 2 and all(run["selectAction"]["url"] == LAW_URL for run in markers)
    assert "Kilder" in texts(reply.cards[0]) and "Dette er ikke juridisk rådgivning" in texts(reply.cards[0])


async def test_a_model_failing_half_way_replaces_the_streamed_message(generating: TeamsHarness,
                                                                     llm: FakeChat) -> None:
    llm.script(Turn(GOOD, malformed=True))
    await generating.send(personal(generating.connector.url, QUESTION))
    await generating.connector.wait(lambda sent: any(s.method == "PUT" for s in sent))
    streamed = [s for s in generating.connector.sent if s.stream_type]
    assert streamed[-1].stream_type == "final" and streamed[-1].activity["text"].startswith("Ja, en ordregiver")
    stream_id = f"activity-{generating.connector.sent.index(streamed[0]) + 1}"
    [replaced] = [s for s in generating.connector.sent if s.method == "PUT"]
    assert replaced.reply_to == stream_id  # the streamed message itself is updated
    text = texts(replaced.cards[0])
    assert "Disse bestemmelser i kilderne dækker bedst dit spørgsmål" in text and "Udbudsloven § 39" in text
