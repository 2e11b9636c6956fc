"""Broker workflows end to end through the real Teams handler (Activities posted to /api/messages, the fake Bot
Connector), on SQLite and PostgreSQL: push, duplicate suppression, role refusal, not installed, intro request and
follow-up, not relevant and why, profile form, consent, peer search, challenge publication and interest, the
broker overview, the digest from the CLI, and erasure of personal chats."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.db import Database
from bot.handlers.teams import broker_teams
from bot.handlers.teams.surface import TEAMS
from bot.workflows import outcomes, pushes
from bot.workflows.service import Workflows
from bot.workflows.types import Actor
from tests.teams.activities import BOT, CHANNEL, TEAM, TENANT, USER, channel, execute, installation, personal
from tests.teams.conftest import ANONYMOUS, TeamsFactory, TeamsHarness, actions, texts

NEED = "Electric bikes for home care staff"
MEMBER = {**USER, "locale": "da-DK"}  # Mette Hansen, a Danish Teams client
BROKER = {"id": "29:broker-1", "name": "Bea Broker", "aadObjectId": "00000000-0000-4000-8000-00000000bbbb",
          "locale": "en-GB"}
ADMIN = {"id": "29:admin-1", "name": "Ada Admin", "aadObjectId": "00000000-0000-4000-8000-00000000cccc",
         "locale": "en-GB"}
OTHER = {"id": "29:user-2", "name": "Lars Larsen", "aadObjectId": "00000000-0000-4000-8000-00000000dddd",
         "locale": "sv-SE"}
ROLES = {**ANONYMOUS, "INNOBROKER_WORKFLOWS__BROKERS": BROKER["aadObjectId"],
         "INNOBROKER_WORKFLOWS__ADMINS": "admin@example.org", "INNOBROKER_WORKFLOWS__NETWORK_CHANNEL": CHANNEL}
CHALLENGE = {"title": "Circular textiles for care homes", "need": "We want to reuse and recycle textiles from our "
             "care homes.", "timeline": "market dialogue in May", "budget_min": "50k", "budget_max": "200k",
             "currency": "DKK", "cpv": "90514000", "channel": CHANNEL}


@pytest.fixture
async def broker(make_teams: TeamsFactory, database_url: str,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsHarness]:
    """Teams with roles (a broker by AAD id, an admin by e-mail), its data in SQLite or PostgreSQL; the app is
    installed in the team (General) and in the channel Udbud."""
    monkeypatch.setattr(broker_teams, "_seen", {})  # names and e-mail addresses seen by earlier tests
    monkeypatch.setattr(broker_teams, "_emails", {})
    database = Database(database_url)
    try:
        async with make_teams(environ=ROLES, database=database, broker_channel=TEAM) as teams:
            teams.connector.members[ADMIN["id"]] = {**_account(ADMIN), "email": "Admin@Example.org",
                                                    "userPrincipalName": "admin@example.org"}
            await teams.send(installation(teams.connector.url, "add"))
            await teams.connector.messages(conversation=TEAM)  # the welcome
            joined = channel(teams.connector.url, "")
            joined.update(type="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
            joined["conversation"]["id"] = CHANNEL
            for key in ("text", "textFormat", "entities"):
                joined.pop(key)
            await teams.send(joined)
            yield teams
    finally:
        database.dispose()


def _account(who: dict[str, Any]) -> dict[str, Any]:
    return {key: who[key] for key in ("id", "name", "aadObjectId")}


def chat_of(who: dict[str, Any]) -> str:
    """Each person's personal chat with the app."""
    return f"a:personal-{who['id']}"


def message(teams: TeamsHarness, text: str, who: dict[str, Any]) -> dict[str, Any]:
    """A personal chat message from ``who``."""
    activity = personal(teams.connector.url, text, locale=who["locale"], **{"from": _account(who)})
    activity["conversation"]["id"] = chat_of(who)
    return activity


async def say(teams: TeamsHarness, text: str, who: dict[str, Any] = MEMBER) -> list[dict[str, Any]]:
    """Write in one's personal chat; the cards of the bot's reply."""
    before = len(teams.connector.of("message", chat_of(who)))
    await teams.send(message(teams, text, who))
    return (await teams.connector.messages(before + 1, conversation=chat_of(who)))[before].cards


