"""Member profiles and peer search on SQLite and PostgreSQL: interests, needs, consent (given and withdrawn),
contacts only with consent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import Database
from bot.matching.service import MatchService
from bot.workflows.service import Workflows
from bot.workflows.types import Actor, MemberProfile, PeerSearch, Refusal
from tests.workflow_support import MEMBER, OTHER, build_matcher, make_workflows

ANNA = Actor("slack", "T1", "UANNA")
BO = Actor("slack", "T1", "UBO")
CARL = Actor("slack", "T1", "UCARL")
DORA = Actor("slack", "T1", "UDORA")
ELSEWHERE = Actor("slack", "T2", "UEVE")


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


async def test_the_profile_round_trips_and_consent_is_timestamped_when_it_changes(core: Workflows) -> None:
    assert await core.member(MEMBER) == MemberProfile()
    given = MemberProfile("se-malmo", "se", "sv", " circular textiles ", "textile recycling for care homes", True)
    assert await core.save_profile(MEMBER, given, "sv") is None
    stored = await core.member(MEMBER)
    assert (stored.organisation, stored.country, stored.language, stored.interests, stored.consent) == (
        "se-malmo", "SE", "sv", "circular textiles", True)
    assert stored.consent_at is not None
    assert core.conversations.profile(MEMBER.place()).organisation == "se-malmo"  # the chat core sees it too
    await core.save_profile(MEMBER, given, "sv")
    assert (await core.member(MEMBER)).consent_at == stored.consent_at  # unchanged consent keeps its time
    withdrawn = await core.set_consent(MEMBER, False)
    assert not withdrawn.consent and withdrawn.consent_at is not None and withdrawn.consent_at >= stored.consent_at
    assert withdrawn.needs == "textile recycling for care homes"


async def test_an_unknown_organisation_is_refused_and_nothing_is_stored(core: Workflows) -> None:
    refused = await core.save_profile(MEMBER, MemberProfile("atlantis", needs="anything", consent=True), "en")
    assert isinstance(refused, Refusal) and "atlantis" in refused.errors["organisation"]
    assert await core.member(MEMBER) == MemberProfile()


async def test_peers_list_similar_members_with_contacts_only_where_consented(core: Workflows) -> None:
    profiles = {
        ANNA: MemberProfile("dk-aarhus", needs="Electric bikes for the home care staff", consent=True),
        BO: MemberProfile("dk-odense", interests="cargo bikes and e-bikes for home care", consent=False),
        CARL: MemberProfile("se-uppsala", needs="Organic school meals", consent=True),
        DORA: MemberProfile("se-malmo", needs="electric bikes for home care", consent=True),  # the asker's colleague
        ELSEWHERE: MemberProfile("de-koeln", needs="electric bikes for home care", consent=True),
    }
    for actor, member in profiles.items():
        assert await core.save_profile(actor, member, "en") is None
    await core.save_profile(OTHER, MemberProfile("se-malmo"), "en")
    found = await core.peers(OTHER, "electric bikes for home care", "en", "C1")
    assert isinstance(found, PeerSearch)
    assert [(p.organisation, p.contact, p.user) for p in found.members] == [
        ("dk-aarhus", "UANNA", "UANNA"), ("dk-odense", None, None)]
    assert found.members[0].organisation_label == "Aarhus Kommune (DK)"
    assert {"electric", "bikes", "home", "care"} <= set(found.members[0].matched)
    assert found.reply.peers and all(p.id != "se-malmo" for p in found.reply.peers)
    turn = core.conversations.turn(found.reply.turn_id or 0)
    assert turn is not None and turn.intent == "peers" and turn.place.user == "UOTHER"
    await core.set_consent(ANNA, False)
    again = await core.peers(OTHER, "electric bikes for home care", "en")
    assert isinstance(again, PeerSearch) and [p.contact for p in again.members] == [None, None]


async def test_peer_search_works_in_the_members_language(core: Workflows) -> None:
    await core.save_profile(ANNA, MemberProfile(needs="Vi søger elcykler til hjemmeplejen", consent=True), "da")
    found = await core.peers(OTHER, "elcykler i hjemmeplejen", "da")
    assert isinstance(found, PeerSearch) and [p.contact for p in found.members] == ["UANNA"]
    empty = await core.peers(OTHER, "   ", "en")
    assert isinstance(empty, Refusal) and empty.code == "invalid"
