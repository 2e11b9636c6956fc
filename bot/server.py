"""``innobroker serve``: one aiohttp application for every chat surface.

Routes: ``GET /healthz`` (the knowledge store and the database, 503 when one fails); Slack under the ``/slack/``
sub-application (``POST /slack/events`` and the OAuth install routes), or a Socket Mode connection; Teams'
``POST /api/messages`` in the ``/api`` sub-application behind the SDK's JWT middleware. Each platform mounts its own
sub-application with its own middlewares; the root middleware (``bot.webguard``) sets the request id, limits body
size and logs each request. On SIGTERM the server stops accepting, waits up to ``server.drain_s`` for answers in
progress, then closes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.cli import fail
from bot.config import Settings
from bot.logs import configure_logging
from bot.webguard import guard, health

if TYPE_CHECKING:
    from bot.assistant import Assistant

log = logging.getLogger(__name__)
ASSISTANT: web.AppKey[Assistant] = web.AppKey("assistant")
SURFACES: web.AppKey[list[str]] = web.AppKey("surfaces")
WARMING: web.AppKey[asyncio.Task[None]] = web.AppKey("warming")


def build_web_app(settings: Settings, assistant: Assistant) -> web.Application:
    """The server with /healthz and every configured surface mounted."""
    limit = settings.server.max_body_bytes
    app = web.Application(client_max_size=limit, middlewares=[guard(limit)])
    app[ASSISTANT] = assistant
    app[SURFACES] = []
    app.router.add_get("/healthz", healthz)
    if settings.slack.configured:
        from bot.handlers.slack import SlackSurface

        SlackSurface(settings, assistant).mount(app)
        app[SURFACES].append("slack-socket-mode" if settings.slack.socket_mode else "slack")
    if settings.teams.configured:
        from bot.handlers.teams.surface import TeamsSurface

        TeamsSurface(settings, assistant).mount(app)
        app[SURFACES].append("teams")
    app.on_startup.append(_warm)
    app.on_shutdown.append(_drain)
    app.on_cleanup.append(_stop_warming)
    return app


async def healthz(request: web.Request) -> web.Response:
    """What is mounted, and whether the knowledge store and the database answer (503 with the failure if not)."""
    checks = await health(request.app[ASSISTANT])
    ok = all(check["ok"] for check in checks.values())
    return web.json_response({"ok": ok, "surfaces": request.app[SURFACES], "checks": checks}, status=200 if ok else 503)


async def _warm(app: web.Application) -> None:
    async def warm() -> None:
        try:
            await app[ASSISTANT].warm()
            log.info("match index ready")
        except Exception:
            log.exception("could not build the match index ahead of the first request")
    app[WARMING] = asyncio.create_task(warm())


async def _drain(app: web.Application) -> None:
    assistant = app[ASSISTANT]
    await assistant.drain(assistant.settings.server.drain_s)


async def _stop_warming(app: web.Application) -> None:
    app[WARMING].cancel()


def register(sub: Any) -> None:
    """Add ``serve`` to the CLI."""
    serve = sub.add_parser("serve", help="serve the chat surfaces (Slack over HTTP or Socket Mode, Teams)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(run=run_serve)


def missing_configuration(settings: Settings) -> str | None:
    """Why no chat surface can be served with these settings, or None."""
    slack = settings.slack
    if not slack.configured and not settings.teams.configured:
        return ("no chat surface is configured: set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (OAuth install), see docs/slack.md; or CONNECTIONS__SERVICE_CONNECTION__"
                "SETTINGS__CLIENTID for Teams, see docs/teams.md")
    if slack.configured and not slack.socket_mode and slack.signing_secret is None:
        return "set SLACK_SIGNING_SECRET (HTTP mode), or SLACK_APP_TOKEN for Socket Mode"
    return None


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker serve [--host 127.0.0.1] [--port 3000]"""
    problem = missing_configuration(settings)
    if problem:
        return fail(problem, 2)
    from bot.assistant import Assistant

    configure_logging(settings)
    assistant = Assistant.open(settings, quiet=False)
    if settings.slack.configured:
        mode = "Socket Mode" if settings.slack.socket_mode else f"POST http://{args.host}:{args.port}/slack/events"
        print(f"innobroker serving Slack ({mode})", file=sys.stderr)
    if settings.teams.configured:
        print(f"innobroker serving Teams (POST http://{args.host}:{args.port}/api/messages)", file=sys.stderr)
        if settings.teams.anonymous:
            print("innobroker: WARNING: Teams accepts UNAUTHENTICATED requests "
                  "(CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true); never do this in production",
                  file=sys.stderr)
    print(f"health at http://{args.host}:{args.port}/healthz", file=sys.stderr)
    try:
        web.run_app(build_web_app(settings, assistant), host=args.host, port=args.port, print=None, access_log=None)
    finally:
        assistant.close()
    return 0