async def click(teams: TeamsHarness, button: dict[str, Any], who: dict[str, Any], inputs: dict[str, Any] | None = None,
                in_channel: bool = False) -> str:
    """``who`` clicks an Action.Execute button (with a form's inputs) in their personal chat or in the channel."""
    activity = execute(teams.connector.url, button["verb"], {**button["data"], **(inputs or {})})
    activity.update({"from": _account(who), "locale": who["locale"]})
    activity["conversation"]["id"] = chat_of(who)
    if in_channel:
        activity["conversation"] = {"id": f"{CHANNEL};messageid=activity-1", "conversationType": "channel",
                                    "isGroup": True, "tenantId": TENANT}
        activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM, "name": "Indkøb"},
                                   "channel": {"id": CHANNEL, "name": "Udbud"}}
    response = await teams.send(activity)
    assert response.status == 200
    return str((await response.json())["value"])


async def push(teams: TeamsHarness, text: str, who: dict[str, Any] = BROKER) -> str:
    """``push …`` in one's personal chat; the bot's answer."""
    return texts((await say(teams, f"push {text}", who))[0])


def channel_cards(teams: TeamsHarness, conversation: str = CHANNEL) -> list[dict[str, Any]]:
    """Cards the bot posted into a channel (new posts, not thread replies)."""
    return [card for sent in teams.connector.of("message", conversation) for card in sent.cards]


def database(teams: TeamsHarness) -> Database:
    """The database behind the server."""
    return teams.assistant.conversations.database


def actor(who: dict[str, Any]) -> Actor:
    """The core's actor for a person."""
    return Actor("teams", TENANT, who["aadObjectId"])


async def test_a_broker_pushes_a_match_card_into_a_channel_and_the_push_is_recorded(broker: TeamsHarness) -> None:
    assert await push(broker, f"#Udbud {NEED}") == "Pushed to Udbud: 5 suppliers and 5 peer buyers."
    [card] = channel_cards(broker)
    text = texts(card)
    assert "Suggestions for a need" in text and NEED in text and "Pushed by Bea Broker · " in text
    assert "Suppliers" in text and "Buyers who procured something similar" in text
    hint = [(r["text"], r.get("weight")) for r in card["body"][-1]["inlines"]]
    assert hint == [("Request intro", "Bolder"), (" tells the brokers; ", None), ("Not relevant", "Bolder"),
                    (" asks for an optional reason.", None)]
    intro = [a for a in actions(card) if a["verb"] == "intro_request"]
    assert len(intro) == 10 and intro[0]["title"] == "Request intro"
    [(record, _)] = pushes.records(database(broker))
    assert (record.platform, record.workspace, record.user, record.channel.id, record.channel.name, record.need,
            record.status) == ("teams", TENANT, BROKER["aadObjectId"], CHANNEL, "Udbud", NEED, "posted")
    assert record.message_ref is not None and record.message_ref.startswith(f"{CHANNEL}:activity-")
    assert intro[0]["data"]["turn"] == record.turn_id
    sent = broker.connector.of("message", CHANNEL)[0]
    assert sent.reply_to is None and sent.activity["summary"] == f"Suggestions for a need: {NEED}"
    here = channel(broker.connector.url, "push here textile recycling for care homes", locale="en-GB",
                   **{"from": _account(BROKER)})
    await broker.send(here)  # in the channel itself: the card is a new post, the answer goes to the thread
    [answer] = await broker.connector.messages(conversation=f"{CHANNEL};messageid={here['id']}")
    assert texts(answer.cards[0]).startswith("Pushed to Udbud: ") and len(channel_cards(broker)) == 2
    assert "textile recycling for care homes" in texts(channel_cards(broker)[1])


async def test_the_same_suggestion_is_not_pushed_twice_and_a_failed_post_does_not_count(
        broker: TeamsHarness) -> None:
    broker.connector.refuse = 1  # the connector refuses the first card
    assert await push(broker, f"#Udbud {NEED}") == "Posting to Udbud failed (HTTP 400); nothing was sent."
    assert await push(broker, f"#Udbud {NEED}") == "Pushed to Udbud: 5 suppliers and 5 peer buyers."
    again = message(broker, "push <at>Udbud</at> electric bikes for home-care staff!", BROKER)
    again["entities"] = [{"type": "mention", "text": "<at>Udbud</at>",
                          "mentioned": {"id": CHANNEL, "name": "Udbud", "type": "channel"}}]
    await broker.send(again)
    [*_, refused] = await broker.connector.messages(3, conversation=chat_of(BROKER))
    text = texts(refused.cards[0])
    assert text.startswith("Already pushed to #Udbud by Bea Broker on ") and text.endswith("within 7 days.")
    assert len(channel_cards(broker)) == 1
    assert [r.status for r, _ in pushes.records(database(broker))] == ["failed", "posted"]


