"""A local aiohttp server that plays the Bot Connector at the activities' ``serviceUrl``: it records every
activity the bot sends (new, reply, update) and answers with a resource id, as the real service does."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Sent:
    """One activity the bot sent to the connector."""

    method: str
    conversation: str
    reply_to: str | None
    activity: dict[str, Any]
    authorization: str | None
    at: float = field(default_factory=time.perf_counter)

    @property
    def type(self) -> str:
        """The activity type (message, typing, …)."""
        return str(self.activity.get("type"))

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to the activity."""
        return [a["content"] for a in self.activity.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def stream_type(self) -> str | None:
        """``informative``, ``streaming`` or ``final`` for a streamed activity."""
        for entity in self.activity.get("entities") or []:
            if entity.get("type") == "streaminfo":
                return str(entity.get("streamType"))
        return None


@dataclass
class FakeConnector:
    """The fake; ``url`` is the ``serviceUrl`` to put into activities. ``members`` answers roster look-ups
    (``GET …/members/{id}``, by ``29:`` id) the way Teams does, with e-mail and user principal name."""

    sent: list[Sent] = field(default_factory=list)
    refuse: int = 0
    url: str = ""
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)  # statuses (429, 5xx) for the next message activities
    retry_after: str | None = None  # the Retry-After header sent with those failures
    failed: list[tuple[int, float]] = field(default_factory=list)  # (status, time) of each answered failure
    looked_up: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: TestServer | None = None
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)

    async def start(self) -> FakeConnector:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        self.url = str(self._server.make_url("/"))
        return self

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            await self._server.close()

    def of(self, kind: str = "message", conversation: str | None = None) -> list[Sent]:
        """Activities of one type (optionally in one conversation), in arrival order."""
        return [s for s in self.sent if s.type == kind and (conversation is None or s.conversation == conversation)]

    async def wait(self, predicate: Callable[[list[Sent]], bool], timeout: float = 60) -> list[Sent]:
        """Wait until ``predicate(sent)`` holds (the timeout only guards against hangs)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self.sent)), timeout)
        return self.sent

    async def messages(self, count: int = 1, conversation: str | None = None) -> list[Sent]:
        """Wait for ``count`` message activities (cards or text) and return them."""
        await self.wait(lambda _: len(self.of("message", conversation)) >= count)
        return self.of("message", conversation)

    async def _activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.refuse > 0 and body.get("type") == "message":
            self.refuse -= 1
            return web.json_response({"error": {"code": "BadArgument", "message": "refused"}}, status=400)
        if self.failures and body.get("type") == "message":
            status = self.failures.pop(0)
            self.failed.append((status, time.perf_counter()))
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else None
            return web.json_response({"error": {"code": "ServiceError", "message": "try again"}}, status=status,
                                     headers=headers)
        sent = Sent(request.method, request.match_info["conversation"], request.match_info.get("reply_to"), body,
                    request.headers.get("Authorization"))
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        conversation, member = request.match_info["conversation"], request.match_info["member"]
        self.looked_up.append((conversation, member))
        if member not in self.members:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(self.members[member])
