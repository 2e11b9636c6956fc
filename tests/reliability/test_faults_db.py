"""The database locked or unreachable: every request is still acknowledged within Slack's 3 seconds, the user is
told in the thread, nothing is left half-written, and the service answers again as soon as the database is back."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import bot.assistant as assistant_module
from bot.conversations import Place
from bot.conversations.models import ProcessedEvent
from bot.db import Database
from tests.reliability.support import Both, ServerFactory
from tests.reliability.tcp_proxy import TcpProxy
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import block_texts, mention
from tests.teams.activities import group

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")
QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
FAILED = "noget gik galt"


def claims(database: Database, key: str) -> list[tuple[str, bool]]:
    """The conv_events rows of a key."""
    with database.transaction() as session:
        rows = session.execute(sa.select(ProcessedEvent.key, ProcessedEvent.done).where(ProcessedEvent.key == key))
        return [(k, bool(done)) for k, done in rows]


def turns_in(server: Both, thread: str) -> bool:
    """Whether any turn was stored in a thread of channel C1."""
    return server.assistant.conversations.last_in_thread(Place("slack", "T1", "C1", thread, "U1")) is not None


async def acknowledged(server: Both, ts: str, retry: int | None = None) -> float:
    """Send a mention; assert HTTP 200; return how long the acknowledgement took."""
    started = time.perf_counter()
    response = await server.slack.event(mention(QUESTION, ts), event_id=f"Ev{ts}", retry=retry)
    assert response.status == 200
    return time.perf_counter() - started


async def test_a_lock_longer_than_the_give_up_is_acknowledged_told_leaves_nothing_and_recovers(
        make_server: ServerFactory, fake: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assistant_module, "CLAIM_GIVE_UP_S", 2.5)  # instead of 30 s, to keep the test short
    path = tmp_path / "locked.sqlite"
    database = Database(f"sqlite:///{path}")
    async with make_server(database=database) as server:
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock (a backup, a long migration)
        try:
            assert await acknowledged(server, "1.1") < 3.0
            [notice] = await fake.wait_for("chat.postMessage", timeout=10)
            assert notice.params["thread_ts"] == "1.1" and FAILED in notice.params["text"]
            await asyncio.sleep(0.5)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        await asyncio.sleep(1.0)  # the claim still waiting for the lock lands now …
        await server.assistant.drain(10)  # … and is withdrawn
        assert claims(database, "slack:msg:T1:C1:1.1") == [] and not turns_in(server, "1.1")
        assert await acknowledged(server, "1.1", retry=1) < 3.0  # a redelivery of the refused event is answered
        await acknowledged(server, "1.2")
        posts = await fake.wait_for("chat.postMessage", 3, timeout=20)
        answers = {p.params["thread_ts"]: block_texts(p.params["blocks"]) for p in posts[1:]}
        assert set(answers) == {"1.1", "1.2"} and all("Udbudsloven § 39" in text for text in answers.values())
        await server.assistant.drain(10)  # the claim is marked done just after the answer is posted
        assert claims(database, "slack:msg:T1:C1:1.1") == [("slack:msg:T1:C1:1.1", True)]
    database.dispose()


async def test_a_lock_shorter_than_the_give_up_is_acknowledged_then_answered_once(
        make_server: ServerFactory, fake: FakeSlack, tmp_path: Path) -> None:
    path = tmp_path / "brief.sqlite"
    database = Database(f"sqlite:///{path}")
    async with make_server(database=database) as server:
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            assert await acknowledged(server, "4.1") < 3.0  # the claim could not be decided in time …
            assert await acknowledged(server, "4.1", retry=1) < 3.0  # … nor its retry's
            await asyncio.sleep(1.0)
            assert fake.to("chat.postMessage") == []
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        [post] = await fake.wait_for("chat.postMessage", timeout=20)  # … so it is answered once the lock is gone
        await fake.wait_for("reactions.remove")
        await asyncio.sleep(0.5)
        assert post.params["thread_ts"] == "4.1" and "Udbudsloven § 39" in block_texts(post.params["blocks"])
        assert len(fake.to("chat.postMessage")) == 1 and FAILED not in str(fake.calls)
        await server.assistant.drain(10)
        assert claims(database, "slack:msg:T1:C1:4.1") == [("slack:msg:T1:C1:4.1", True)]
    database.dispose()


async def test_a_lock_during_the_answer_delays_it_and_loses_nothing(make_server: ServerFactory, fake: FakeSlack,
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    database = Database(f"sqlite:///{path}")
    async with make_server(database=database) as server:
        held = fake.holds["reactions.add"] = asyncio.Event()
        assert await acknowledged(server, "2.1") < 3.0
        await fake.wait_for("held:reactions.add")  # claimed; the answer is under way
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        held.set()
        await asyncio.sleep(1.5)
        assert fake.to("chat.postMessage") == []  # storing the turn waits for the lock
        locker.execute("ROLLBACK")
        locker.close()
        [post] = await fake.wait_for("chat.postMessage", timeout=20)
        assert post.params["thread_ts"] == "2.1" and "Udbudsloven § 39" in block_texts(post.params["blocks"])
        await server.assistant.drain(10)
        assert turns_in(server, "2.1") and claims(database, "slack:msg:T1:C1:2.1") == [("slack:msg:T1:C1:2.1", True)]
    database.dispose()


async def test_postgresql_unreachable_acknowledges_tells_both_surfaces_and_recovers(
        make_server: ServerFactory, fake: FakeSlack, postgres_url: str) -> None:
    proxy = await TcpProxy(5432).start()
    url = postgres_url.replace(":5432/", f":{proxy.port}/")
    database = await asyncio.to_thread(Database, url)  # blocking calls off the loop: the proxy runs on it
    try:
        async with make_server(database=database) as server:
            await acknowledged(server, "3.1")
            await fake.wait_for("chat.postMessage", timeout=20)
            await proxy.stop()  # the database host goes away: connections dropped, new ones refused
            assert await acknowledged(server, "3.2") < 3.0
            notice = (await fake.wait_for("chat.postMessage", 2, timeout=10))[1]
            assert notice.params["thread_ts"] == "3.2" and FAILED in notice.params["text"]
            connector = server.teams.connector
            started = time.perf_counter()
            response = await server.teams.send(group(connector.url, QUESTION))
            assert response.status < 500 and time.perf_counter() - started < 3.0
            [teams_notice] = await connector.messages()
            assert FAILED in str(teams_notice.activity)
            await proxy.start()  # back
            await acknowledged(server, "3.3")
            answer = (await fake.wait_for("chat.postMessage", 3, timeout=20))[2].params
            assert answer["thread_ts"] == "3.3" and "Udbudsloven § 39" in block_texts(answer["blocks"])
            await server.assistant.drain(10)
            assert not await asyncio.to_thread(turns_in, server, "3.2")
            assert await asyncio.to_thread(claims, database, "slack:msg:T1:C1:3.2") == []
    finally:
        await proxy.stop()
        await asyncio.to_thread(database.dispose)