async def test_non_brokers_are_refused_and_the_app_must_be_installed_in_the_channel(broker: TeamsHarness) -> None:
    await say(broker, "help", BROKER)  # the broker's personal chat: their name is known from now on
    assert await push(broker, f"#Udbud {NEED}", MEMBER) == (
        "Only brokers can push matches into channels. Please ask Bea Broker, admin@example.org.")
    assert await push(broker, "#Udbud cykler til hjemmeplejen", OTHER) == (
        "Kun mæglere kan sende forslag ud i kanaler. Spørg Bea Broker, admin@example.org.")
    assert await push(broker, f"19:never-installed@thread.tacv2 {NEED}") == (
        "I'm not installed in 19:never-installed@thread.tacv2, so I can't post there. Add innobroker to that team "
        "(or @mention me in the channel once), then try again.")
    assert (await push(broker, f"#Nowhere {NEED}")).startswith("I don't know a channel called #Nowhere.")
    assert (await push(broker, NEED)).startswith("Write `push #channel need` (or @mention the channel)")
    by_email = await push(broker, "#General textile recycling for care homes", ADMIN)
    assert by_email.startswith("Pushed to General: ")  # the admin's role comes from their e-mail address
    assert (chat_of(ADMIN), ADMIN["id"]) in broker.connector.looked_up  # the roster look-up
    assert [r.channel.id for r, _ in pushes.records(database(broker))] == [TEAM]
    assert channel_cards(broker) == []


async def test_an_intro_request_reaches_the_brokers_and_their_follow_up_the_requester(broker: TeamsHarness) -> None:
    await say(broker, "help", BROKER)
    await say(broker, "hjælp", MEMBER)
    await push(broker, f"#Udbud {NEED}")
    [card] = channel_cards(broker)
    intro = next(a for a in actions(card) if a["verb"] == "intro_request")
    done = await click(broker, intro, MEMBER, in_channel=True)
    assert done.startswith("Intro to ") and done.endswith(" requested. A broker will follow up.")
    [*_, notice] = broker.connector.of("message", chat_of(BROKER))
    text = texts(notice.cards[0])
    assert "🤝 Mette Hansen asks for an intro to " in text and NEED in text and "in Udbud · " in text
    status = [a for a in actions(notice.cards[0]) if a["verb"] == "intro_status"]
    assert [(a["title"], a["data"]["status"]) for a in status] == [("Mark introduced", "introduced"),
                                                                   ("Decline", "declined")]
    assert "Mette Hansen asks for an intro" in texts(broker.connector.of("message", TEAM)[-1].cards[0])

    assert (await click(broker, intro, MEMBER, in_channel=True)).startswith("You already asked for an intro to ")
    assert len(broker.connector.of("message", chat_of(BROKER))) == 3  # help, "Pushed to …", one notice
    assert await click(broker, status[0], MEMBER) == (
        "Kun mæglere kan se og opdatere anmodninger om introduktion. Spørg Bea Broker, admin@example.org.")

    [overview] = await say(broker, "brokers", BROKER)
    text = texts(overview)
    assert "Broker desk" in text and "Open intro requests (1)" in text and "Mette Hansen → " in text
    assert [a["data"] for a in actions(overview)] == [s["data"] for s in status]
    assert (await click(broker, status[0], BROKER)).startswith("Noted: ")
    [*_, told] = broker.connector.of("message", chat_of(MEMBER))
    assert texts(told.cards[0]).startswith("Bea Broker has introduced you to ")
    [handled] = outcomes.listing(database(broker), (outcomes.INTRO,))
    assert (handled.user, handled.status, handled.handled_by) == (MEMBER["aadObjectId"], "introduced",
                                                                  BROKER["aadObjectId"])
    [later] = await say(broker, "brokers", BROKER)
    assert "Open intro requests (0)" in texts(later) and "introduced (Bea Broker)" in texts(later)
    assert texts((await say(broker, "brokers", MEMBER))[0]).startswith("Kun mæglere kan se og opdatere")


async def test_not_relevant_is_recorded_and_asks_for_a_reason_privately(broker: TeamsHarness) -> None:
    await say(broker, "hjælp", MEMBER)
    await push(broker, f"#Udbud {NEED}")
    dismiss = next(a for a in actions(channel_cards(broker)[0]) if a["verb"] == "not_relevant")
    assert (await click(broker, dismiss, MEMBER, in_channel=True)).startswith("Noted: ")
    [*_, form_message] = broker.connector.of("message", chat_of(MEMBER))  # the form went to her personal chat
    form = form_message.cards[0]
    reasons = next(e for e in form["body"] if e.get("id") == "reason")
    assert [c["value"] for c in reasons["choices"]] == ["field", "size", "country", "known", "other"]
    assert "Why not relevant?" in texts(form)
    send = actions(form)[0]
    assert await click(broker, send, MEMBER, {"reason": "size", "comment": "far too large for a pilot"}) == (
        "Thanks, the reason is recorded.")
    [dismissed] = outcomes.listing(database(broker), (outcomes.DISMISS,))
    assert (dismissed.user, dismissed.reason, dismissed.comment) == (MEMBER["aadObjectId"], "size",
                                                                     "far too large for a pilot")
    assert len(channel_cards(broker)) == 1  # nothing was posted into the channel


