"""A bounded load in CI: the real ``innobroker serve`` under a few seconds of signed Slack mentions and Teams messages
(every event answered exactly once, every acknowledgement within 3 s), and two replicas sharing PostgreSQL and one
Chroma server, each event delivered to both, still answered exactly once. The full run is ``make load``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bench.load.outcome import summarize
from bench.load.run import Options, drain, run_load
from bench.load.traffic import Traffic, at_rate
from bot.assistant import Assistant
from bot.config import Settings, load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.service import KnowledgeService
from bot.server import build_web_app
from tests.docs import DK_NOTE, SE_NOTE
from tests.reliability.support import both_environ
from tests.servers import chroma_server
from tests.slack.conftest import DE_NOTE, Services
from tests.slack.fake_slack import FakeSlack
from tests.teams.fake_connector import FakeConnector

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")


def write_notes(folder: Path) -> Path:
    """The three small notes the load answers from."""
    folder.mkdir(parents=True)
    for name, text in (("dk.md", DK_NOTE), ("se.md", SE_NOTE), ("de.md", DE_NOTE)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def assert_exactly_once(result: dict[str, Any], slack_events: int, teams_events: int) -> None:
    """Every event answered once, nothing lost or failed, every Slack acknowledgement within 3 seconds."""
    slack, teams = result["slack"], result["teams"]
    assert (slack["events"], slack["answered"], slack["duplicates"], slack["lost"], slack["errors"]) == (
        slack_events, slack_events, 0, 0, 0), slack
    assert (teams["events"], teams["answered"], teams["duplicates"], teams["lost"], teams["errors"]) == (
        teams_events, teams_events, 0, 0, 0), teams
    assert slack["ack"]["failed"] == 0 and teams["response"]["failed"] == 0
    assert slack["ack"]["ms"]["max"] < 3000 and all(result["verdict"].values()), result["verdict"]


async def test_serve_under_a_short_burst_answers_every_event_once(tmp_path: Path, services: Services) -> None:
    prepared = tmp_path / "prepared"
    settings = load_settings(environ={}, overrides={"data_dir": prepared})
    KnowledgeService(settings, embedder=services.knowledge.embedder).ingest([write_notes(tmp_path / "notes")])
    options = Options(rate=10, seconds=4, teams_rate=2, drain_s=60, startup_s=90, work=tmp_path / "load",
                      prepared=prepared)
    result = await run_load(options)
    assert_exactly_once(result, 40, 8)
    [replica] = result["replicas"]
    assert replica["slack_posts"] == 40 and replica["rss_mb_after"] > 0


def replica_settings(fake: FakeSlack, data_dir: Path, chroma_url: str) -> Settings:
    """One replica's settings: its own data directory, the shared Chroma server."""
    return load_settings(environ=both_environ(fake), overrides={"data_dir": data_dir, "chroma_url": chroma_url,
                                                                "matching": {"embed_limit": 0}})


async def test_two_replicas_sharing_postgresql_and_chroma_answer_each_event_once(
        tmp_path: Path, services: Services, fake: FakeSlack, connector: FakeConnector, postgres_url: str) -> None:
    embedder: CachedEmbedder = services.knowledge.embedder
    with chroma_server(tmp_path / "chroma") as chroma_url:
        seed = replica_settings(fake, tmp_path / "seed", chroma_url)
        KnowledgeService(seed, embedder=embedder).ingest([write_notes(tmp_path / "notes")])
        clients: list[TestClient] = []
        cores: list[Assistant] = []
        try:
            for number in range(2):
                settings = replica_settings(fake, tmp_path / f"replica{number}", chroma_url)
                core = Assistant(settings, ConversationStore(Database(postgres_url)),
                                 KnowledgeService(settings, embedder=embedder), services.matcher)
                cores.append(core)
                clients.append(TestClient(TestServer(build_web_app(settings, core), host="127.0.0.1")))
                await clients[-1].start_server()
            targets = [(f"replica{n}", str(c.make_url("")).rstrip("/")) for n, c in enumerate(clients)]
            async with aiohttp.ClientSession() as session:
                traffic = Traffic(session, targets, connector.url)
                await asyncio.gather(at_rate(10, 30, traffic.slack, traffic), at_rate(2, 6, traffic.teams, traffic))
                await drain(traffic, fake, connector, 60)
            result = summarize(traffic, fake, connector)
        finally:
            for client, core in zip(clients, cores, strict=False):
                await client.close()
                core.close()
    assert_exactly_once(result, 30, 6)
    assert result["slack"]["ack"]["requests"] == 60 and result["teams"]["response"]["requests"] == 12  # both got all
