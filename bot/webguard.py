"""What every HTTP request passes first: a request id, the body size limit, one log line, and the health checks.

The root middleware runs before each platform's sub-application (Slack's signature check, Teams' JWT middleware):
it refuses a body over ``server.max_body_bytes`` by its ``Content-Length`` at once (413; a chunked body is stopped by
the application's ``client_max_size`` while it is read), sets the request id (the caller's ``X-Request-Id`` when it
looks like one, else a new one; Slack's event id and Teams' activity id replace it further in) and logs the method,
path, status and duration (``/healthz`` at DEBUG), never the body or the query string.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

from bot.logs import REQUEST_ID, Redactor, secret_values, set_request_id

if TYPE_CHECKING:
    from bot.assistant import Assistant

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, message: str) -> web.Response:
    """A short JSON error body (nothing of the request echoed back)."""
    return web.json_response({"error": message}, status=status)


def guard(max_body_bytes: int) -> Any:
    """The root middleware: request id, body size limit by Content-Length, one access log line."""
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        request_id = set_request_id(request.headers.get("X-Request-Id"))
        started = time.perf_counter()
        status = 500
        try:
            if request.content_length is not None and request.content_length > max_body_bytes:
                response: web.StreamResponse = error(413, f"request body larger than {max_body_bytes} bytes")
            else:
                response = await handler(request)
            status = response.status
            if not response.prepared:
                response.headers["X-Request-Id"] = REQUEST_ID.get() or request_id
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            level = logging.DEBUG if request.path == "/healthz" else logging.INFO
            log.log(level, "%s %s %d %.1f ms", request.method, request.path, status,
                    (time.perf_counter() - started) * 1000)

    return middleware


async def health(assistant: Assistant) -> dict[str, dict[str, Any]]:
    """The knowledge store (heartbeat and chunk count) and the database (``SELECT 1``), each bounded in time."""
    timeout = assistant.settings.server.health_timeout_s
    redact = Redactor(secret_values(assistant.settings))
    checks = {"store": _store, "database": _database}
    results = await asyncio.gather(*(_check(check, assistant, timeout, redact) for check in checks.values()))
    return dict(zip(checks, results, strict=True))


async def _check(check: Callable[[Assistant], dict[str, Any]], assistant: Assistant, timeout: float,
                 redact: Redactor) -> dict[str, Any]:
    try:
        return {"ok": True, **await asyncio.wait_for(asyncio.to_thread(check, assistant), timeout)}
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {timeout:g} s"}
    except Exception as exc:  # any failure is the finding
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        log.warning("health check %s failed: %s", check.__name__.strip("_"), redact(first))
        return {"ok": False, "error": redact(f"{type(exc).__name__}: {first}")}


def _store(assistant: Assistant) -> dict[str, Any]:
    store = assistant.knowledge.store
    store.heartbeat()
    return {"chunks": store.count()}


def _database(assistant: Assistant) -> dict[str, Any]:
    with assistant.conversations.database.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {}
