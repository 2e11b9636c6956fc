"""Events over HTTP end to end: signatures, mentions in threads, follow-ups, DMs, retries, bots, failures, 429."""

from __future__ import annotations

import asyncio
import json
import time

from bot.db import Database
from tests.slack.conftest import HarnessFactory
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import Harness, block_texts, buttons, direct, mention

DK_QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"


async def test_url_verification_answers_the_challenge(harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "token": "legacy"})
    response = await harness.post(body, "application/json")
    assert response.status == 200
    assert (await response.json())["challenge"].startswith("3eZbrw1a")


async def test_wrong_or_stale_signature_is_rejected_and_nothing_runs(harness: Harness) -> None:
    event = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "EvBAD",
                        "event": mention(DK_QUESTION, "100.1")})
    wrong = await harness.post(event, "application/json", secret="not-the-secret")
    stale = await harness.post(event, "application/json", timestamp=int(time.time()) - 10 * 60)
    assert (wrong.status, stale.status) == (401, 401)
    assert harness.fake.calls == []


async def test_mention_is_answered_in_its_thread_with_linked_citations(harness: Harness) -> None:
    response = await harness.event(mention(DK_QUESTION, "100.1"))
    assert response.status == 200
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1" and post.params["thread_ts"] == "100.1"
    assert post.token == "xoxb-test"
    blocks = post.params["blocks"]
    text = block_texts(blocks)
    assert "Forstået som et spørgsmål om reglerne" in text
    assert "<https://www.retsinformation.dk/eli/lta/2015/1564|Udbudsloven § 39>" in text
    assert blocks[0]["type"] == "context"
    citation_contexts = [b for b in blocks if b["type"] == "context" and "📎" in b["elements"][0]["text"]]
    assert citation_contexts and "Udbudsloven § 39" in citation_contexts[0]["elements"][0]["text"]
    assert [b["action_id"] for b in buttons(blocks)] == ["feedback_up", "feedback_down"]
    turn = await harness.assistant.turn(int(buttons(blocks)[0]["value"]))
    assert turn is not None and turn.text == DK_QUESTION and turn.result["citations"][0]["label"] == "Udbudsloven § 39"
    await harness.fake.wait_for("reactions.remove")
    assert [c.params["name"] for c in harness.fake.to("reactions.add")] == ["hourglass_flowing_sand"]


async def test_follow_up_in_the_thread_keeps_the_threads_question(harness: Harness) -> None:
    await harness.event(mention("Hur länge får ett ramavtal gälla i Sverige?", "200.1"))
    await harness.fake.wait_for("chat.postMessage")
    await harness.event(mention("och med särskilda skäl?", "200.2", thread_ts="200.1"))
    _, second = await harness.fake.wait_for("chat.postMessage", 2)
    assert second.params["thread_ts"] == "200.1"
    text = block_texts(second.params["blocks"])
    assert "uppföljning av ”Hur länge får ett ramavtal gälla i Sverige?”" in text
    assert "LOU 7 kap. 3 §" in text
    turn = await harness.assistant.turn(int(buttons(second.params["blocks"])[0]["value"]))
    assert turn is not None and turn.text.startswith("och")
    assert turn.query.startswith("Hur länge får ett ramavtal gälla")


async def test_direct_message_need_gets_match_cards(harness: Harness) -> None:
    await harness.event(direct("Vi søger elcykler til hjemmeplejen", "300.1"))
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1" and post.params.get("thread_ts") is None
    blocks = post.params["blocks"]
    text = block_texts(blocks)
    assert "Forstået som et behov" in text and "Leverandører" in text and "Ordregivere, der har købt" in text
    intro = [b for b in buttons(blocks) if b["action_id"] == "intro_request"]
    assert intro and intro[0]["text"]["text"] == "Bed om introduktion"
    _, kind, org = intro[0]["value"].split("|")
    assert kind == "supplier" and org
    assert any(b["action_id"] == "not_relevant" for b in buttons(blocks))
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section") and len(blocks) <= 50


async def test_peer_search_in_english(harness: Harness) -> None:
    await harness.event(direct("Which other municipalities have bought electric bikes for home care?", "310.1"))
    [post] = await harness.fake.wait_for("chat.postMessage")
    text = block_texts(post.params["blocks"])
    assert "Understood as a search for peer buyers" in text and "Buyers who procured something similar" in text


async def test_a_retried_event_is_answered_once(harness: Harness) -> None:
    event = mention(DK_QUESTION, "400.1")
    first = await harness.event(event, event_id="EvRETRY")
    retry = await harness.event(event, event_id="EvRETRY", retry=1)
    assert (first.status, retry.status) == (200, 200)
    await harness.fake.wait_for("reactions.remove")
    assert len(harness.fake.to("chat.postMessage")) == 1


