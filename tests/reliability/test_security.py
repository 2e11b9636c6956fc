"""Hostile requests at the HTTP edge and in the core: Slack signatures and replays (401), Teams JWTs (401), body size
(413), malformed JSON (400), broker-only actions refused to members, and the per-user rate limit."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core.authorization.jwt import _authorize_request, jwt_token_validator

from bot.assistant import Assistant, Request
from bot.conversations import Place
from bot.handlers.teams.app import sdk_configuration
from bot.intent import Intent
from bot.ratelimit import RateLimiter
from bot.workflows.service import Workflows
from bot.workflows.types import Actor, ChallengeDraft, ChallengePlan, Channel, IntroRequest, Outcome, Refusal
from tests.reliability.support import TEAMS_WARNING, Both, ServerFactory, both_environ
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, buttons, direct, mention, sign
from tests.teams.activities import TENANT, personal
from tests.teams.fake_connector import FakeConnector

pytestmark = TEAMS_WARNING
DK = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
DE = "Dürfen wir vor der Ausschreibung mit Anbietern sprechen?"
NEED = "Electric bikes for home care staff"
APP_ID = "5f0c2a51-7a3e-4d1e-9a55-0b1d2c3e4f50"


def envelope(event: dict[str, Any], event_id: str = "EvSEC1", team: str = "T1") -> str:
    """An Events API callback body."""
    return json.dumps({"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
                       "event": event, "event_id": event_id, "event_time": int(time.time())})


def signed(body: str, stamp: int, secret: str = SECRET) -> dict[str, str]:
    """Slack's headers for ``body`` signed at ``stamp``."""
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(secret, body, stamp)}


async def test_slack_requests_without_a_valid_fresh_signature_get_401_and_nothing_runs(server: Both) -> None:
    body, now = envelope(mention(DK, "100.1")), int(time.time())
    cases = {
        "missing": {"Content-Type": "application/json"},
        "wrong secret": signed(body, now, "not-the-secret"),
        "stale (captured more than 5 minutes ago)": signed(body, now - 6 * 60),
        "from the future": signed(body, now + 6 * 60),
        "tampered body": signed(body.replace("100.1", "100.2"), now),
        "timestamp not a number": {**signed(body, now), "X-Slack-Request-Timestamp": "soon"},
        "other scheme": {**signed(body, now), "X-Slack-Signature": "v1=" + sign(SECRET, body, now)[3:]},
    }
    for name, headers in cases.items():
        response = await server.client.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 401, name
    assert server.slack.fake.calls == []
    assert server.assistant.conversations.last_in_thread(Place("slack", "T1", "C1", "100.1", "U1")) is None
    answered = await server.client.post("/slack/events", data=body.encode(), headers=signed(body, now))
    assert answered.status == 200 and await server.slack.fake.wait_for("chat.postMessage")


async def test_a_replayed_request_is_answered_once_and_a_late_replay_is_refused(server: Both) -> None:
    body, stamp = envelope(mention(DK, "300.1"), "EvREPLAY"), int(time.time())
    for _ in range(3):  # the same bytes and headers, as a replaying attacker (or a proxy retry) sends them
        response = await server.client.post("/slack/events", data=body.encode(), headers=signed(body, stamp))
        assert response.status == 200
    await server.slack.fake.wait_for("reactions.remove")  # the one answer is complete
    assert len(server.slack.fake.to("chat.postMessage")) == 1
    late = await server.client.post("/slack/events", data=body.encode(), headers=signed(body, stamp - 301))
    assert late.status == 401


async def test_a_replayed_click_or_command_is_refused_and_runs_once(server: Both) -> None:
    await server.slack.event(direct(DK, "310.1"))
    [answer] = await server.slack.fake.wait_for("chat.postMessage")
    turn = buttons(answer.params["blocks"])[0]["value"]  # 👍
    click = urlencode({"payload": json.dumps({
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"}, "api_app_id": "A1",
        "trigger_id": "t", "response_url": f"{server.slack.fake.base}/response/click", "channel": {"id": "D1"},
        "container": {"type": "message"}, "actions": [{"action_id": "feedback_up", "block_id": "b",
                                                       "type": "button", "value": turn, "action_ts": "1"}]})})
    command = urlencode({"team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/innobroker",
                         "text": f"ask {DK}", "response_url": f"{server.slack.fake.base}/response/cmd"})
    stamp, form = int(time.time()), "application/x-www-form-urlencoded"
    for body in (click, command):
        headers = {**signed(body, stamp), "Content-Type": form}
        first = await server.client.post("/slack/events", data=body.encode(), headers=headers)
        again = await server.client.post("/slack/events", data=body.encode(), headers=headers)
        assert (first.status, again.status) == (200, 401)
    await server.slack.fake.wait_for("response:cmd")
    await server.slack.fake.wait_for("response:click")
    assert len(server.slack.fake.to("response:cmd")) == 1 and len(server.slack.fake.to("response:click")) == 1
    assert [v["verdict"] for v in server.assistant.conversations.votes(int(turn))] == ["up"]


