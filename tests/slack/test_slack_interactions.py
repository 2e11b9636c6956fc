"""Slash commands, shortcuts, buttons and modals end to end."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.slack.conftest import HarnessFactory
from tests.slack.harness import Harness, block_texts, buttons, direct


def view_submission(callback_id: str, values: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """A ``view_submission`` payload for one of our modals."""
    return {"type": "view_submission", "view": {"id": "V1", "callback_id": callback_id, "type": "modal",
                                                "private_metadata": json.dumps(metadata), "state": {"values": values}}}


def text_value(block: str, value: str | None) -> dict[str, Any]:
    """A plain-text input's state."""
    return {block: {block: {"type": "plain_text_input", "value": value}}}


def option(block: str, value: str | None) -> dict[str, Any]:
    """A select's (or radio group's) state."""
    return {block: {block: {"type": "static_select", "selected_option": {"value": value} if value else None}}}


async def test_slash_ask_acks_at_once_then_answers_through_the_response_url(harness: Harness) -> None:
    response = await harness.command("ask Hur länge får ett ramavtal gälla?")
    assert response.status == 200
    assert (await response.text()).startswith("⏳ Uppfattat som en fråga om reglerna")
    [answer] = await harness.fake.wait_for("response:cmd")
    assert answer.params["response_type"] == "ephemeral"
    assert "LOU 7 kap. 3 §" in block_texts(answer.params["blocks"])


async def test_slash_help_and_empty_subcommand(harness: Harness) -> None:
    help_text = block_texts((await (await harness.command("help")).json())["blocks"])
    assert "/innobroker match" in help_text and "/innobroker profile" in help_text
    usage = await (await harness.command("match")).text()
    assert "Write something after the command" in usage
    assert harness.fake.to("response:cmd") == []


async def test_slash_match_and_profile(harness: Harness) -> None:
    await harness.command("match Wir suchen Sensoren für Abfallbehälter", name="m")
    [result] = await harness.fake.wait_for("response:m")
    assert "Anbieter" in block_texts(result.params["blocks"])
    await harness.command("profile", name="p")
    [opened] = await harness.fake.wait_for("views.open")
    assert opened.params["trigger_id"] == "trig.p" and opened.params["view"]["callback_id"] == "profile_modal"


async def test_feedback_buttons_are_stored_with_the_question(harness: Harness) -> None:
    await harness.event(direct("Hur länge får ett ramavtal gälla?", "10.1"))
    [post] = await harness.fake.wait_for("chat.postMessage")
    turn_id = int(buttons(post.params["blocks"])[0]["value"])
    await harness.click("feedback_up", str(turn_id), name="up")
    [thanks] = await harness.fake.wait_for("response:up")
    assert thanks.params["text"].startswith("Tack!") and thanks.params["replace_original"] is False
    assert await _votes(harness, turn_id) == [{"user": "U1", "target": "", "verdict": "up", "reason": None,
                                              "comment": None}]
    await harness.click("feedback_down", str(turn_id), name="down")
    [modal] = await harness.fake.wait_for("views.open")
    assert modal.params["view"]["callback_id"] == "feedback_modal"
    metadata = json.loads(modal.params["view"]["private_metadata"])
    values = {**option("reason", "outdated"), **text_value("comment", "LOU changed in 2026")}
    response = await harness.interact(view_submission("feedback_modal", values, metadata))
    assert (await response.json())["response_action"] == "update"
    assert await _votes(harness, turn_id) == [{"user": "U1", "target": "", "verdict": "down", "reason": "outdated",
                                              "comment": "LOU changed in 2026"}]


async def _votes(harness: Harness, turn_id: int) -> list[dict[str, Any]]:
    import asyncio

    return await asyncio.to_thread(harness.assistant.conversations.votes, turn_id)


async def test_intro_request_and_not_relevant_are_recorded(make_harness: HarnessFactory) -> None:
    async with make_harness(broker_channel="CBROKERS") as harness:
        await harness.event(direct("We are looking for electric bikes for home care staff", "20.1"))
        [post] = await harness.fake.wait_for("chat.postMessage")
        cards = [b for b in buttons(post.params["blocks"]) if b["action_id"] == "intro_request"]
        turn_id, _, first = cards[0]["value"].split("|")
        await harness.click("intro_request", cards[0]["value"], name="intro")
        [done] = await harness.fake.wait_for("response:intro")
        assert done.params["text"].startswith("Intro to ") and "broker will follow up" in done.params["text"]
        notices = await harness.fake.wait_for("chat.postMessage", 2)
        assert notices[1].params["channel"] == "CBROKERS" and "<@U1>" in notices[1].params["text"]
        await harness.click("not_relevant", cards[1]["value"], name="nope")
        await harness.fake.wait_for("response:nope")
        votes = await _votes(harness, int(turn_id))
        assert [(v["verdict"], v["target"]) for v in votes] == [
            ("intro", f"supplier:{first}"), ("dismiss", f"supplier:{cards[1]['value'].split('|')[2]}")]


