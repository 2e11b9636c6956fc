"""Operations: /healthz checks the knowledge store and the database (503 with the failure), a shutdown finishes the
answers in progress on Slack and Teams, and ``backup``/``restore`` round-trip the data directory, verified first."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import sqlite3
import tarfile
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port

from bot.assistant import Assistant
from bot.cli import main
from bot.config import load_settings
from bot.conversations import ConversationStore, Place
from bot.db import Database
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.service import KnowledgeService
from bot.knowledge.store import open_chroma_client
from bot.server import build_web_app
from bot.types import Question
from tests.docs import DK_NOTE
from tests.fake_llm import Turn, fake_chat_server
from tests.reliability.support import TEAMS_WARNING, ServerFactory, both_environ
from tests.reliability.test_security import envelope, signed
from tests.slack.conftest import Services
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import mention
from tests.teams.activities import group
from tests.teams.fake_connector import FakeConnector

pytestmark = TEAMS_WARNING
DK = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"


async def test_healthz_reports_the_store_and_the_database_and_503_when_one_fails(
        make_server: ServerFactory, services: Services, tmp_path: Path) -> None:
    async with make_server() as server:
        response = await server.client.get("/healthz")
        body = await response.json()
        assert response.status == 200 and body["ok"] is True and body["surfaces"] == ["slack", "teams"]
        assert body["checks"]["store"]["ok"] and body["checks"]["store"]["chunks"] > 0
        assert body["checks"]["database"] == {"ok": True}

    doomed = tmp_path / "database"
    database = Database(f"sqlite:///{doomed / 'innobroker.sqlite'}")
    async with make_server(database=database) as server:
        database.dispose()
        shutil.rmtree(doomed)  # the volume holding the database is gone
        response = await server.client.get("/healthz")
        body = await response.json()
        assert response.status == 503 and body["ok"] is False and body["checks"]["store"]["ok"] is True
        assert body["checks"]["database"]["ok"] is False
        assert "unable to open database file" in body["checks"]["database"]["error"]

    settings = load_settings(environ={}, overrides={"data_dir": tmp_path / "store", "matching": {"embed_limit": 0}})
    knowledge = KnowledgeService(settings, embedder=services.knowledge.embedder)
    assistant = Assistant(settings, ConversationStore(Database(settings.resolved_database_url)), knowledge,
                          services.matcher)
    try:
        async with make_server(assistant=assistant) as server:
            assert (await server.client.get("/healthz")).status == 200
            open_chroma_client(settings.chroma_path, None).delete_collection(settings.collection)  # store wiped
            response = await server.client.get("/healthz")
            body = await response.json()
            assert response.status == 503 and body["checks"]["database"]["ok"] is True
            assert body["checks"]["store"]["ok"] is False and body["checks"]["store"]["error"]
    finally:
        assistant.close()


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    port = unused_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def test_shutdown_finishes_a_slack_answer_in_progress_and_takes_no_new_work(
        services: Services, fake: FakeSlack, tmp_path: Path) -> None:
    settings = load_settings(environ=both_environ(fake), overrides={
        "data_dir": services.settings.data_dir, "matching": {"embed_limit": 0}})
    database = Database(f"sqlite:///{tmp_path / 'conversations.sqlite'}")
    assistant = Assistant(settings, ConversationStore(database), services.knowledge, services.matcher)
    runner, url = await _serve(build_web_app(settings, assistant))
    release = fake.holds["chat.postMessage"] = asyncio.Event()
    try:
        body = envelope(mention(DK, "900.1"), "EvDRAIN1")
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/slack/events", data=body.encode(),
                                    headers=signed(body, int(time.time()))) as response:
                assert response.status == 200  # acknowledged; the answer is on its way
            await fake.wait_for("held:chat.postMessage")
            stopping = asyncio.ensure_future(runner.cleanup())  # what SIGTERM does in web.run_app
            await asyncio.sleep(0.5)
            assert not stopping.done()  # waiting for the answer in progress
            late = envelope(mention(DK, "900.2"), "EvDRAIN2")
            with pytest.raises(aiohttp.ClientConnectionError):  # the listener is closed: no new work starts
                async with aiohttp.ClientSession() as fresh:
                    await fresh.post(f"{url}/slack/events", data=late.encode(), headers=signed(late, int(time.time())))
            released = time.monotonic()
            release.set()
            await asyncio.wait_for(stopping, 30)
            assert time.monotonic() - released < 5  # stopped once the answer was out, not at the drain's limit
        [answer] = fake.to("chat.postMessage")
        assert answer.params["thread_ts"] == "900.1" and "Udbudsloven § 39" in str(answer.params["blocks"])
        assert not await assistant.claim("slack:msg:T1:C1:900.1")  # finished, never to be answered again
        assert assistant.conversations.last_in_thread(_place("900.1")) is not None
    finally:
        release.set()
        assistant.close()


def _place(thread: str) -> Place:
    return Place("slack", "T1", "C1", thread, "U1")


async def test_shutdown_finishes_a_teams_follow_up_in_progress(services: Services, fake: FakeSlack,
                                                               connector: FakeConnector, tmp_path: Path) -> None:
    with fake_chat_server() as llm:
        llm.responder = lambda _: Turn("Ja, en ordregiver må gerne tale med leverandører, før et udbud "
                                       "annonceres [1].", delay_s=2.0)
        settings = load_settings(environ=both_environ(fake), overrides={
            "data_dir": services.settings.data_dir, "matching": {"embed_limit": 0},
            "teams": {"reply_budget_s": 0.3, "typing_every_s": 5},
            "llm": {"provider": "compatible", "base_url": llm.url, "model": "fake", "timeout_s": 10,
                    "max_retries": 0, "stream": False}})
        knowledge = KnowledgeService(settings, embedder=services.knowledge.embedder)
        database = Database(f"sqlite:///{tmp_path / 'conversations.sqlite'}")
        assistant = Assistant(settings, ConversationStore(database), knowledge, services.matcher)
        runner, url = await _serve(build_web_app(settings, assistant))
        try:
            async with aiohttp.ClientSession() as session, session.post(
                    f"{url}/api/messages", json=group(connector.url, DK)) as response:
                assert response.status in (200, 202)
            [note] = await connector.messages()
            assert "Det tager længere tid end normalt" in str(note.activity)
            await runner.cleanup()  # the model is still writing: shutdown waits for the follow-up
            _, answer = connector.of("message")
            assert "Ja, en ordregiver må gerne tale med leverandører" in str(answer.activity)
        finally:
            assistant.close()


def _data_dir(tmp_path: Path, embedder: CachedEmbedder) -> tuple[Path, int]:
    """A data directory as a running bot leaves it: the store with one note, the database with a turn, a cache."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "dk.md").write_text(DK_NOTE, encoding="utf-8")
    settings = load_settings(environ={}, overrides={"data_dir": tmp_path / "data"})
    KnowledgeService(settings, embedder=embedder).ingest([notes])
    database = Database(settings.resolved_database_url)
    turn = ConversationStore(database).add_turn(_place("1.1"), "ask", DK, DK, "da", {"answer": "ok"})
    database.dispose()
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    (settings.cache_dir / "note.txt").write_text("cached", encoding="utf-8")
    return settings.data_dir, turn.id


