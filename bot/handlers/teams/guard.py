"""Check an activity posted to ``/api/messages`` after the JWT middleware and before the Agents SDK reads it.

The SDK answers a body it cannot read as JSON with 400, but it also swallows our body size limit into that 400
(it reads with a broad ``except``) and lets an object that is not a valid Activity raise a 500. This middleware
reads the body first (413 beyond ``server.max_body_bytes``), insists on a JSON object that validates as an Activity
with a type, a conversation id, a channel id, a service URL and an author (400 otherwise), and makes the activity id
the request id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from microsoft_agents.activity import Activity

from bot.logs import set_request_id
from bot.webguard import error

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def activity_of(raw: bytes) -> Activity | str:
    """The activity in a request body, or why it is not one."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    try:
        activity = Activity.model_validate(body)
    except Exception:  # pydantic's ValidationError, and the SDK's own validator raises a bare Exception
        return "the body is not a Bot Framework activity"
    if not activity.type or activity.conversation is None or not activity.conversation.id:
        return "the activity needs a type and a conversation id"
    if not activity.channel_id or not activity.service_url:  # the Bot Connector always sends both; replies need them
        return "the activity needs a channel id and a service URL"
    if activity.from_property is None or not activity.from_property.id:  # the SDK keys its turn state by the author
        return "the activity needs an author"
    return activity


@web.middleware
async def activity_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse bodies that are too large (413) or not an activity (400); tag the request with the activity id."""
    if request.method != "POST":
        return await handler(request)
    found = activity_of(await request.read())  # raises 413 beyond the server's client_max_size
    if isinstance(found, str):
        log.warning("Teams request refused: %s", found)
        return error(400, found)
    set_request_id(found.id if isinstance(found.id, str) else None)
    return await handler(request)
