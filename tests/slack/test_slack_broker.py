"""Broker workflows end to end through the real Slack handler (signed requests, the fake Web API), on SQLite and
PostgreSQL: push, duplicate suppression, role refusal, not in channel, intro request and follow-up, not relevant,
profile form, consent, peer search, challenge publication and interest, App Home, and the digest from the CLI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.cli import main
from bot.db import Database
from bot.workflows import outcomes, pushes
from tests.slack.conftest import HarnessFactory
from tests.slack.fake_slack import TEAM
from tests.slack.harness import SECRET, Harness, block_texts, buttons
from tests.slack.test_slack_interactions import option, text_value, view_submission

NEED = "Electric bikes for home care staff"
ROLES = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
         "INNOBROKER_WORKFLOWS__BROKERS": "UBROKER, Bea@example.org",
         "INNOBROKER_WORKFLOWS__ADMINS": "admin@example.org", "INNOBROKER_WORKFLOWS__NETWORK_CHANNEL": "CNET"}


@pytest.fixture
async def broker(make_harness: HarnessFactory, database_url: str) -> AsyncIterator[Harness]:
    """The server with roles configured, its workflow data in SQLite or PostgreSQL; the bot is not in #elsewhere."""
    database = Database(database_url)
    try:
        async with make_harness(database, environ=ROLES) as harness:
            harness.fake.channels.update({"CNET": "buyers-network", "COUT": "elsewhere"})
            harness.fake.not_member.add("COUT")
            harness.fake.emails |= {"UADMIN": "Admin@Example.org", "UBEA": "bea@example.org"}
            yield harness
    finally:
        database.dispose()


async def click(harness: Harness, action_id: str, value: str, user: str, name: str,
                home: bool = False) -> None:
    """A button click by ``user`` on a message (answered through a response_url) or in App Home."""
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "team_id": TEAM},
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value, "action_ts": "1.1"}]}
    if home:
        payload |= {"container": {"type": "view", "view_id": "VHOME"}, "view": {"id": "VHOME", "type": "home"}}
    else:
        payload |= {"response_url": f"{harness.fake.base}/response/{name}", "channel": {"id": "CNET"},
                    "container": {"type": "message", "channel_id": "CNET", "message_ts": "1.0"},
                    "message": {"ts": "1.0", "blocks": []}}
    assert (await harness.interact(payload)).status == 200


async def submit(harness: Harness, callback_id: str, values: dict[str, Any], metadata: dict[str, Any],
                 user: str) -> Any:
    """Submit one of our modals as ``user``; the JSON ack (or None when it just closes)."""
    response = await harness.interact({**view_submission(callback_id, values, metadata),
                                       "user": {"id": user, "team_id": TEAM}})
    text = await response.text()
    return json.loads(text) if text else None


async def push(harness: Harness, text: str, user: str = "UBROKER", name: str = "push") -> str:
    """``/innobroker push …``: the ack, then the private result."""
    ack = await (await harness.command(f"push {text}", user=user, name=name)).text()
    assert ack.startswith("⏳") or ack.startswith("Use")
    [result] = await harness.fake.wait_for(f"response:{name}")
    return str(result.params["text"])


def posts(harness: Harness, channel: str) -> list[Any]:
    """Messages the bot posted to a channel (or DM)."""
    return [c for c in harness.fake.to("chat.postMessage") if c.params["channel"] == channel]


async def test_a_broker_pushes_a_match_card_and_the_push_is_recorded(broker: Harness) -> None:
    assert await push(broker, f"<#CNET|buyers-network> {NEED}") == (
        "Pushed to <#CNET>: 5 suppliers and 5 peer buyers.")
    assert [c.params["channel"] for c in broker.fake.to("conversations.info")] == ["CNET"]
    [card] = posts(broker, "CNET")
    text = block_texts(card.params["blocks"])
    assert "Suggestions for a need" in text and NEED in text and "Pushed by <@UBROKER>" in text
    assert "Suppliers" in text and "Buyers who procured something similar" in text
    intro = [b for b in buttons(card.params["blocks"]) if b["action_id"] == "intro_request"]
    assert len(intro) == 10
    [(record, _)] = pushes.records(broker.assistant.conversations.database)
    assert (record.user, record.channel.id, record.channel.name, record.need, record.status) == (
        "UBROKER", "CNET", "buyers-network", NEED, "posted")
    assert record.message_ref is not None and record.message_ref.startswith("CNET:1800000000.")
    assert int(intro[0]["value"].split("|")[0]) == record.turn_id


