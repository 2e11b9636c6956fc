"""Fuzz ``POST /api/messages`` and the activity parsers: any JSON, and Activity-shaped objects with random fields
(messages, invokes, card submits, installs, member updates), get an answer without a server error (an invoke
nobody handles gets the Bot Framework's 501), and the server still answers a real message afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.handlers.teams.parse import claim_key, clean_text, command, split_conversation, teams_place
from tests.reliability.fuzzing import JSON, keyed
from tests.reliability.support import TEAMS_WARNING, Both
from tests.teams.activities import personal
from tests.teams.fake_connector import FakeConnector

pytestmark = TEAMS_WARNING
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
TEXT = st.text(max_size=40) | st.sampled_from(["<at>innobroker</at> Må vi tale med leverandører?", "match elcykler",
                                                "need", "ask", "<p>a<br/>b</p>", "&amp;", ""])
TYPES = ["message", "invoke", "installationUpdate", "conversationUpdate", "messageReaction", "messageUpdate",
         "messageDelete", "event", "typing", "endOfConversation"]
VERBS = ["feedback_up", "feedback_down", "feedback_details", "intro_request", "not_relevant", "need", "x"]
ACCOUNT = keyed(["id", "name", "aadObjectId", "role"], TEXT | JSON)
CONVERSATION = st.builds(lambda conversation_id, rest: {"id": conversation_id, **rest},
                         st.text(min_size=1, max_size=30) | st.sampled_from(["a:personal-chat-1",
                                                                              "19:c@thread.tacv2;messageid=1"]),
                         keyed(["conversationType", "tenantId", "isGroup", "name"], TEXT | JSON))
CARD_VALUE = st.builds(lambda verb, data: {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
                       st.sampled_from(VERBS), keyed(["verb", "turn", "kind", "org", "language", "need", "cpv",
                                                      "country", "reason", "comment"], TEXT | JSON))
FIELDS = {"id": TEXT, "text": TEXT, "textFormat": TEXT, "locale": TEXT | st.sampled_from(["da-DK", "de", "sv-SE"]),
          "from": ACCOUNT | JSON, "recipient": ACCOUNT | JSON, "conversation": CONVERSATION | JSON,
          "channelData": JSON | keyed(["tenant", "team", "channel", "source"], keyed(["id", "name"], TEXT | JSON)),
          "value": CARD_VALUE | JSON, "name": st.sampled_from(["adaptiveCard/action", "x"]) | TEXT,
          "action": st.sampled_from(["add", "remove", "add-upgrade"]) | TEXT, "entities": JSON,
          "attachments": JSON, "membersAdded": st.lists(ACCOUNT, max_size=2) | JSON, "replyToId": TEXT}
ACTIVITY = st.builds(lambda kind, conversation, fields: {"type": kind, "conversation": conversation, **fields},
                     st.sampled_from(TYPES) | st.text(max_size=10), CONVERSATION,
                     st.fixed_dictionaries({}, optional=FIELDS))


@pytest.fixture
async def fuzzed(server: Both, connector: FakeConnector) -> AsyncIterator[Both]:
    """The server under fuzzing; afterwards it must still answer a real personal message."""
    yield server
    activity = personal(connector.url, "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?")
    activity["conversation"]["id"] = "a:after-fuzzing"
    assert (await server.teams.send(activity)).status in (200, 202)
    assert await connector.messages(1, "a:after-fuzzing")


async def post(server: Both, body: Any) -> int:
    async with server.client.post("/api/messages", json=body) as response:
        await response.read()
        return response.status


@FUZZ
@given(body=JSON)
async def test_any_json_never_gets_a_server_error(fuzzed: Both, body: Any) -> None:
    assert await post(fuzzed, body) < 500


@FUZZ
@given(activity=ACTIVITY)
async def test_activities_with_random_fields_never_get_a_server_error(fuzzed: Both, connector: FakeConnector,
                                                                     activity: dict[str, Any]) -> None:
    activity |= {"serviceUrl": connector.url, "channelId": "msteams"}  # replies only ever go to the local fake
    status = await post(fuzzed, activity)
    assert status < 500 or (status == 501 and activity["type"] == "invoke"), status


@settings(max_examples=200, deadline=None)
@given(activity=ACTIVITY)
def test_the_parsers_turn_any_valid_activity_into_a_place_and_text(activity: dict[str, Any]) -> None:
    try:
        parsed = Activity.model_validate(activity)
    except ValidationError:
        return  # refused with 400 before any parser runs (see test_security)
    place = teams_place(parsed)
    assert place.platform == "teams" and all(len(part) <= 64 for part in (place.workspace, place.channel,
                                                                         place.thread, place.user))
    text = clean_text(parsed.text)
    assert "<" not in text or ">" not in text.split("<", 1)[1]
    command(text)
    assert claim_key(parsed).startswith("teams:msg:")
    assert split_conversation(parsed.conversation.id if parsed.conversation else "")[0] is not None
