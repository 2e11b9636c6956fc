"""Fuzz ``POST /slack/events`` with correctly signed requests whose bodies are anything: random JSON, event callbacks,
interactivity payloads and slash commands with random fields. The server answers every one without a 5xx, and still
answers a real mention afterwards."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.fuzzing import JSON, keyed
from tests.reliability.support import Both
from tests.slack.harness import SECRET, direct, sign

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
TEXT = st.text(max_size=40) | st.sampled_from(["<@UBOT> Må vi tale med leverandører?", "match: elcykler", "help",
                                                "<#C1|general>", "<https://x.y|link>", ""])
IDS = st.text(max_size=12) | st.sampled_from(["T1", "U1", "UBOT", "C1", "D1", "1.0", "100.1"])
VALUE = JSON | TEXT | IDS
EVENT_TYPES = ["app_mention", "message", "app_home_opened", "assistant_thread_started", "tokens_revoked",
               "assistant_thread_context_changed", "app_uninstalled", "reaction_added"]
EVENT = st.builds(lambda kind, rest: {"type": kind, **rest}, st.sampled_from(EVENT_TYPES) | st.text(max_size=10),
                  keyed(["user", "text", "ts", "channel", "thread_ts", "channel_type", "subtype", "bot_id", "tab",
                         "event_ts", "files", "assistant_thread"], VALUE))
CALLBACK = st.builds(lambda rest, event: {"type": "event_callback", "event": event, **rest},
                     keyed(["team_id", "enterprise_id", "event_id", "api_app_id", "authorizations", "token"], VALUE),
                     EVENT | JSON)
PAYLOAD_TYPES = ["block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"]
ACTION = keyed(["action_id", "block_id", "value", "type", "selected_option", "action_ts"], VALUE) | st.builds(
    lambda action_id, value: {"action_id": action_id, "value": value, "block_id": "b", "type": "button"},
    st.sampled_from(["feedback_up", "feedback_down", "intro_request", "not_relevant", "open_need_modal",
                     "edit_profile", "intro_status", "challenge_interest", "challenge_who"]), TEXT | IDS)
INTERACTION = st.builds(
    lambda kind, rest: {"type": kind, **rest}, st.sampled_from(PAYLOAD_TYPES) | st.text(max_size=10),
    keyed(["team", "user", "actions", "view", "callback_id", "trigger_id", "response_url", "channel", "message",
           "container", "value"], VALUE | st.lists(ACTION, max_size=2) | st.fixed_dictionaries(
        {"callback_id": st.sampled_from(["feedback_modal", "need_modal", "profile_modal", "challenge_modal",
                                         "dismiss_modal", "x"]),
         "private_metadata": TEXT | JSON.map(json.dumps), "state": st.fixed_dictionaries({"values": JSON})})))
COMMAND = keyed(["team_id", "user_id", "channel_id", "command", "text", "trigger_id", "response_url"], TEXT | IDS)


async def post(server: Both, body: str, content_type: str) -> int:
    """POST a body signed with the real secret; the status."""
    stamp = int(time.time())
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(stamp),
               "X-Slack-Signature": sign(SECRET, body, stamp)}
    async with server.client.post("/slack/events", data=body.encode(), headers=headers) as response:
        await response.read()
        return response.status


@pytest.fixture
async def fuzzed(server: Both) -> AsyncIterator[Both]:
    """The server under fuzzing; afterwards it must still answer a real direct message."""
    yield server
    await still_answers(server)


async def still_answers(server: Both) -> None:
    """A real direct message is answered."""
    before = len(server.slack.fake.to("chat.postMessage"))
    envelope = {"type": "event_callback", "team_id": "T1", "event_id": "EvAFTERFUZZ",
                "event": direct("Må vi tale med leverandørerne før udbuddet?", "999.9", channel="DAFTER")}
    assert await post(server, json.dumps(envelope), "application/json") == 200
    posts = await server.slack.fake.wait_for("chat.postMessage", before + 1)
    assert any(p.params.get("channel") == "DAFTER" for p in posts)


@FUZZ
@given(body=JSON | CALLBACK | keyed(["type", "challenge", "token", "ssl_check"], VALUE))
async def test_signed_json_bodies_never_get_a_server_error(fuzzed: Both, body: Any) -> None:
    assert await post(fuzzed, json.dumps(body), "application/json") < 500


@FUZZ
@given(payload=INTERACTION | JSON, raw=st.booleans())
async def test_signed_interactivity_payloads_never_get_a_server_error(fuzzed: Both, payload: Any, raw: bool) -> None:
    form = urlencode({"payload": payload if raw and isinstance(payload, str) else json.dumps(payload)})
    assert await post(fuzzed, form, "application/x-www-form-urlencoded") < 500


@FUZZ
@given(command=COMMAND | st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=5))
async def test_signed_slash_commands_never_get_a_server_error(fuzzed: Both, command: dict[str, Any]) -> None:
    form = urlencode({key: value if isinstance(value, str) else json.dumps(value) for key, value in command.items()})
    assert await post(fuzzed, form, "application/x-www-form-urlencoded") < 500