async def test_the_same_suggestion_is_not_pushed_twice_to_a_channel(broker: Harness) -> None:
    await push(broker, f"<#CNET|buyers-network> {NEED}")
    refused = await push(broker, "#buyers-network  electric bikes for home-care staff!", name="again")
    assert refused.startswith("Already pushed to #buyers-network by <@UBROKER> on ")
    assert refused.endswith("within 7 days.")
    assert len(posts(broker, "CNET")) == 1 and len(pushes.records(broker.assistant.conversations.database)) == 1
    assert broker.fake.to("conversations.list")  # "#name" was looked up


async def test_non_brokers_are_refused_politely_and_the_bot_must_be_in_the_channel(broker: Harness) -> None:
    refused = await push(broker, f"<#CNET|buyers-network> {NEED}", user="U1", name="member")
    assert refused == ("Only brokers can push matches into channels. "
                       "Please ask <@UBROKER>, Bea@example.org, admin@example.org.")
    outside = await push(broker, f"<#COUT|elsewhere> {NEED}", name="outside")
    assert outside.startswith("I'm not in <#COUT>, so I can't post there. Invite me with `/invite @innobroker`")
    unknown = await push(broker, f"#no-such-channel {NEED}", name="unknown")
    assert unknown.startswith("I can't find the channel #no-such-channel. If it is private, invite me first")
    by_email = await push(broker, f"<#CNET|buyers-network> {NEED}", user="UADMIN", name="admin")
    assert by_email.startswith("Pushed to <#CNET>")  # the admin's role comes from their e-mail address
    assert [c.params["channel"] for c in broker.fake.to("chat.postMessage")] == ["CNET"]
    broker.fake.errors["chat.postMessage"] = ["not_in_channel"]
    failed = await push(broker, "<#CNET|buyers-network> textile recycling for care homes", name="failed")
    assert failed.startswith("I'm not in <#CNET>")
    statuses = [r.status for r, _ in pushes.records(broker.assistant.conversations.database)]
    assert statuses == ["posted", "failed"]
    usage = await (await broker.command("push #buyers-network", user="UBROKER", name="usage")).text()
    assert usage.startswith("Use `/innobroker push #channel need`")


async def test_an_intro_request_reaches_the_brokers_and_their_follow_up_the_requester(broker: Harness) -> None:
    await push(broker, f"<#CNET|buyers-network> {NEED}")
    [card] = posts(broker, "CNET")
    value = next(b["value"] for b in buttons(card.params["blocks"]) if b["action_id"] == "intro_request")
    await click(broker, "intro_request", value, "U2", "intro")
    [done] = await broker.fake.wait_for("response:intro")
    assert done.params["text"].startswith("Intro to ") and done.params["response_type"] == "ephemeral"
    dms = await broker.fake.wait_for("conversations.open", 2)
    assert sorted(c.params["users"] for c in dms) == ["UBEA", "UBROKER"]  # Bea is a broker by e-mail address
    [notice] = posts(broker, "DUBROKER")
    assert "<@U2> asks for an intro to" in notice.params["text"] and NEED in notice.params["text"]
    status = [b for b in buttons(notice.params["blocks"]) if b["action_id"] == "intro_status"]
    assert [b["value"].split("|")[1] for b in status] == ["introduced", "declined"]

    await click(broker, "intro_request", value, "U2", "twice")
    [repeat] = await broker.fake.wait_for("response:twice")
    assert repeat.params["text"].startswith("You already asked") and len(posts(broker, "DUBROKER")) == 1
    await click(broker, "intro_status", status[0]["value"], "U2", "sneaky")
    [refused] = await broker.fake.wait_for("response:sneaky")
    assert refused.params["text"].startswith("Only brokers can see and update intro requests.")

    await broker.event({"type": "app_home_opened", "user": "UBROKER", "channel": "DUBROKER", "tab": "home",
                        "event_ts": "1"})
    [home] = await broker.fake.wait_for("views.publish")
    home_text = block_texts(home.params["view"]["blocks"])
    assert "Broker desk" in home_text and "Open intro requests (1)" in home_text and "<@U2>" in home_text
    await click(broker, "intro_status", status[0]["value"], "UBROKER", "", home=True)
    await broker.fake.wait_for("views.publish", 2)  # the home is refreshed after the notices went out
    assert posts(broker, "UBROKER")[-1].params["text"].startswith("Noted: ")
    told_user = posts(broker, "DU2")
    assert told_user and told_user[0].params["text"].startswith("<@UBROKER> has introduced you to ")
    refreshed = block_texts(broker.fake.to("views.publish")[-1].params["view"]["blocks"])
    assert "Open intro requests (0)" in refreshed and "introduced (<@UBROKER>)" in refreshed
    [intro] = outcomes.listing(broker.assistant.conversations.database, (outcomes.INTRO,))
    assert (intro.user, intro.status, intro.handled_by) == ("U2", "introduced", "UBROKER")
    await broker.event({"type": "app_home_opened", "user": "U2", "channel": "DU2", "tab": "home", "event_ts": "2"})
    member_home = (await broker.fake.wait_for("views.publish", 3))[-1]
    assert "Broker desk" not in block_texts(member_home.params["view"]["blocks"])


