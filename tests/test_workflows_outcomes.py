"""Outcomes on SQLite and PostgreSQL: intro requests and their follow-up, "not relevant" reasons, the broker
overview, and the ``report`` exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.db import Database
from bot.matching.service import MatchService
from bot.workflows import outcomes
from bot.workflows.service import Workflows
from bot.workflows.types import BrokerOverview, IntroRequest, Outcome, PushPlan, Refusal
from tests.workflow_support import BROKER, MEMBER, NEED, NETWORK, OTHER, build_matcher, make_workflows


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


async def _card(core: Workflows) -> tuple[int, list[str], list[str]]:
    plan = await core.push(BROKER, NETWORK, NEED, "en")
    assert isinstance(plan, PushPlan) and plan.reply.match is not None and plan.reply.turn_id is not None
    await core.push_posted(plan.id, "CNETWORK:1.0")
    return (plan.reply.turn_id, [s.id for s in plan.reply.match.suppliers],
            [s.name for s in plan.reply.match.suppliers])


async def test_an_intro_request_is_recorded_open_once_and_names_the_brokers(core: Workflows) -> None:
    turn, ids, names = await _card(core)
    first = await core.request_intro(MEMBER, turn, "supplier", ids[0], "en")
    assert isinstance(first, IntroRequest) and first.new
    assert (first.outcome.status, first.outcome.name, first.outcome.user, first.outcome.need) == (
        "open", names[0], "UMEMBER", NEED)
    assert first.brokers == ("UBROKER",)  # admins are not notified while there are brokers
    again = await core.request_intro(MEMBER, turn, "supplier", ids[0], "en")
    assert isinstance(again, IntroRequest) and not again.new and again.outcome.id == first.outcome.id
    assert [(v["user"], v["target"], v["verdict"]) for v in core.conversations.votes(turn)] == [
        ("UMEMBER", f"supplier:{ids[0]}", "intro")]
    missing = await core.request_intro(MEMBER, 999_999, "supplier", ids[0], "en")
    assert isinstance(missing, Refusal) and missing.code == "not_found"


async def test_only_brokers_follow_up_intros_and_the_requester_can_be_told(core: Workflows) -> None:
    turn, ids, names = await _card(core)
    intro = await core.request_intro(MEMBER, turn, "supplier", ids[1], "en")
    assert isinstance(intro, IntroRequest)
    refused = await core.set_intro_status(OTHER, intro.outcome.id, "introduced", "en")
    assert isinstance(refused, Refusal) and refused.code == "role" and "UBROKER" in refused.message
    done = await core.set_intro_status(BROKER, intro.outcome.id, "introduced", "en", note="met on 3 May")
    assert isinstance(done, Outcome)
    assert (done.status, done.handled_by, done.note, done.user, done.name) == (
        "introduced", "UBROKER", "met on 3 May", "UMEMBER", names[1])
    assert isinstance(await core.set_intro_status(BROKER, intro.outcome.id, "won", "en"), Refusal)
    assert isinstance(await core.set_intro_status(BROKER, 999_999, "declined", "en"), Refusal)
    overview = await core.overview(BROKER, "en")
    assert isinstance(overview, BrokerOverview) and overview.open_total == 0
    assert [(o.name, o.status) for o in overview.outcomes] == [(names[1], "introduced")]


async def test_not_relevant_keeps_an_optional_reason_and_can_become_an_intro(core: Workflows) -> None:
    turn, ids, _ = await _card(core)
    plain = await core.dismiss(MEMBER, turn, "supplier", ids[2], "en")
    assert isinstance(plain, Outcome) and (plain.verdict, plain.reason, plain.status) == ("dismiss", None, None)
    reasoned = await core.dismiss(MEMBER, turn, "supplier", ids[2], "en", "size", "far too large for us")
    assert isinstance(reasoned, Outcome) and reasoned.id == plain.id
    assert (reasoned.reason, reasoned.comment) == ("size", "far too large for us")
    changed = await core.request_intro(MEMBER, turn, "supplier", ids[2], "en")
    assert isinstance(changed, IntroRequest) and changed.new and changed.outcome.status == "open"


async def test_the_broker_overview_is_for_brokers(core: Workflows) -> None:
    turn, ids, _ = await _card(core)
    for org in ids[:3]:
        await core.request_intro(MEMBER, turn, "supplier", org, "en")
    await core.dismiss(OTHER, turn, "supplier", ids[4], "en", "known")
    refused = await core.overview(MEMBER, "sv")
    assert isinstance(refused, Refusal) and refused.message.startswith("Bara mäklare kan se och uppdatera")
    overview = await core.overview(BROKER, "en", limit=2)
    assert isinstance(overview, BrokerOverview)
    assert overview.open_total == 3 and len(overview.open_intros) == 2
    assert [(o.verdict, o.reason) for o in overview.outcomes] == [("dismiss", "known")]


async def test_outcomes_and_intros_export_as_csv_and_json(core: Workflows, database_url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    turn, ids, names = await _card(core)
    intro = await core.request_intro(MEMBER, turn, "supplier", ids[0], "en")
    assert isinstance(intro, IntroRequest)
    await core.set_intro_status(BROKER, intro.outcome.id, "declined", "en")
    await core.dismiss(OTHER, turn, "peer", "se-malmo", "en", "country", "we are in Denmark")
    monkeypatch.setenv("INNOBROKER_DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path / "cli"), "report", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["verdict"], r["status"], r["user"], r["organisation"], r["reason"], r["comment"]) for r in rows] == [
        ("intro", "declined", "UMEMBER", names[0], "", ""),
        ("dismiss", "", "UOTHER", "se-malmo", "country", "we are in Denmark")]
    assert rows[0]["handled_by"] == "UBROKER" and rows[0]["need"] == NEED and rows[0]["channel"] == "CNETWORK"
    assert main(["--data-dir", str(tmp_path / "cli"), "report", "intros", "--format", "json"]) == 0
    [intro_row] = json.loads(capsys.readouterr().out)
    assert (intro_row["status"], intro_row["organisation_id"]) == ("declined", ids[0]) and "verdict" not in intro_row
    output = tmp_path / "pushes.csv"
    assert main(["--data-dir", str(tmp_path / "cli"), "report", "pushes", "--output", str(output)]) == 0
    [push] = list(csv.DictReader(output.open(encoding="utf-8")))
    assert (push["pushed_by"], push["status"], push["intros"], push["channel_name"]) == (
        "UBROKER", "posted", "1", "buyers-network")
    assert push["suppliers"].split("; ") == names


async def test_an_intro_turned_not_relevant_is_no_longer_open(core: Workflows) -> None:
    turn, ids, _ = await _card(core)
    await core.request_intro(MEMBER, turn, "supplier", ids[3], "en")
    core.conversations.feedback(turn, "UMEMBER", "dismiss", f"supplier:{ids[3]}")  # what the Slack button writes
    [outcome] = outcomes.listing(core.database)
    assert (outcome.verdict, outcome.status) == ("dismiss", None)
    assert outcomes.count(core.database, "slack", "T1") == 0
    overview = await core.overview(BROKER, "en")
    assert isinstance(overview, BrokerOverview) and overview.open_intros == []