async def test_message_shortcut_answers_in_the_messages_thread(harness: Harness) -> None:
    shortcut = {"type": "message_action", "callback_id": "ask_about_message", "channel": {"id": "C7"},
                "message": {"ts": "30.1", "text": "Hvor længe må en rammeaftale løbe?", "user": "U2"},
                "response_url": f"{harness.fake.base}/response/short"}
    assert (await harness.interact(shortcut)).status == 200
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C7", "30.1")
    harness.fake.errors["chat.postMessage"] = ["not_in_channel"]
    await harness.interact({**shortcut, "message": {**shortcut["message"], "ts": "30.2"}})
    [private] = await harness.fake.wait_for("response:short")
    assert "not_in_channel" in private.params["text"] and private.params["response_type"] == "ephemeral"
    await harness.fake.wait_for("response:short", 2)


async def test_describe_need_modal_validates_and_posts_to_the_chosen_channel(harness: Harness) -> None:
    await harness.interact({"type": "shortcut", "callback_id": "describe_need"})
    [opened] = await harness.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "need_modal" and len(view["title"]["text"]) <= 24
    metadata = json.loads(view["private_metadata"])
    values = {**text_value("need", "Vi söker sensorer för avfallskärl"), **option("country", "SE"),
              **text_value("cpv", "not-a-code"),
              "destination": {"destination": {"type": "conversations_select", "selected_conversation": "C9"}}}
    invalid = await (await harness.interact(view_submission("need_modal", values, metadata))).json()
    assert invalid == {"response_action": "errors", "errors": {"cpv": "That is not a CPV code: use 8 digits, "
                                                                      "e.g. 38000000."}}
    values |= text_value("cpv", "90500000-2")
    response = await harness.interact(view_submission("need_modal", values, metadata))
    assert response.status == 200 and await response.text() == ""
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C9"
    assert "Uppfattat som ett behov" in block_texts(post.params["blocks"])
    turn = await harness.assistant.turn(int(buttons(post.params["blocks"])[-1]["value"]))
    assert turn is not None and "CPV 90500000" in turn.query


async def test_need_without_channel_goes_to_the_users_direct_messages(harness: Harness) -> None:
    values = {**text_value("need", "Wir suchen eine Plattform für Bürgerbeteiligung"), **option("country", None),
              **text_value("cpv", None),
              "destination": {"destination": {"type": "conversations_select", "selected_conversation": None}}}
    await harness.interact(view_submission("need_modal", values, {"language": "en"}))
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "U1"


async def test_organisation_picker_loads_options_from_the_directory(harness: Harness) -> None:
    response = await harness.interact({"type": "block_suggestion", "action_id": "organisation",
                                       "block_id": "organisation", "value": "malm",
                                       "view": {"id": "V1", "callback_id": "profile_modal", "type": "modal"}})
    options = (await response.json())["options"]
    assert options[0] == {"text": {"type": "plain_text", "text": "Malmö stad (SE)", "emoji": True},
                          "value": "se-malmo"}


async def test_profile_modal_rejects_unknown_organisations_and_saves_known_ones(harness: Harness) -> None:
    unknown = {**option("organisation", "atlantis"), **option("country", "DK"), **option("language", "da")}
    errors = await (await harness.interact(view_submission("profile_modal", unknown, {"home": True}))).json()
    assert errors["response_action"] == "errors" and "atlantis" in errors["errors"]["organisation"]
    known = {**option("organisation", "se-malmo"), **option("country", "SE"), **option("language", "sv")}
    saved = await (await harness.interact(view_submission("profile_modal", known, {"home": True}))).json()
    assert saved["response_action"] == "update" and "Profilen är sparad." in block_texts(saved["view"]["blocks"])
    [home] = await harness.fake.wait_for("views.publish")
    assert "Malmö stad (SE)" in block_texts(home.params["view"]["blocks"])
    await harness.event(direct("vilka andra kommuner har köpt sensorer för avfallskärl?", "40.1"))
    [post] = await harness.fake.wait_for("chat.postMessage")
    names = [m.group(1) for b in post.params["blocks"] if b["type"] == "section"
             for m in [re.match(r"\*\d+\. (.+?)\*", b["text"]["text"])] if m]
    assert names and "Malmö stad" not in names


async def test_a_modal_that_cannot_open_is_reported_to_the_user(harness: Harness) -> None:
    harness.fake.errors["views.open"] = ["expired_trigger_id"]
    await harness.interact({"type": "shortcut", "callback_id": "describe_need"})
    [notice] = await harness.fake.wait_for("chat.postMessage")
    assert notice.params["channel"] == "U1" and "something went wrong" in notice.params["text"]