async def test_not_relevant_asks_for_an_optional_reason(broker: Harness) -> None:
    await push(broker, f"<#CNET|buyers-network> {NEED}")
    [card] = posts(broker, "CNET")
    value = next(b["value"] for b in buttons(card.params["blocks"]) if b["action_id"] == "not_relevant")
    await click(broker, "not_relevant", value, "U2", "nope")
    [thanks] = await broker.fake.wait_for("response:nope")
    assert thanks.params["text"].startswith("Noted: ")
    [opened] = await broker.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "dismiss_modal" and view["title"]["text"] == "Why not relevant?"
    metadata = json.loads(view["private_metadata"])
    values = {**option("reason", "size"), **text_value("comment", "far too large for a pilot")}
    saved = await submit(broker, "dismiss_modal", values, metadata, "U2")
    assert saved["response_action"] == "update" and "reason is recorded" in block_texts(saved["view"]["blocks"])
    [dismissed] = outcomes.listing(broker.assistant.conversations.database, (outcomes.DISMISS,))
    assert (dismissed.user, dismissed.reason, dismissed.comment) == ("U2", "size", "far too large for a pilot")


def _profile(organisation: str, needs: str, consent: bool) -> dict[str, Any]:
    chosen = [{"value": "consent"}] if consent else []
    return {**option("organisation", organisation), **option("country", None), **option("language", "en"),
            **text_value("interests", "e-mobility"), **text_value("needs", needs),
            "consent": {"consent": {"type": "checkboxes", "selected_options": chosen}}}


async def test_profile_form_consent_and_peer_search(broker: Harness) -> None:
    await broker.command("profile", user="U2", name="profile")
    [opened] = await broker.fake.wait_for("views.open")
    blocks = {b["block_id"]: b for b in opened.params["view"]["blocks"]}
    assert {"interests", "needs", "consent"} <= set(blocks) and "initial_options" not in blocks["consent"]["element"]
    saved = await submit(broker, "profile_modal", _profile("dk-aarhus", NEED, True), {"home": False}, "U2")
    assert saved["response_action"] == "update"
    await submit(broker, "profile_modal", _profile("dk-odense", "cargo bikes for home care", False), {}, "U3")
    await broker.command("profile", user="U2", name="reopen")
    reopened = {b["block_id"]: b for b in (await broker.fake.wait_for("views.open", 2))[1].params["view"]["blocks"]}
    assert reopened["needs"]["element"]["initial_value"] == NEED
    assert reopened["consent"]["element"]["initial_options"][0]["value"] == "consent"

    await broker.command("peers electric bikes for home care", user="U1", name="peers")
    replies = await broker.fake.wait_for("response:peers", 2)
    assert "Buyers who procured something similar" in block_texts(replies[0].params["blocks"])
    members = block_texts(replies[1].params["blocks"])
    assert "Members with similar needs" in members
    assert "*Aarhus Kommune (DK)*  ·  contact: <@U2>" in members
    assert "*Odense Kommune (DK)*  ·  contact not shared" in members and "<@U3>" not in members

    await submit(broker, "profile_modal", _profile("dk-aarhus", NEED, False), {}, "U2")  # consent withdrawn
    await broker.command("peers electric bikes for home care", user="U1", name="later")
    later = block_texts((await broker.fake.wait_for("response:later", 2))[1].params["blocks"])
    assert "<@U2>" not in later and "*Aarhus Kommune (DK)*  ·  contact not shared" in later


