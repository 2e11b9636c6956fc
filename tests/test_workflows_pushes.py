"""Broker pushes on SQLite and PostgreSQL: roles, what is recorded, duplicate suppression, failures, concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.conversations.store import utcnow
from bot.db import Database
from bot.matching.service import MatchService
from bot.matching.types import MatchResult, Suggestion
from bot.workflows import pushes
from bot.workflows.models import PushRow
from bot.workflows.service import Workflows
from bot.workflows.types import Channel, PushPlan, Refusal
from tests.workflow_support import BROKER, MEMBER, NEED, NETWORK, build_matcher, make_workflows


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatchService]:
    service = build_matcher(tmp_path_factory.mktemp("directory"))
    yield service
    service.close()


@pytest.fixture
def core(database_url: str, matcher: MatchService, tmp_path: Path) -> Iterator[Workflows]:
    database = Database(database_url)
    yield make_workflows(database, matcher, tmp_path)
    database.dispose()


def _match(*ids: str) -> MatchResult:
    return MatchResult("need", "en", [], [Suggestion(i, i.title(), 0.5, []) for i in ids], [])


async def _pushed(core: Workflows, need: str = NEED, channel: Channel = NETWORK) -> PushPlan:
    plan = await core.push(BROKER, channel, need, "en")
    assert isinstance(plan, PushPlan), plan
    await core.push_posted(plan.id, f"{channel.id}:1.0")
    return plan


async def test_only_brokers_push_and_the_refusal_names_them(core: Workflows) -> None:
    refused = await core.push(MEMBER, NETWORK, NEED, "en")
    assert isinstance(refused, Refusal) and refused.code == "role"
    assert refused.message == ("Only brokers can push matches into channels. "
                               "Please ask UBROKER, admin@example.org.")
    assert pushes.records(core.database) == []


async def test_a_push_records_who_where_and_what(core: Workflows) -> None:
    plan = await core.push(BROKER, NETWORK, NEED, "en")
    assert isinstance(plan, PushPlan) and plan.reply.match is not None
    suppliers = [s.id for s in plan.reply.match.suppliers]
    assert suppliers and plan.reply.match.peers
    turn = core.conversations.turn(plan.reply.turn_id or 0)
    assert turn is not None and (turn.place.channel, turn.place.user, turn.intent) == ("CNETWORK", "", "match")
    assert [s["id"] for s in turn.result["suppliers"]] == suppliers
    [(record, intros)] = pushes.records(core.database)
    assert (record.user, record.email, record.channel, record.need, record.status, intros) == (
        "UBROKER", "broker@example.org", NETWORK, NEED, "pending", 0)
    assert [s["id"] for s in record.suggestions if s["kind"] == "supplier"] == suppliers
    await core.push_posted(plan.id, "CNETWORK:1712.0001")
    [(posted, _)] = pushes.records(core.database)
    assert (posted.status, posted.message_ref) == ("posted", "CNETWORK:1712.0001")


async def test_the_same_need_is_not_pushed_twice_to_a_channel_within_the_window(core: Workflows) -> None:
    await _pushed(core)
    again = await core.push(BROKER, NETWORK, "  electric BIKES for home-care staff!! ", "en")
    assert isinstance(again, Refusal) and again.code == "duplicate"
    assert "#buyers-network by UBROKER" in again.message and "within 7 days" in again.message
    assert isinstance(await core.push(BROKER, Channel("COTHER"), NEED, "en"), PushPlan)
    assert len(pushes.records(core.database)) == 2


def test_a_reworded_need_with_the_same_suggestions_is_the_same_suggestion(core: Workflows) -> None:
    since = utcnow() - timedelta(days=7)
    first, created = pushes.reserve(core.database, BROKER, NETWORK, "textile recycling", _match("s1", "s2"), "en",
                                    since)
    second, again = pushes.reserve(core.database, BROKER, NETWORK, "recycling of textiles", _match("s2", "s1"), "en",
                                   since)
    assert created and not again and second.id == first.id
    _, different = pushes.reserve(core.database, BROKER, NETWORK, "recycling of textiles", _match("s3"), "en", since)
    _, nothing = pushes.reserve(core.database, BROKER, NETWORK, "empty a", _match(), "en", since)
    _, nothing_again = pushes.reserve(core.database, BROKER, NETWORK, "empty b", _match(), "en", since)
    assert different and nothing and nothing_again  # an empty suggestion set never counts as "the same"


async def test_failed_and_expired_pushes_do_not_block_a_new_one(core: Workflows) -> None:
    plan = await core.push(BROKER, NETWORK, NEED, "en")
    assert isinstance(plan, PushPlan)
    await core.push_failed(plan.id, "not_in_channel")
    retried = await _pushed(core)
    with core.database.transaction() as session:
        session.execute(update(PushRow).where(PushRow.id == retried.id)
                        .values(created_at=utcnow() - timedelta(days=7, minutes=1)))
    pending = await core.push(BROKER, NETWORK, NEED, "en")
    assert isinstance(pending, PushPlan)
    assert isinstance(await core.push(BROKER, NETWORK, NEED, "en"), Refusal)  # being posted right now
    with core.database.transaction() as session:  # … until it is ten minutes old: an interrupted push
        session.execute(update(PushRow).where(PushRow.id == pending.id)
                        .values(created_at=utcnow() - timedelta(minutes=11)))
    assert isinstance(await core.push(BROKER, NETWORK, NEED, "en"), PushPlan)
    records = sorted((record for record, _ in pushes.records(core.database)), key=lambda record: record.id)
    assert [(r.status, r.error) for r in records] == [("failed", "not_in_channel"), ("posted", None),
                                                      ("pending", None), ("pending", None)]


def test_concurrent_pushes_of_one_suggestion_reserve_it_once(core: Workflows) -> None:
    since = utcnow() - timedelta(days=7)
    with ThreadPoolExecutor(6) as pool:
        created = list(pool.map(lambda n: pushes.reserve(core.database, BROKER, NETWORK, f"need {n % 2}",
                                                         _match("s1"), "en", since)[1], range(6)))
    assert created.count(True) == 1 and len(pushes.records(core.database)) == 1


async def test_needs_without_suggestions_or_text_are_not_pushed(core: Workflows) -> None:
    empty = await core.push(BROKER, NETWORK, "zzqx qqvv", "en")
    blank = await core.push(BROKER, NETWORK, "   ", "de")
    assert isinstance(empty, Refusal) and empty.code == "empty" and "nothing was pushed" in empty.message
    assert isinstance(blank, Refusal) and blank.message == "Schreiben Sie den Bedarf nach dem Kanal."
    assert pushes.records(core.database) == []
