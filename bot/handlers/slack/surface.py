"""Mount Slack on the shared aiohttp server: ``POST /slack/events`` (events, interactivity, commands, options)
and the OAuth install routes, or a Socket Mode connection when an app-level token is configured."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp

from bot.assistant import Assistant
from bot.config import Settings
from bot.handlers.slack.app import build_app
from bot.handlers.slack.guard import bolt_request, replayed, request_id_middleware
from bot.webguard import error

log = logging.getLogger(__name__)


class SlackSurface:
    """The Bolt app plus its HTTP routes or Socket Mode connection, tied to the web server's lifecycle."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings, self.assistant = settings, assistant
        self.app: AsyncApp = build_app(settings, assistant)
        if settings.slack.socket_mode:
            self.app.middleware(request_id_middleware)
        self.socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None

    def mount(self, server: web.Application) -> None:
        """Add the ``/slack/`` sub-application (its own routes and middlewares) and the start/stop hooks."""
        routes = web.Application()
        if not self.settings.slack.socket_mode:
            routes.router.add_post("/events", self.events)
        if self.app.oauth_flow is not None:
            routes.router.add_get("/install", self.install)
            routes.router.add_get("/oauth_redirect", self.oauth_redirect)
        server.add_subapp("/slack", routes)
        server.on_startup.append(self.start)
        server.on_cleanup.append(self.stop)

    async def events(self, request: web.Request) -> web.Response:
        """Every signed request from Slack: checked (401, 400), then Bolt acks within 3 s and runs listeners after."""
        checked = await bolt_request(request, self.settings.slack)
        if isinstance(checked, web.Response):
            return checked
        if await replayed(checked, self.assistant.claim):
            log.warning("a replayed Slack request was refused")
            return error(401, "replayed request")
        return await to_aiohttp_response(await self.app.async_dispatch(checked))

    async def install(self, request: web.Request) -> web.Response:
        """The "Add to Slack" page of the OAuth install."""
        assert self.app.oauth_flow is not None
        return await to_aiohttp_response(await self.app.oauth_flow.handle_installation(await to_bolt_request(request)))

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        """Slack's redirect after a workspace approved the install: exchange the code, store the installation."""
        assert self.app.oauth_flow is not None
        return await to_aiohttp_response(await self.app.oauth_flow.handle_callback(await to_bolt_request(request)))

    async def start(self, _server: web.Application) -> None:
        """Share one HTTP session for Web API calls; connect Socket Mode when configured."""
        self._session = aiohttp.ClientSession()
        self.app.client.session = self._session
        if self.settings.slack.socket_mode:
            assert self.settings.slack.app_token is not None
            self.socket = AsyncSocketModeHandler(self.app, self.settings.slack.app_token.get_secret_value())
            await self.socket.connect_async()
            log.info("Slack Socket Mode connected")

    async def stop(self, _server: web.Application) -> None:
        """Close Socket Mode and the HTTP session."""
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self._session is not None:
            await self._session.close()
            self._session = None