def _profile(organisation: str, needs: str, consent: bool) -> dict[str, Any]:
    return {"organisation": organisation, "country": "DK", "language": "en", "interests": "e-mobility",
            "needs": needs, "consent": "true" if consent else "false"}


async def test_profile_form_consent_and_peer_search(broker: TeamsHarness) -> None:
    [form] = await say(broker, "profile", MEMBER)
    inputs = {e["id"]: e for e in form["body"] if "id" in e}
    assert list(inputs) == ["organisation", "country", "language", "interests", "needs", "consent"]
    assert inputs["needs"]["label"] == "Aktuelle behov" and inputs["consent"]["value"] == "false"
    assert inputs["consent"]["title"] == "Andre medlemmer må se mit navn og kontakte mig om disse behov"
    save = actions(form)[0]
    assert await click(broker, save, MEMBER, _profile("Nowhere Kommune", NEED, True)) == (
        "unknown buyer 'Nowhere Kommune': give an organisation id or its exact name")
    assert await click(broker, save, MEMBER, _profile("Aarhus Kommune", NEED, True)) == "Profile saved."
    await say(broker, "hjälp", OTHER)
    assert await click(broker, save, OTHER, _profile("dk-odense", "cargo bikes for home care", False)) == (
        "Profile saved.")
    core = Workflows.of(broker.assistant)
    assert (await core.member(actor(MEMBER))).organisation == "dk-aarhus"
    [reopened] = await say(broker, "profile", MEMBER)
    inputs = {e["id"]: e for e in reopened["body"] if "id" in e}
    assert (inputs["organisation"]["value"], inputs["needs"]["value"], inputs["consent"]["value"]) == (
        "Aarhus Kommune", NEED, "true")
    assert inputs["interests"]["label"] == "Your organisation's interests"  # she chose English in the form

    [peers] = await say(broker, "peers electric bikes for home care", BROKER)
    text = texts(peers)
    assert "Buyers who procured something similar" in text and "Members with similar needs" in text
    assert "Aarhus Kommune (DK)\n  ·  contact: Mette Hansen" in text
    assert "Odense Kommune (DK)\n  ·  contact not shared" in text and "Lars Larsen" not in text
    assert actions(peers)[-1]["verb"] == "feedback_down"

    withdraw = next(a for a in actions(reopened) if a["verb"] == "profile_consent")
    assert await click(broker, withdraw, MEMBER) == "Consent withdrawn: other members no longer see your name."
    later = texts((await say(broker, "peers electric bikes for home care", BROKER))[0])
    assert "contact: Mette Hansen\n" not in later and "Aarhus Kommune (DK)\n  ·  contact not shared" in later


