"""What runs side by side under load must stay correct and cheap: stemming on several threads at once (answer
workers, the match index build), and Teams turns waiting for slow answers next to everything else on the loop."""

from __future__ import annotations

import asyncio
import random
import sys
import threading
import time
from typing import Any

import pytest
import snowballstemmer

from bot.knowledge.keyword import tokenize
from bot.types import Question
from tests.reliability.support import Both
from tests.teams.activities import personal
from tests.teams.conftest import actions

ENDINGS = ("ungen", "lichkeit", "heiten", "ern", "isch", "ende")


def test_threads_stemming_at_once_get_the_stems_a_lone_stemmer_gives() -> None:
    rng = random.Random()
    letters = "abcdefghijklmnopqrstuvwxyzäöüß"
    words = [f"{''.join(rng.choice(letters) for _ in range(rng.randint(4, 12)))}{rng.choice(ENDINGS)}"
             for _ in range(8000)]  # unseen words: the stem cache cannot answer for them
    alone = snowballstemmer.stemmer("german")
    expected = {word: [f"de:{alone.stemWord(word)}"] for word in words}
    failures: list[str] = []

    def stem(part: list[str]) -> None:
        try:
            failures.extend(word for word in part if tokenize(word, "de") != expected[word])
        except Exception as exc:  # a shared stemmer crashes half-way through a word
            failures.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, as a busy server does now and then
    try:
        threads = [threading.Thread(target=stem, args=(words[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert failures == []


@pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")
async def test_a_personal_chat_waiting_for_a_slow_answer_leaves_the_loop_idle(server: Both,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge = server.assistant.knowledge
    ask = knowledge.ask

    def slow(question: Question) -> Any:
        time.sleep(5.0)  # past teams.stream_after_s (2 s) and the first typing renewal (3 s)
        return ask(question)

    monkeypatch.setattr(knowledge, "ask", slow)
    loop = asyncio.get_running_loop()
    idle = loop._selector.select  # type: ignore[attr-defined]
    polls = 0

    def counted(timeout: float | None = None) -> Any:
        nonlocal polls
        polls += 1
        return idle(timeout)

    monkeypatch.setattr(loop._selector, "select", counted)  # type: ignore[attr-defined]
    connector = server.teams.connector
    await server.teams.send(personal(connector.url, "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"))
    [reply] = await connector.messages()
    assert actions(reply.cards[0]) and polls < 200, polls  # a spinning wait polls tens of thousands of times