def _token(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {"aud": APP_ID, "iss": "https://api.botframework.com", "iat": now, "nbf": now, "exp": now + 600,
               **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "bf-key-1"})


async def test_teams_requests_without_a_valid_jwt_get_401_when_an_app_id_is_set(
        make_server: ServerFactory, fake: FakeSlack, connector: FakeConnector,
        monkeypatch: pytest.MonkeyPatch) -> None:
    trusted = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    async def bot_framework_key(self: Any, uri: str, header: dict[str, Any]) -> Any:
        return trusted.public_key()  # what the Bot Framework's JWKS endpoint would publish for the key id

    monkeypatch.setattr(jwt_token_validator._JwkClientManager, "get_signing_key", bot_framework_key)
    environ = both_environ(fake, anonymous=False, CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID=APP_ID,
                           CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET="not-a-real-secret",
                           CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID=TENANT)
    forged = {
        "no header": None,
        "not a JWT": "Bearer not-a-jwt",
        "basic auth": "Basic dXNlcjpwdw==",
        "signed by another key": f"Bearer {_token(attacker)}",
        "expired": f"Bearer {_token(trusted, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)}",
        "another bot's audience": f"Bearer {_token(trusted, aud='11111111-2222-4333-8444-555555555555')}",
        "unsigned (alg none)": "Bearer " + jwt.encode({"aud": APP_ID, "iss": "https://api.botframework.com"},
                                                      None, algorithm="none"),
    }
    async with make_server(environ=environ) as server:
        for name, header in forged.items():
            response = await server.teams.send(personal(connector.url, DK),
                                               headers={"Authorization": header} if header else None)
            assert response.status == 401, name
        assert connector.sent == []
        configuration = MsalConnectionManager(**sdk_configuration(server.settings.teams)) \
            .get_default_connection_configuration()
        accepted = await _authorize_request(f"Bearer {_token(trusted)}", configuration)
        assert getattr(accepted, "claims", {}).get("aud") == APP_ID  # the same check passes a genuine token


async def test_bodies_over_the_size_limit_get_413_on_both_routes(make_server: ServerFactory,
                                                                 connector: FakeConnector) -> None:
    async with make_server(server={"max_body_bytes": 4096}) as server:
        big = envelope(mention("x" * 5000, "400.1"), "EvBIG")
        assert (await server.slack.post(big, "application/json")).status == 413
        activity = personal(connector.url, "x" * 5000)
        assert (await server.teams.send(activity)).status == 413

        async def chunked(payload: bytes) -> AsyncIterator[bytes]:  # no Content-Length: stopped while read
            for start in range(0, len(payload), 1000):
                yield payload[start:start + 1000]

        stamp = int(time.time())
        response = await server.client.post("/slack/events", data=chunked(big.encode()), headers=signed(big, stamp))
        assert response.status == 413
        response = await server.client.post("/api/messages", data=chunked(json.dumps(activity).encode()),
                                            headers={"Content-Type": "application/json"})
        assert response.status == 413
        assert server.slack.fake.calls == [] and connector.sent == []
        assert (await server.slack.event(mention(DK, "400.2"))).status == 200  # under the limit: answered
        await server.slack.fake.wait_for("chat.postMessage")


async def test_malformed_json_gets_400_and_the_server_keeps_answering(server: Both, connector: FakeConnector) -> None:
    stamp = int(time.time())
    for body, kind in (("{not json", "application/json"), ("[1, 2]", "application/json"), ("null", "application/json"),
                       ("payload=%7Bbroken", "application/x-www-form-urlencoded")):
        headers = {**signed(body, stamp), "Content-Type": kind}
        response = await server.client.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 400, body
        assert "error" in await response.json()
    for raw in (b"{not json", b"[]", b'"text"', b'{"type": 5, "conversation": {"id": "a"}}', b'{"type": "message"}',
                b'{"type": "message", "conversation": "a"}', b"\xff\xfe\x00"):
        response = await server.client.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
        assert response.status == 400, raw
    assert server.slack.fake.calls == [] and connector.sent == []
    assert (await server.teams.send(personal(connector.url, DK))).status in (200, 202)
    assert await connector.messages()
    assert (await server.slack.event(direct(DK, "500.1"))).status == 200
    assert await server.slack.fake.wait_for("chat.postMessage")


