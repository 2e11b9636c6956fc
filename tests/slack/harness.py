"""Drive the real aiohttp server like Slack does: signed event callbacks, slash commands, interactivity payloads."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.assistant import Assistant
from tests.slack.fake_slack import TEAM, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
_ids = itertools.count(1)


def sign(secret: str, body: str, timestamp: int) -> str:
    """Slack's v0 request signature."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def mention(text: str, ts: str, channel: str = "C1", user: str = "U1", thread_ts: str | None = None) -> dict:
    """An ``app_mention`` event."""
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts, "channel": channel,
             "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct(text: str, ts: str, channel: str = "D1", user: str = "U1", **extra: Any) -> dict:
    """A ``message.im`` event."""
    return {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": channel,
            "event_ts": ts, **extra}


@dataclass
class Harness:
    """The server under test, the fake Slack it talks to, and the core behind it."""

    client: TestClient
    fake: FakeSlack
    assistant: Assistant
    secret: str = SECRET

    async def post(self, body: str, content_type: str, timestamp: int | None = None, secret: str | None = None,
                   headers: dict[str, str] | None = None) -> ClientResponse:
        """POST /slack/events with a signature over ``body``."""
        stamp = int(time.time()) if timestamp is None else timestamp
        signed = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(stamp),
                  "X-Slack-Signature": sign(secret or self.secret, body, stamp), **(headers or {})}
        return await self.client.post("/slack/events", data=body.encode(), headers=signed)

    async def event(self, event: dict, event_id: str | None = None, retry: int | None = None,
                    team: str = TEAM) -> ClientResponse:
        """An Events API callback (optionally marked as Slack's retry number ``retry``)."""
        envelope = {"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback", "event": event,
                    "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time())}
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(json.dumps(envelope), "application/json", headers=headers)

    async def command(self, text: str, user: str = "U1", channel: str = "C1", name: str = "cmd",
                      command: str = "/innobroker") -> ClientResponse:
        """A slash command whose response_url points at the fake."""
        form = {"token": "legacy", "team_id": TEAM, "channel_id": channel, "user_id": user, "command": command,
                "text": text, "response_url": f"{self.fake.base}/response/{name}", "trigger_id": f"trig.{name}",
                "api_app_id": "A1"}
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict) -> ClientResponse:
        """An interactivity payload (block actions, shortcuts, view submissions)."""
        body = {"team": {"id": TEAM, "domain": "test"}, "user": {"id": "U1", "team_id": TEAM}, "api_app_id": "A1",
                "token": "legacy", "trigger_id": "trig.interact", **payload}
        return await self.post(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")

    async def click(self, action_id: str, value: str, message_blocks: list | None = None,
                    name: str = "click") -> ClientResponse:
        """A button click on one of the bot's messages (with a response_url at the fake)."""
        return await self.interact({
            "type": "block_actions", "response_url": f"{self.fake.base}/response/{name}",
            "container": {"type": "message", "channel_id": "C1", "message_ts": "1.0"},
            "channel": {"id": "C1"}, "message": {"ts": "1.0", "blocks": message_blocks or []},
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                         "action_ts": "1.1"}],
        })


def block_texts(blocks: list[dict]) -> str:
    """All visible text of a message's blocks, for assertions."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def buttons(blocks: list[dict]) -> list[dict]:
    """Every button of a message."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
