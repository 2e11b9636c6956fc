"""Challenges and digests on SQLite and PostgreSQL: validation, publication with suggested suppliers, interest,
and the per-channel digest (including ``innobroker digest --dry-run --json``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.conversations.store import utcnow
from bot.db import Database
from bot.matching.service import MatchService
from bot.workflows.challenges import cpv_codes, parse_amount
from bot.workflows.digest import parse_since
from bot.workflows.service import Workflows
from bot.workflows.types import Challenge, ChallengeDraft, ChallengePlan, Channel, InterestResult, PushPlan, Refusal
from tests.workflow_support import BROKER, MEMBER, NEED, NETWORK, OTHER, build_matcher, make_workflows

DRAFT = ChallengeDraft("Circular textiles for care homes", "We want to reuse and recycle textiles from our care homes.",
                       "market dialogue in May, pilot from Q4", "50k", "200 000", "EUR", "90514000, 98310000", NETWORK)


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatchService]:
    service = build_matcher(tmp_path_factory.mktemp("directory"))
    yield service
    service.close()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.dispose()


@pytest.fixture
def core(database: Database, matcher: MatchService, tmp_path: Path) -> Workflows:
    return make_workflows(database, matcher, tmp_path)


async def _published(core: Workflows, draft: ChallengeDraft = DRAFT) -> Challenge:
    plan = await core.publish_challenge(MEMBER, draft, "en")
    assert isinstance(plan, ChallengePlan), plan
    await core.challenge_posted(plan.challenge.id, "CNETWORK:2.0")
    return plan.challenge


def test_amounts_cpv_codes_and_periods_parse_or_explain() -> None:
    assert [parse_amount(text) for text in ("", "50000", "50 000", "50.000", "50,000", "50k", "1.5m", "2 mio")] == [
        None, 50_000, 50_000, 50_000, 50_000, 50_000, 1_500_000, 2_000_000]
    for bad in ("fifty", "-5", "12,5", "5kk"):
        with pytest.raises(ValueError):
            parse_amount(bad)
    assert cpv_codes("90514000-3; 98310000, 9051") == (["90514000", "98310000"], ["9051"])
    now = datetime(2026, 5, 10, 12, 0)
    assert parse_since("7d", now) == now - timedelta(days=7) and parse_since("36h", now) == now - timedelta(hours=36)
    assert parse_since("2026-05-01", now) == datetime(2026, 5, 1)
    assert parse_since("2026-05-01T10:00+02:00", now) == datetime(2026, 5, 1, 8, 0)
    with pytest.raises(ValueError, match="7d"):
        parse_since("last week", now)


def test_a_draft_is_checked_field_by_field(core: Workflows) -> None:
    assert core.validate_challenge(DRAFT, "en") == {}
    bad = ChallengeDraft(" ", "x", budget_min="100k", budget_max="5k", currency="euro", cpv="123", channel=None)
    assert core.validate_challenge(bad, "en") == {
        "title": "Required.", "need": "Required.", "budget_max": "The upper bound is below the lower bound.",
        "currency": "Use a three-letter currency code, e.g. EUR.",
        "cpv": "Not a CPV code: 123 (8 digits, e.g. 38000000).", "channel": "Choose a channel."}
    assert core.validate_challenge(ChallengeDraft("T", "a need", budget_min="lots", channel=NETWORK), "de") == {
        "budget_min": "Bitte einen Betrag, z. B. 50000 oder 50k."}


async def test_a_member_publishes_a_challenge_with_suggested_suppliers(core: Workflows) -> None:
    plan = await core.publish_challenge(MEMBER, DRAFT, "en")
    assert isinstance(plan, ChallengePlan) and plan.reply.match is not None
    challenge = plan.challenge
    assert (challenge.status, challenge.user, challenge.channel, challenge.budget()) == (
        "pending", "UMEMBER", NETWORK, "50,000–200,000 EUR")
    assert challenge.cpv == ["90514000", "98310000"] and plan.reply.match.suppliers and not plan.reply.match.peers
    assert challenge.suppliers == [s.name for s in plan.reply.match.suppliers]
    assert "CPV 90514000" in plan.reply.query
    await core.challenge_posted(challenge.id, "CNETWORK:2.0")
    stored = await core.challenge(challenge.id)
    assert stored is not None and stored.status == "posted" and stored.suppliers == challenge.suppliers
    invalid = await core.publish_challenge(MEMBER, ChallengeDraft("", "", channel=NETWORK), "en")
    assert isinstance(invalid, Refusal) and set(invalid.errors) == {"title", "need"}


async def test_only_members_publish_when_membership_is_closed(database: Database, matcher: MatchService,
                                                              tmp_path: Path) -> None:
    closed = make_workflows(database, matcher, tmp_path, members=["UMEMBER"], network_channel="CNETWORK")
    refused = await closed.publish_challenge(OTHER, DRAFT, "en")
    assert isinstance(refused, Refusal) and refused.code == "role"
    assert refused.message == "Only network members can publish challenges. Please ask UBROKER, admin@example.org."
    plan = await closed.publish_challenge(MEMBER, ChallengeDraft(DRAFT.title, DRAFT.need), "en")
    assert isinstance(plan, ChallengePlan) and plan.challenge.channel.id == "CNETWORK"  # the network channel
    assert isinstance(await closed.interested(OTHER, plan.challenge.id, "en"), Refusal)


async def test_interest_is_registered_once_and_shown_to_brokers_and_the_author(core: Workflows) -> None:
    challenge = await _published(core)
    first = await core.interested(OTHER, challenge.id, "en")
    again = await core.interested(OTHER, challenge.id, "en")
    assert isinstance(first, InterestResult) and (first.new, first.count) == (True, 1)
    assert isinstance(again, InterestResult) and (again.new, again.count) == (False, 1)
    await core.interested(BROKER, challenge.id, "en")
    refused = await core.interests(OTHER, challenge.id, "en")
    assert isinstance(refused, Refusal) and refused.code == "role"
    for allowed in (BROKER, MEMBER):
        seen = await core.interests(allowed, challenge.id, "en")
        assert not isinstance(seen, Refusal) and [p.user for p in seen[1]] == ["UOTHER", "UBROKER"]
    gone = await core.interested(OTHER, 999_999, "en")
    assert isinstance(gone, Refusal) and gone.code == "not_found"


async def test_the_digest_covers_a_channels_new_challenges_and_matches_once(core: Workflows) -> None:
    challenge = await _published(core)
    await core.interested(OTHER, challenge.id, "en")
    pushed = await core.push(BROKER, NETWORK, NEED, "en")
    assert isinstance(pushed, PushPlan) and pushed.reply.match is not None and pushed.reply.turn_id is not None
    await core.push_posted(pushed.id, "CNETWORK:3.0")
    await core.request_intro(OTHER, pushed.reply.turn_id, "supplier", pushed.reply.match.suppliers[0].id, "en")
    failed = await core.push(BROKER, NETWORK, "textile recycling for care homes", "en")
    assert isinstance(failed, PushPlan)
    await core.push_failed(failed.id, "not_in_channel")
    elsewhere = await core.push(BROKER, Channel("COTHER"), "waste collection sensors", "en")
    assert isinstance(elsewhere, PushPlan)
    await core.push_posted(elsewhere.id, "COTHER:1.0")

    digest = core.digest("slack", Channel("CNETWORK"))
    assert digest.workspace == "T1" and digest.channel.name == "buyers-network" and not digest.empty
    assert [(c.title, c.interested) for c in digest.challenges] == [(DRAFT.title, 1)]
    assert [(m.need, m.user, m.intros) for m in digest.matches] == [(NEED, "UBROKER", 1)]
    assert digest.matches[0].suppliers == [s.name for s in pushed.reply.match.suppliers]
    assert utcnow() - digest.since >= timedelta(days=7) - timedelta(minutes=1)
    core.digest_sent(digest, "CNETWORK:4.0")
    assert core.digest("slack", Channel("CNETWORK")).empty  # the next one starts where this one ended
    assert not core.digest("slack", Channel("CNETWORK"), since=parse_since("1d")).empty


async def test_digest_dry_run_prints_json_and_posts_nothing(core: Workflows, database_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    await _published(core)
    monkeypatch.setenv("INNOBROKER_DATABASE_URL", database_url)
    capsys.readouterr()
    argv = ["--data-dir", str(tmp_path / "cli"), "digest", "--channel", "CNETWORK", "--since", "7d"]
    assert main([*argv, "--dry-run", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["channel"] == "CNETWORK" and [c["title"] for c in printed["challenges"]] == [DRAFT.title]
    assert printed["challenges"][0]["budget"] == "50,000–200,000 EUR" and printed["matches"] == []
    assert main([*argv, "--dry-run"]) == 0
    assert "challenge #" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "cli"), "digest", "--channel", "CNETWORK", "--since", "soon"]) == 2
    assert core.digest("slack", Channel("CNETWORK")).challenges  # nothing was recorded as sent