@pytest.mark.parametrize("platform", ["slack", "teams"])
async def test_broker_only_actions_are_refused_to_members(brokered: Assistant, platform: str) -> None:
    core = Workflows.of(brokered)
    member, other, broker = (Actor(platform, "W1", user) for user in ("UMEMBER", "UOTHER", "UBROKER"))
    reply = await brokered.reply(Request(NEED, member.place("C1"), Intent.MATCH))
    assert reply.match is not None and reply.turn_id is not None
    intro = await core.request_intro(member, reply.turn_id, "supplier", reply.match.suppliers[0].id, "en")
    assert isinstance(intro, IntroRequest)
    plan = await core.publish_challenge(other, ChallengeDraft("Circular textiles", "Recycling textiles from care "
                                                              "homes", channel=Channel("CNET")), "en")
    assert isinstance(plan, ChallengePlan)

    refused = [await core.push(member, Channel("CNET"), NEED, "en"),
               await core.set_intro_status(member, intro.outcome.id, "introduced", "en"),
               await core.overview(member, "en"),
               await core.interests(member, plan.challenge.id, "en")]
    assert all(isinstance(r, Refusal) and r.code == "role" for r in refused), refused
    assert all("Only brokers" in r.message for r in refused if isinstance(r, Refusal))
    unchanged = await core.overview(broker, "en")
    assert not isinstance(unchanged, Refusal) and [o.status for o in unchanged.open_intros] == ["open"]
    handled = await core.set_intro_status(broker, intro.outcome.id, "introduced", "en")
    assert isinstance(handled, Outcome) and handled.status == "introduced"
    assert not isinstance(await core.interests(other, plan.challenge.id, "en"), Refusal)  # the author may look


async def test_a_user_over_the_rate_limit_gets_a_friendly_message_in_their_language(
        make_server: ServerFactory, connector: FakeConnector) -> None:
    async with make_server(chat={"rate_per_minute": 1, "rate_burst": 2}) as server:
        for n in range(3):
            assert (await server.slack.event(direct(DK, f"600.{n}", user="U1"))).status == 200
            await server.slack.fake.wait_for("chat.postMessage", n + 1)
        posts = server.slack.fake.to("chat.postMessage")
        assert "Udbudsloven § 39" in posts[0].params["text"] + json.dumps(posts[0].params.get("blocks"))
        refused = posts[2].params["text"]
        assert refused.startswith("Det kunne jeg ikke: du sender beskeder hurtigere, end jeg kan nå at svare på dem.")
        assert "Vent 60 sekunder" in refused or "Vent 59 sekunder" in refused
        assert (await server.slack.event(direct(DK, "600.9", user="U2"))).status == 200  # others are not affected
        [*_, other] = await server.slack.fake.wait_for("chat.postMessage", 4)
        assert "Det kunne jeg ikke" not in other.params["text"]
        assert len(server.assistant.conversations.recent(Place("slack", "T1", "D1", "", "U1"), ("ask",), 10)) == 2

        for n in range(3):
            activity = personal(connector.url, DE)
            activity["conversation"]["id"] = "a:rate-limited-chat"
            assert (await server.teams.send(activity)).status in (200, 202)
            await connector.messages(n + 1, "a:rate-limited-chat")
        third = connector.of("message", "a:rate-limited-chat")[2]
        summary = third.activity.get("text") or json.dumps(third.cards)
        assert "Sie senden Nachrichten schneller, als ich sie beantworten kann" in summary


def test_the_rate_limiter_refills_per_user_and_stays_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=2, clock=lambda: now[0], max_keys=4)
    assert [limiter.acquire("slack", "T1", "U1") for _ in range(3)] == [0.0, 0.0, 10.0]
    assert limiter.acquire("slack", "T1", "U2") == 0.0 and limiter.acquire("teams", "T1", "U1") == 0.0
    now[0] = 5.0
    assert limiter.acquire("slack", "T1", "U1") == 5.0  # half a token refilled: five more seconds
    now[0] = 10.0
    assert limiter.acquire("slack", "T1", "U1") == 0.0
    for user in range(20):
        limiter.acquire("slack", "T9", f"U{user}")
    assert len(limiter._buckets) <= 4
    off = RateLimiter(per_minute=0, burst=1)
    assert not off.enabled and all(off.acquire("slack", "T1", "U1") == 0.0 for _ in range(100))