async def test_a_challenge_is_published_with_suppliers_and_interest_is_registered(broker: TeamsHarness) -> None:
    await say(broker, "help", BROKER)
    [form] = await say(broker, "challenge", MEMBER)
    inputs = {e["id"]: e for e in form["body"] if "id" in e}
    where = next(c["items"][0] for c in form["body"][4]["columns"] if c["items"][0]["id"] == "currency")
    assert where["value"] == "EUR" and inputs["title"]["label"] == "Titel"
    assert [c["title"] for c in inputs["channel"]["choices"]] == ["Udbud", "General"]
    assert inputs["channel"]["value"] == CHANNEL  # workflows.network_channel
    publish = actions(form)[0]
    invalid = await click(broker, publish, MEMBER, {**CHALLENGE, "budget_max": "5k"})
    assert invalid == "Udfordringen er ikke udfyldt korrekt. Budget op til: Øvre grænse er lavere end nedre grænse."
    elsewhere = await click(broker, publish, MEMBER, {**CHALLENGE, "channel": "19:never-installed@thread.tacv2"})
    assert elsewhere.startswith("Jeg er ikke installeret i 19:never-installed@thread.tacv2")
    assert channel_cards(broker) == []
    assert await click(broker, publish, MEMBER, CHALLENGE) == "Offentliggjort i Udbud."
    [card] = channel_cards(broker)
    text = texts(card)
    assert "Innovation challenge: Circular textiles for care homes" in text and "Published by Mette Hansen" in text
    assert "Suggested suppliers" in text
    facts = next(e for e in card["body"] if e["type"] == "FactSet")["facts"]
    assert [(f["title"], f["value"]) for f in facts] == [("Timeline", "market dialogue in May"),
                                                         ("Budget", "50,000–200,000 DKK"), ("CPV", "90514000")]
    buttons = {a["verb"]: a for a in actions(card)}
    assert {"challenge_interest", "challenge_who", "intro_request"} <= set(buttons)

    assert await click(broker, buttons["challenge_interest"], OTHER, in_channel=True) == (
        "Noterat: mäklarna och Mette Hansen ser att du är intresserad.")
    assert await click(broker, buttons["challenge_interest"], OTHER, in_channel=True) == (
        "Du har redan anmält intresse.")
    assert await click(broker, buttons["challenge_who"], OTHER, in_channel=True) == (
        "Bara mäklare kan se vem som är intresserad. Fråga Bea Broker, admin@example.org.")
    assert await click(broker, buttons["challenge_who"], BROKER, in_channel=True) == (
        "Interested in “Circular textiles for care homes”: Lars Larsen")
    assert await click(broker, buttons["challenge_who"], MEMBER, in_channel=True) == (
        "Interesserede i “Circular textiles for care homes”: Lars Larsen")  # the author may see it too
    stored = await Workflows.of(broker.assistant).challenge(buttons["challenge_interest"]["data"]["challenge"])
    assert stored is not None and (stored.status, stored.interested, stored.channel.name) == ("posted", 1, "Udbud")


async def test_the_weekly_digest_is_posted_from_the_command_line_once(broker: TeamsHarness, database_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path) -> None:
    await push(broker, f"#Udbud {NEED}")
    [form] = await say(broker, "challenge", MEMBER)
    await click(broker, actions(form)[0], MEMBER, CHALLENGE)
    assert len(channel_cards(broker)) == 2
    for key, value in {**ROLES, "INNOBROKER_DATABASE_URL": database_url}.items():
        monkeypatch.setenv(key, value)
    argv = ["--data-dir", str(tmp_path / "cli"), "digest", "--channel", CHANNEL, "--platform", "teams"]
    capsys.readouterr()
    assert await asyncio.to_thread(main, [*argv, "--dry-run", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [m["need"] for m in printed["matches"]] == [NEED] and len(printed["challenges"]) == 1
    assert printed["workspace"] == TENANT and len(channel_cards(broker)) == 2
    assert await asyncio.to_thread(main, argv) == 0
    assert "digest posted to" in capsys.readouterr().err
    [*_, digest] = broker.connector.of("message", CHANNEL)
    assert digest.reply_to is None and len(channel_cards(broker)) == 3
    text = texts(digest.cards[0])
    assert "Weekly digest for Udbud" in text and "New challenges" in text and NEED in text
    assert "Circular textiles for care homes\n — 0 interested" in text and "Bea Broker" in text
    assert "0 intro requests" in text
    assert await asyncio.to_thread(main, argv) == 0
    assert "nothing new" in capsys.readouterr().err and len(channel_cards(broker)) == 3
    elsewhere = ["--data-dir", str(tmp_path / "cli"), "digest", "--channel", "19:never@thread.tacv2", "--platform",
                 "teams", "--post-empty"]
    assert await asyncio.to_thread(main, elsewhere) == 1
    assert "innobroker is not installed in Teams conversation 19:never@thread.tacv2" in capsys.readouterr().err


async def test_forgetting_a_person_removes_their_personal_chat_and_keeps_the_channels(broker: TeamsHarness) -> None:
    await say(broker, "hjælp", MEMBER)
    await say(broker, "help", BROKER)
    surface = broker.client.server.app[TEAMS]
    assert {c.conversation_id for c in await surface.conversations("personal")} == {chat_of(MEMBER),
                                                                                     chat_of(BROKER)}
    erasure = Workflows.of(broker.assistant).forget(MEMBER["aadObjectId"], platform="teams", workspace=TENANT)
    assert erasure.removed["teams_personal_chats"] == 1
    assert [c.conversation_id for c in await surface.conversations("personal")] == [chat_of(BROKER)]
    assert {c.conversation_id for c in await surface.conversations("channel")} == {CHANNEL, TEAM}
    assert Workflows.of(broker.assistant).forget(MEMBER["aadObjectId"], platform="slack").removed[
        "teams_personal_chats"] == 0
