"""Mount Teams on the shared aiohttp server: ``POST /api/messages`` in its own sub-application, so the SDK's JWT
middleware guards only the bot's route (``/healthz`` and Slack's routes stay outside it); proactive pushes."""

from __future__ import annotations

import asyncio
import logging
import warnings

from aiohttp import web
from microsoft_agents.hosting.aiohttp import jwt_authorization_middleware

from bot.assistant import Assistant
from bot.config import Settings
from bot.handlers.teams.app import TeamsBot
from bot.handlers.teams.cards import CardMessage, notice
from bot.handlers.teams.delivery import Later
from bot.handlers.teams.guard import activity_guard
from bot.handlers.teams.references import StoredConversation

log = logging.getLogger(__name__)
DRAIN_S = 20.0
AGENT_CONFIGURATION = "agent_configuration"  # the key the SDK's JWT middleware reads from its application


class TeamsSurface:
    """The Teams bot behind ``/api/messages``, tied to the web server's lifecycle."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        self.bot = TeamsBot(settings, assistant)
        if settings.teams.anonymous:
            log.warning("Teams accepts UNAUTHENTICATED requests (ANONYMOUS_ALLOWED=true): development and tests only")

    def mount(self, server: web.Application) -> None:
        """Add the ``/api`` sub-application behind the JWT middleware, and the shutdown hook."""
        routes = web.Application(middlewares=[jwt_authorization_middleware, activity_guard])  # JWT first: 401
        with warnings.catch_warnings():  # the SDK reads a plain string key, which aiohttp would warn about
            warnings.simplefilter("ignore")
            routes[AGENT_CONFIGURATION] = self.bot.connections.get_default_connection_configuration()
        routes.router.add_post("/messages", self.messages)
        server.add_subapp("/api", routes)
        server[TEAMS] = self
        server.on_shutdown.append(self.stop)

    async def messages(self, request: web.Request) -> web.Response:
        """Every activity from the Bot Connector; invokes are answered in the response body."""
        response = await self.bot.adapter.process(request, self.bot.app)
        return response if response is not None else web.Response(status=202)

    async def conversations(self, kind: str | None = None) -> list[StoredConversation]:
        """Where the app is installed: personal chats, group chats and team channels (``kind``)."""
        return await asyncio.to_thread(self.bot.references.installed, kind)

    async def push(self, conversation_id: str, messages: list[CardMessage]) -> bool:
        """Post into a stored conversation (a team channel starts a new post); False when it is not known."""
        stored = await asyncio.to_thread(self.bot.references.get, conversation_id)
        if stored is None or not stored.installed:
            log.warning("no installed Teams conversation %s to post to", conversation_id)
            return False
        await Later.from_stored(self.bot.adapter, stored).send(messages)
        return True

    async def notify(self, conversation_id: str, text: str) -> bool:
        """Post a short notice (a broker push, a digest line) into a stored conversation."""
        return await self.push(conversation_id, [notice(text)])

    async def stop(self, _server: web.Application) -> None:
        """Let follow-ups in progress reach Teams before the server stops."""
        await self.bot.delivery.drain(DRAIN_S)


TEAMS: web.AppKey[TeamsSurface] = web.AppKey("teams", TeamsSurface)
