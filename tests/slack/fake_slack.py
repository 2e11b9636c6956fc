"""A local aiohttp server that plays Slack at the network edge: the Web API, response_url, Socket Mode's WebSocket.

It records every call, can answer 429 (with Retry-After), a 5xx or an error for chosen methods, and can hold a method
until the test releases it (to prove the ack came first).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

BOT_USER, BOT_ID, TEAM = "UBOT", "BBOT", "T1"


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int = 200
    at: float = field(default_factory=time.perf_counter)


@dataclass
class FakeSlack:
    """The fake; ``url`` is the SLACK_API_URL to configure (``…/api/``)."""

    calls: list[Call] = field(default_factory=list)
    rate_limited: dict[str, int] = field(default_factory=dict)
    retry_after: str = "0"  # the Retry-After header of those 429s
    server_errors: dict[str, list[int]] = field(default_factory=dict)  # method → HTTP statuses to answer first
    errors: dict[str, list[str]] = field(default_factory=dict)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    base: str = ""
    # Workspace state for the broker workflows: channel names, channels the bot is not in, users' e-mail addresses.
    channels: dict[str, str] = field(default_factory=dict)
    not_member: set[str] = field(default_factory=set)
    emails: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._server: TestServer | None = None
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()

    async def start(self) -> FakeSlack:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info, conversations.info … are GET in slack-sdk
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        self.base = str(self._server.make_url("")).rstrip("/")
        self.url = f"{self.base}/api/"
        return self

    async def close(self) -> None:
        """Close sockets and stop listening."""
        for ws in self._sockets:
            await ws.close()
        if self._server is not None:
            await self._server.close()

    def to(self, method: str) -> list[Call]:
        """Successful calls of one Web API method (or ``response:NAME`` for a response_url)."""
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 60) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` arrived (the timeout only guards against hangs)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.to(method)) >= count), timeout)
        return self.to(method)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(parse_qsl(await request.text()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or params.get("token")
        if method in self.holds:
            await self._record(Call(f"held:{method}", params, token))
            await self.holds[method].wait()
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            await self._record(Call(method, params, token, 429))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": self.retry_after})
        if self.server_errors.get(method):
            status = self.server_errors[method].pop(0)
            await self._record(Call(method, params, token, status))
            return web.json_response({"ok": False, "error": "fatal_error"}, status=status)
        if self.errors.get(method):
            error = self.errors[method].pop(0)
            await self._record(Call(method, params, token, 400))
            return web.json_response({"ok": False, "error": error})
        await self._record(Call(method, params, token))
        return web.json_response(self._answer(method, params, token))

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team": "Test", "team_id": TEAM, "user": "innobroker", "user_id": BOT_USER,
                    "bot_id": BOT_ID, "url": "https://test.slack.com/"}
        if method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts,
                    "message": {"ts": ts, "text": params.get("text"), "bot_id": BOT_ID}}
        if method == "chat.startStream":
            ts = f"1800000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method in ("chat.update", "chat.appendStream", "chat.stopStream"):
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method in ("conversations.info", "conversations.open", "conversations.list", "users.info",
                      "users.lookupByEmail"):
            return self._workspace(method, params)
        if method == "apps.connections.open":
            return {"ok": True, "url": self.base.replace("http://", "ws://") + "/socket"}
        if method == "oauth.v2.access":
            return {"ok": True, "app_id": "A1", "authed_user": {"id": "UINSTALL"}, "scope": "chat:write,commands",
                    "token_type": "bot", "access_token": "xoxb-second-workspace", "bot_user_id": "UBOT2",
                    "team": {"id": "T2", "name": "Second"}, "enterprise": None, "is_enterprise_install": False}
        if method == "conversations.replies":
            return {"ok": True, "messages": []}
        return {"ok": True}

    def _workspace(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Channels (every channel has the bot as a member unless listed in ``not_member``), DMs and users."""
        if method == "conversations.info":
            channel = str(params.get("channel"))
            return {"ok": True, "channel": {"id": channel, "name": self.channels.get(channel, channel.lower()),
                                            "is_channel": True, "is_member": channel not in self.not_member}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{params.get('users')}"}}
        if method == "conversations.list":
            return {"ok": True, "channels": [{"id": cid, "name": name} for cid, name in self.channels.items()],
                    "response_metadata": {"next_cursor": ""}}
        if method == "users.info":
            user = str(params.get("user"))
            return {"ok": True, "user": {"id": user, "profile": {"email": self.emails.get(user)}}}
        found = [user for user, email in self.emails.items() if email.casefold() == str(params.get("email")).casefold()]
        return {"ok": True, "user": {"id": found[0]}} if found else {"ok": False, "error": "users_not_found"}

    async def _response_url(self, request: web.Request) -> web.Response:
        await self._record(Call(f"response:{request.match_info['name']}", await request.json(), None))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        self._connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                async with self._changed:
                    self.socket_acks.append(json.loads(message.data))
                    self._changed.notify_all()
        return ws

    async def push(self, envelope: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
        """Send a Socket Mode envelope to the connected app and wait for its acknowledgement."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        await self._sockets[-1].send_json(envelope)
        wanted = envelope["envelope_id"]
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(
                lambda: any(a.get("envelope_id") == wanted for a in self.socket_acks)), timeout)
        return next(a for a in self.socket_acks if a.get("envelope_id") == wanted)