def _cli(*args: str) -> int:
    return main([str(arg) for arg in args])


def test_backup_and_restore_round_trip_a_live_data_directory(tmp_path: Path, embedder: CachedEmbedder,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    data, turn_id = _data_dir(tmp_path, embedder)
    archive = tmp_path / "backups" / "innobroker.tar.gz"
    writer = sqlite3.connect(data / "innobroker.sqlite")  # a writer in the middle of a transaction
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE conv_turns SET text = 'not committed'")
    try:
        assert _cli("--data-dir", data, "backup", "--out", archive, "--json") == 0
    finally:
        writer.rollback()
        writer.close()
    made = json.loads(capsys.readouterr().out)
    assert made["archive"] == str(archive) and made["files"] >= 4 and made["not_included"] == []
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "innobroker-backup.json" in names and "data/innobroker.sqlite" in names
    assert "data/chroma/chroma.sqlite3" in names and not any(n.endswith(("-wal", "-shm")) for n in names)

    restored = tmp_path / "restored"
    assert _cli("--data-dir", restored, "restore", archive) == 0
    turn = ConversationStore(Database(f"sqlite:///{restored / 'innobroker.sqlite'}")).turn(turn_id)
    assert turn is not None and turn.text == DK  # the committed state, not the open transaction
    settings = load_settings(environ={}, overrides={"data_dir": restored})
    answer = KnowledgeService(settings, embedder=embedder).ask(Question(DK, "da"))
    assert answer.citations and answer.citations[0].label == "Udbudsloven § 39"
    assert (restored / "cache" / "note.txt").read_text(encoding="utf-8") == "cached"


def test_restore_refuses_to_overwrite_and_verifies_before_replacing_anything(
        tmp_path: Path, embedder: CachedEmbedder, capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = _data_dir(tmp_path, embedder)
    archive = tmp_path / "good.tar.gz"
    assert _cli("--data-dir", data, "backup", "--out", archive) == 0
    target = tmp_path / "live"
    target.mkdir()
    (target / "keep.txt").write_text("current data", encoding="utf-8")
    assert _cli("--data-dir", target, "restore", archive) == 2
    assert "not empty: pass --force" in capsys.readouterr().err

    damaged = tmp_path / "damaged.tar.gz"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    traversal = tmp_path / "traversal.tar.gz"
    with tarfile.open(archive) as good, tarfile.open(traversal, "w:gz") as evil:
        for member in good.getmembers():
            evil.addfile(member, good.extractfile(member))
        payload = b"owned"
        info = tarfile.TarInfo("data/../../escaped.txt")
        info.size = len(payload)
        evil.addfile(info, io.BytesIO(payload))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as good, tarfile.open(tampered, "w:gz") as bad:
        for member in good.getmembers():
            content = good.extractfile(member)
            if member.name == "data/cache/note.txt":
                member.size, content = 6, io.BytesIO(b"forged")
            bad.addfile(member, content)
    damages = ("not a readable backup archive", "does not match its manifest", "is damaged")  # where it broke
    for broken, reasons in ((damaged, damages), (traversal, ("outside data/",)),
                            (tampered, ("cache/note.txt is damaged",)), (tmp_path / "missing.tar.gz", damages)):
        assert _cli("--data-dir", target, "restore", broken, "--force") == 2, broken
        err = capsys.readouterr().err
        assert any(reason in err for reason in reasons), err
        assert [p.name for p in target.iterdir()] == ["keep.txt"]  # nothing replaced
    assert not (tmp_path / "escaped.txt").exists() and not list(tmp_path.glob(".live.restore-*"))

    assert _cli("--data-dir", target, "restore", archive, "--force") == 0
    assert not (target / "keep.txt").exists() and (target / "innobroker.sqlite").is_file()
    assert not list(tmp_path.glob(".live.restore-*"))