def _challenge(channel: str, budget_max: str = "200k") -> dict[str, Any]:
    return {**text_value("title", "Circular textiles for care homes"),
            **text_value("need", "We want to reuse and recycle textiles from our care homes."),
            **text_value("timeline", "market dialogue in May"), **text_value("budget_min", "50k"),
            **text_value("budget_max", budget_max), **option("currency", "DKK"), **text_value("cpv", "90514000"),
            "channel": {"channel": {"type": "conversations_select", "selected_conversation": channel}}}


async def test_a_challenge_is_published_with_suppliers_and_brokers_see_who_is_interested(broker: Harness) -> None:
    await broker.command("challenge", user="U2", name="challenge")
    [opened] = await broker.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "challenge_modal" and len(view["title"]["text"]) <= 24
    channel_block = next(b for b in view["blocks"] if b["block_id"] == "channel")
    assert channel_block["element"]["initial_conversation"] == "CNET"
    metadata = json.loads(view["private_metadata"])
    invalid = await submit(broker, "challenge_modal", _challenge("CNET", "5k"), metadata, "U2")
    assert invalid == {"response_action": "errors",
                       "errors": {"budget_max": "The upper bound is below the lower bound."}}
    assert await submit(broker, "challenge_modal", _challenge("CNET"), metadata, "U2") is None
    card, published = await broker.fake.wait_for("chat.postMessage", 2)
    assert card.params["channel"] == "CNET"
    assert (published.params["channel"], published.params["text"]) == ("U2", "Published to <#CNET>.")
    text = block_texts(card.params["blocks"])
    assert "Innovation challenge: Circular textiles for care homes" in text and "Published by <@U2>" in text
    assert "50,000–200,000 DKK" in text and "`90514000`" in text and "Suggested suppliers" in text
    actions = {b["action_id"]: b["value"] for b in buttons(card.params["blocks"])}
    assert {"challenge_interest", "challenge_who", "intro_request"} <= set(actions)

    await click(broker, "challenge_interest", actions["challenge_interest"], "U3", "interest")
    [noted] = await broker.fake.wait_for("response:interest")
    assert noted.params["text"] == "Noted: the brokers and <@U2> can see that you are interested."
    await click(broker, "challenge_who", actions["challenge_who"], "U3", "who")
    [refused] = await broker.fake.wait_for("response:who")
    assert refused.params["text"] == ("Only brokers can see who is interested. "
                                      "Please ask <@UBROKER>, Bea@example.org, admin@example.org.")
    await click(broker, "challenge_who", actions["challenge_who"], "UBROKER", "who-broker")
    [seen] = await broker.fake.wait_for("response:who-broker")
    assert seen.params["text"] == "Interested in “Circular textiles for care homes”: <@U3>"

    assert await submit(broker, "challenge_modal", _challenge("COUT"), metadata, "U2") is None
    await broker.fake.wait_for("chat.postMessage", 3)
    assert posts(broker, "COUT") == [] and posts(broker, "U2")[-1].params["text"].startswith("I'm not in <#COUT>")


async def test_the_weekly_digest_is_posted_from_the_command_line_once(broker: Harness, database_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Any) -> None:
    await push(broker, f"<#CNET|buyers-network> {NEED}")
    await submit(broker, "challenge_modal", _challenge("CNET"), {"language": "en"}, "U2")
    await broker.fake.wait_for("chat.postMessage", 3)  # card, challenge, its confirmation
    for key, value in {**ROLES, "SLACK_API_URL": broker.fake.url, "INNOBROKER_DATABASE_URL": database_url}.items():
        monkeypatch.setenv(key, value)
    argv = ["--data-dir", str(tmp_path / "cli"), "digest", "--channel", "CNET"]
    capsys.readouterr()
    assert await asyncio.to_thread(main, [*argv, "--dry-run", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [m["need"] for m in printed["matches"]] == [NEED] and len(printed["challenges"]) == 1
    assert len(broker.fake.to("chat.postMessage")) == 3
    assert await asyncio.to_thread(main, argv) == 0
    [digest] = posts(broker, "CNET")[2:]
    text = block_texts(digest.params["blocks"])
    assert "Weekly digest for #buyers-network" in text and "New challenges" in text and NEED in text
    assert "Circular textiles for care homes" in text and "0 intro requests" in text
    assert digest.token == "xoxb-test"
    assert await asyncio.to_thread(main, argv) == 0
    assert "nothing new" in capsys.readouterr().err and len(posts(broker, "CNET")) == 3
