"""Erasure (``innobroker forget``) on SQLite and PostgreSQL: everything about a person in one transaction, the
network's records kept without naming them, nothing of anybody else touched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db import Database
from bot.matching.service import MatchService
from bot.workflows import gdpr, pushes
from bot.workflows.models import ChallengeRow, PushRow
from bot.workflows.service import Workflows
from bot.workflows.types import ChallengeDraft, ChallengePlan, IntroRequest, MemberProfile, PushPlan
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


async def _network(core: Workflows) -> dict[str, int]:
    """A member who asked, requested an intro (handled by the broker), published a challenge, registered interest."""
    await core.save_profile(MEMBER, MemberProfile("se-malmo", needs="e-bikes for home care", consent=True), "en")
    await core.save_profile(OTHER, MemberProfile(needs="school meals", consent=True), "en")
    question = core.conversations.add_turn(MEMBER.place("D1"), "ask", "Hur länge?", "Hur länge?", "sv", {})
    core.conversations.feedback(question.id, "UMEMBER", "up")
    core.conversations.feedback(question.id, "UOTHER", "down")  # somebody else's vote on their question
    plan = await core.push(BROKER, NETWORK, NEED, "en")
    assert isinstance(plan, PushPlan) and plan.reply.match is not None and plan.reply.turn_id is not None
    await core.push_posted(plan.id, "CNETWORK:1.0")
    suppliers = plan.reply.match.suppliers
    intro = await core.request_intro(MEMBER, plan.reply.turn_id, "supplier", suppliers[0].id, "en")
    other_intro = await core.request_intro(OTHER, plan.reply.turn_id, "supplier", suppliers[1].id, "en")
    assert isinstance(intro, IntroRequest) and isinstance(other_intro, IntroRequest)
    await core.set_intro_status(BROKER, intro.outcome.id, "introduced", "en")
    published = await core.publish_challenge(MEMBER, ChallengeDraft("Textile loop", "recycle textiles",
                                                                     channel=NETWORK), "en")
    assert isinstance(published, ChallengePlan)
    await core.interested(OTHER, published.challenge.id, "en")
    theirs = await core.publish_challenge(OTHER, ChallengeDraft("Meals", "organic school meals", channel=NETWORK),
                                          "en")
    assert isinstance(theirs, ChallengePlan)
    await core.interested(MEMBER, theirs.challenge.id, "en")
    return {"question": question.id, "push_turn": plan.reply.turn_id, "challenge": published.challenge.id,
            "their_challenge": theirs.challenge.id}


async def test_forget_removes_a_member_and_keeps_the_networks_records(core: Workflows) -> None:
    ids = await _network(core)
    erasure = core.forget("UMEMBER")
    assert erasure.users == ["UMEMBER"] and not erasure.dry_run
    assert erasure.removed == {"profiles": 1, "feedback_on_their_turns": 1, "feedback_and_intros": 2, "turns": 1,
                               "challenge_interest": 1, "pushes_anonymised": 0, "challenges_anonymised": 1,
                               "intros_handled_anonymised": 0, "teams_personal_chats": 0}
    assert await core.member(MEMBER) == MemberProfile() and core.conversations.turn(ids["question"]) is None
    assert [v["user"] for v in core.conversations.votes(ids["push_turn"])] == ["UOTHER"]
    challenge = await core.challenge(ids["challenge"])
    assert challenge is not None and challenge.user == gdpr.FORGOTTEN and challenge.interested == 1
    theirs = await core.challenge(ids["their_challenge"])
    assert theirs is not None and theirs.user == "UOTHER" and theirs.interested == 0
    assert (await core.member(OTHER)).needs == "school meals"
    assert core.forget("UMEMBER").removed == dict.fromkeys(erasure.removed, 0)


async def test_forget_a_broker_by_email_keeps_pushes_and_intro_requests(core: Workflows) -> None:
    ids = await _network(core)
    erasure = core.forget("Broker@Example.org", platform="slack", workspace="T1")
    assert erasure.users == ["Broker@Example.org", "UBROKER"]
    assert erasure.removed["pushes_anonymised"] == 1 and erasure.removed["intros_handled_anonymised"] == 1
    with core.database.transaction() as session:
        push = session.scalars(select(PushRow)).one()
        assert (push.user_id, push.user_email, push.turn_id) == (gdpr.FORGOTTEN, None, ids["push_turn"])
    assert [v["user"] for v in core.conversations.votes(ids["push_turn"])] == ["UMEMBER", "UOTHER"]
    assert [record.status for record, _ in pushes.records(core.database)] == ["posted"]


async def test_a_dry_run_and_a_failed_erasure_change_nothing(core: Workflows, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = await _network(core)
    counted = core.forget("UMEMBER", dry_run=True)
    assert counted.dry_run and counted.removed["profiles"] == 1
    assert (await core.member(MEMBER)).needs == "e-bikes for home care"

    def broken(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(gdpr, "Erasure", broken)  # fails after every statement ran, before the commit
    with pytest.raises(RuntimeError):
        core.forget("UMEMBER")
    assert (await core.member(MEMBER)).needs == "e-bikes for home care"
    assert core.conversations.turn(ids["question"]) is not None
    with core.database.transaction() as session:
        assert session.get(ChallengeRow, ids["challenge"]).user_id == "UMEMBER"  # type: ignore[union-attr]


async def test_forget_on_the_command_line_prints_what_was_removed(core: Workflows, database_url: str,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    await _network(core)
    monkeypatch.setenv("INNOBROKER_DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path / "cli"), "forget", "UOTHER", "--dry-run"]) == 0
    assert "would remove for UOTHER:" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "cli"), "forget", "UOTHER", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["removed"]["profiles"] == 1 and printed["removed"]["feedback_and_intros"] == 2
    assert main(["--data-dir", str(tmp_path / "cli"), "forget", "UOTHER"]) == 0
    assert "nothing was stored about this person" in capsys.readouterr().out
