"""Tenant isolation: one Slack workspace or Teams tenant never sees another's follow-up context, turns, feedback,
profiles, intro requests, challenges or member contacts, even when channel, thread and user ids collide and a
button's value names the other tenant's records; chat messages and files never enter the shared knowledge base."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.assistant import Assistant, Request
from bot.conversations import Place, Profile
from bot.handlers.slack.delivery import slack_place
from bot.intent import Intent
from bot.workflows.service import Workflows
from bot.workflows.types import (
    Actor,
    ChallengeDraft,
    ChallengePlan,
    Channel,
    InterestResult,
    IntroRequest,
    MemberProfile,
    PeerSearch,
    Refusal,
)
from tests.reliability.support import TEAMS_WARNING, Both
from tests.slack.harness import block_texts, buttons, direct, mention
from tests.teams.activities import execute, personal
from tests.teams.conftest import actions
from tests.teams.fake_connector import FakeConnector

pytestmark = TEAMS_WARNING
SV = "Hur länge får ett ramavtal gälla i Sverige?"
SV_FOLLOWUP = "och med särskilda skäl?"
DK = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
NEED = "Electric bikes for home care staff"


def _as(team: str, user: str = "U1") -> dict[str, Any]:
    return {"team": {"id": team, "domain": team.lower()}, "user": {"id": user, "team_id": team}}


async def test_slack_workspaces_share_no_follow_ups_turns_feedback_or_home(server: Both) -> None:
    slack = server.slack
    await slack.event(mention(SV, "200.1"), team="T1")
    [first] = await slack.fake.wait_for("chat.postMessage")
    turn_t1 = int(buttons(first.params["blocks"])[0]["value"])
    await slack.event(mention(SV_FOLLOWUP, "200.2", thread_ts="200.1"), team="T2")  # same channel, thread, user
    _, second = await slack.fake.wait_for("chat.postMessage", 2)
    assert "uppföljning av" not in block_texts(second.params["blocks"])
    await slack.event(mention(SV_FOLLOWUP, "200.3", thread_ts="200.1"), team="T1")  # control: T1 sees its thread
    *_, third = await slack.fake.wait_for("chat.postMessage", 3)
    assert f"uppföljning av ”{SV}”" in block_texts(third.params["blocks"])

    await slack.interact({**_as("T2"), "type": "block_actions", "response_url": f"{slack.fake.base}/response/other",
                          "channel": {"id": "C1"}, "container": {"type": "message", "channel_id": "C1"},
                          "actions": [{"action_id": "feedback_up", "block_id": "b", "type": "button",
                                       "value": str(turn_t1), "action_ts": "1.1"}]})
    [refused] = await slack.fake.wait_for("response:other")
    assert refused.params["text"] == "That request is no longer stored."
    assert server.assistant.conversations.votes(turn_t1) == []

    await server.assistant.save_profile(Place("slack", "T1", "", "", "U1"), Profile(None, "SE", "sv"))
    assert await server.assistant.profile(Place("slack", "T2", "", "", "U1")) == Profile()
    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "1"},
                      team="T2")
    [home] = await slack.fake.wait_for("views.publish")
    home_text = json.dumps(home.params["view"], ensure_ascii=False)
    assert SV not in home_text and SV_FOLLOWUP in home_text  # only T2's own question


async def test_teams_tenants_share_no_follow_ups_turns_or_feedback(server: Both, connector: FakeConnector) -> None:
    def in_tenant(activity: dict[str, Any], tenant: str) -> dict[str, Any]:
        activity["conversation"]["tenantId"] = tenant
        activity["channelData"] = {"tenant": {"id": tenant}}
        return activity

    await server.teams.send(in_tenant(personal(connector.url, SV), "tenant-x"))
    [answer] = await connector.messages()
    turn_x = actions(answer.cards[0])[0]["data"]["turn"]
    await server.teams.send(in_tenant(personal(connector.url, SV_FOLLOWUP), "tenant-y"))  # same chat and user ids
    _, followup = await connector.messages(2)
    assert "uppföljning av" not in json.dumps(followup.cards, ensure_ascii=False)
    turn_y = await server.assistant.turn(actions(followup.cards[0])[0]["data"]["turn"])
    assert turn_y is not None and turn_y.place.workspace == "tenant-y" and turn_y.query == SV_FOLLOWUP

    click = in_tenant(execute(connector.url, "feedback_up", {"verb": "feedback_up", "turn": turn_x}), "tenant-y")
    response = await server.teams.send(click)
    assert (await response.json())["value"] == "That request is no longer stored."
    assert server.assistant.conversations.votes(turn_x) == []
    own = in_tenant(execute(connector.url, "feedback_up", {"verb": "feedback_up", "turn": turn_x}), "tenant-x")
    assert (await (await server.teams.send(own)).json())["value"] != "That request is no longer stored."
    assert [v["verdict"] for v in server.assistant.conversations.votes(turn_x)] == ["up"]


@pytest.mark.parametrize("platform", ["slack", "teams"])
async def test_workflow_records_of_one_tenant_are_out_of_reach_of_another(brokered: Assistant, platform: str) -> None:
    core = Workflows.of(brokered)
    member_a, broker_a = Actor(platform, "A", "UMEMBER"), Actor(platform, "A", "UBROKER")
    member_b, broker_b = Actor(platform, "B", "UMEMBER"), Actor(platform, "B", "UBROKER")  # same user ids
    reply = await brokered.reply(Request(NEED, member_a.place("C1"), Intent.MATCH))
    assert reply.match is not None and reply.turn_id is not None
    supplier = reply.match.suppliers[0].id
    intro = await core.request_intro(member_a, reply.turn_id, "supplier", supplier, "en")
    assert isinstance(intro, IntroRequest)
    plan = await core.publish_challenge(member_a, ChallengeDraft("Circular textiles", "Recycling textiles from care "
                                                                 "homes", channel=Channel("CNET")), "en")
    assert isinstance(plan, ChallengePlan)

    crossing = [await core.request_intro(member_b, reply.turn_id, "supplier", supplier, "en"),
                await core.dismiss(member_b, reply.turn_id, "supplier", supplier, "en"),
                await core.set_intro_status(broker_b, intro.outcome.id, "declined", "en"),
                await core.interested(member_b, plan.challenge.id, "en"),
                await core.interests(broker_b, plan.challenge.id, "en")]
    assert all(isinstance(r, Refusal) and r.code == "not_found" for r in crossing), crossing
    overview_b = await core.overview(broker_b, "en")
    assert not isinstance(overview_b, Refusal) and overview_b.open_total == 0 and overview_b.challenges == []
    overview_a = await core.overview(broker_a, "en")
    assert not isinstance(overview_a, Refusal) and [o.status for o in overview_a.open_intros] == ["open"]
    assert isinstance(await core.interested(Actor(platform, "A", "UOTHER"), plan.challenge.id, "en"), InterestResult)

    needs = MemberProfile(needs="electric bikes for home care staff", consent=True)
    assert await core.save_profile(Actor(platform, "A", "UPEER"), needs, "en") is None
    seen_a = await core.peers(member_a, "electric bikes home care", "en")
    seen_b = await core.peers(member_b, "electric bikes home care", "en")
    assert isinstance(seen_a, PeerSearch) and [p.user for p in seen_a.members] == ["UPEER"]
    assert isinstance(seen_b, PeerSearch) and seen_b.members == []


async def test_chat_messages_and_files_never_enter_the_shared_knowledge_base(server: Both,
                                                                            connector: FakeConnector) -> None:
    store = server.assistant.knowledge.store
    before = (store.count(), sorted(store.documents()))
    file = {"id": "F1", "name": "private-tender.pdf", "mimetype": "application/pdf",
            "url_private": f"{server.slack.fake.base}/files/F1"}
    await server.slack.event(direct(DK, "700.1", subtype="file_share", files=[file]))
    await server.slack.fake.wait_for("chat.postMessage")
    attachment = {"contentType": "application/vnd.microsoft.teams.file.download.info", "name": "private-tender.pdf",
                  "content": {"downloadUrl": f"{connector.url}files/1", "fileType": "pdf"}}
    await server.teams.send(personal(connector.url, DK, attachments=[attachment]))
    await connector.messages()
    assert (store.count(), sorted(store.documents())) == before
    assert not [c for c in server.slack.fake.calls if "files" in c.method]


def test_a_click_in_an_org_wide_install_is_placed_in_the_users_workspace() -> None:
    click = {"type": "block_actions", "team": None, "enterprise": {"id": "E1"}, "user": {"id": "U1", "team_id": "T9"}}
    assert slack_place(click, "", None, "U1").workspace == "T9"  # as its events are: feedback lands on its turns
    event = {"type": "event_callback", "team_id": "T9", "enterprise_id": "E1", "event": {"user": "U1"}}
    assert slack_place(event, "C1", None, "U1").workspace == "T9"