async def test_two_replicas_sharing_a_database_answer_once(make_harness: HarnessFactory, database_url: str,
                                                          fake: FakeSlack) -> None:
    database = Database(database_url)
    try:
        async with make_harness(database) as one, make_harness(database) as two:
            event = mention(DK_QUESTION, "500.1")
            responses = await asyncio.gather(one.event(event, event_id="EvTWICE"),
                                             two.event(event, event_id="EvTWICE", retry=1))
            assert [r.status for r in responses] == [200, 200]
            await fake.wait_for("reactions.remove")
            assert len(fake.to("chat.postMessage")) == 1
    finally:
        database.dispose()


async def test_ack_returns_before_the_slow_work_finishes(harness: Harness) -> None:
    held = harness.fake.holds["chat.postMessage"] = asyncio.Event()
    response = await harness.event(mention(DK_QUESTION, "600.1"))
    assert response.status == 200
    assert harness.fake.to("chat.postMessage") == []
    held.set()
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "600.1"


async def test_bots_own_messages_and_edits_are_ignored(harness: Harness) -> None:
    for event in (direct("hello from another bot", "700.1", bot_id="B999", user="U9"),
                  direct("my own echo", "700.2", user="UBOT"),
                  direct("edited", "700.3", subtype="message_changed"),
                  {**mention(DK_QUESTION, "700.4"), "bot_id": "B999"}):
        assert (await harness.event(event)).status == 200
    await harness.event(direct("hej", "700.5"))
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1" and "/innobroker ask" in block_texts(post.params["blocks"])


async def test_a_failure_is_reported_in_the_thread(harness: Harness) -> None:
    harness.fake.errors["chat.postMessage"] = ["msg_too_long"]
    await harness.event(mention(DK_QUESTION, "800.1"))
    [notice] = await harness.fake.wait_for("chat.postMessage")
    assert notice.params["thread_ts"] == "800.1"
    assert "noget gik galt" in notice.params["text"] and "reference" in notice.params["text"]
    await harness.fake.wait_for("reactions.add", 2)
    assert harness.fake.to("reactions.add")[-1].params["name"] == "warning"


async def test_rate_limited_post_is_retried_after_retry_after(harness: Harness) -> None:
    harness.fake.rate_limited["chat.postMessage"] = 1
    await harness.event(mention(DK_QUESTION, "900.1"))
    [post] = await harness.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "900.1"
    assert [c.status for c in harness.fake.calls if c.method == "chat.postMessage"] == [429, 200]


async def test_assistant_thread_greets_shows_status_and_answers(harness: Harness) -> None:
    started = {"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U1", "channel_id": "D1", "thread_ts": "1000.1", "context": {"channel_id": "C1", "team_id": "T1"}},
        "event_ts": "1000.2"}
    await harness.event(started)
    await harness.fake.wait_for("assistant.threads.setSuggestedPrompts")
    greeting = harness.fake.to("chat.postMessage")[0]
    assert greeting.params["thread_ts"] == "1000.1" and greeting.params["text"].startswith("Hi!")
    prompts = harness.fake.to("assistant.threads.setSuggestedPrompts")[0].params["prompts"]
    assert len(prompts) == 3
    await harness.event(direct("Für wie lange darf eine Innovationspartnerschaft laufen?", "1000.3",
                               thread_ts="1000.1"))
    posts = await harness.fake.wait_for("chat.postMessage", 2)
    assert posts[1].params["thread_ts"] == "1000.1"
    assert "Verstanden als Frage" in block_texts(posts[1].params["blocks"])
    statuses = [c.params["status"] for c in harness.fake.to("assistant.threads.setStatus")]
    assert statuses[0] == "denkt nach …"


async def test_app_home_lists_recent_questions_and_profile(harness: Harness) -> None:
    await harness.event(mention(DK_QUESTION, "1100.1"))
    await harness.fake.wait_for("chat.postMessage")
    await harness.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1"})
    [publish] = await harness.fake.wait_for("views.publish")
    view = publish.params["view"]
    assert publish.params["user_id"] == "U1" and view["type"] == "home"
    text = block_texts(view["blocks"])
    assert "Dine seneste spørgsmål" in text and "Udbudsloven § 39" in text and "Redigér profil" in text


async def test_shutdown_drains_requests_in_progress(harness: Harness) -> None:
    held = harness.fake.holds["chat.postMessage"] = asyncio.Event()
    await harness.event(mention(DK_QUESTION, "1200.1"))
    await harness.fake.wait_for("held:chat.postMessage")  # the answer is being delivered
    draining = asyncio.create_task(harness.assistant.drain(60))
    await asyncio.sleep(0.05)
    assert not draining.done()
    held.set()
    await draining
    assert len(harness.fake.to("chat.postMessage")) == 1
