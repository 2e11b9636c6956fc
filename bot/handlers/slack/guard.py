"""Check a request to ``POST /slack/events`` before Bolt parses it: signed and fresh (401), not a replay of a click,
form or command already received (401), UTF-8 JSON of the shape Slack sends (400).

Bolt parses the body when it builds its request, before it verifies the signature, and reads many fields without
checking their types: a body that is not JSON, or a JSON list, or an event that is not an object, makes it raise,
which would be a 500. The signature is checked here first, so nobody without the signing secret learns anything from
our answers; Bolt then verifies it again as it always does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.config import SlackSettings
from bot.logs import set_request_id
from bot.webguard import error

log = logging.getLogger(__name__)
_STRINGS = ("type", "token", "team_id", "enterprise_id", "api_app_id", "event_id", "user_id", "channel_id",
            "trigger_id", "response_url", "callback_id", "command", "text", "context_team_id", "context_enterprise_id",
            "user_team", "channel_type", "subtype", "ts", "thread_ts", "event_ts", "action_id", "block_id", "value")
_OBJECTS = ("event", "view", "container", "message", "previous_message", "state", "assistant_thread")
_IDS = ("team", "user", "channel", "enterprise")  # an id, or an object whose id fields are strings
_LISTS = ("authorizations", "actions")
MAX_DEPTH = 3
_ACTING = ("block_actions", "view_submission", "shortcut", "message_action", "interactive_message")  # have effects
# Fields Slack always sends with these events, which the listeners read without checking.
_EVENT_FIELDS = {"app_mention": ("user", "channel", "ts"), "message": ("channel", "ts"), "app_home_opened": ("user",)}


def signed(verifier: SignatureVerifier, body: str, timestamp: str | None, signature: str | None) -> bool:
    """Whether the body carries a valid, fresh (±5 minutes) Slack v0 signature; malformed headers are invalid."""
    try:
        return verifier.is_valid(body, timestamp, signature)
    except (ValueError, TypeError, OverflowError):
        return False


async def bolt_request(request: web.Request, slack: SlackSettings) -> AsyncBoltRequest | web.Response:
    """The request for Bolt, or the error response to send instead."""
    raw = await request.read()  # raises 413 beyond the server's client_max_size
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return error(400, "the body is not UTF-8") if _unverified(slack) else error(401, "invalid signature")
    if not _unverified(slack):
        assert slack.signing_secret is not None
        verifier = SignatureVerifier(slack.signing_secret.get_secret_value())
        if not signed(verifier, body, request.headers.get("X-Slack-Request-Timestamp"),
                      request.headers.get("X-Slack-Signature")):
            log.warning("Slack request with a missing, wrong or stale signature refused")
            return error(401, "invalid signature")
    try:
        parsed = AsyncBoltRequest(body=body, query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        return error(400, "the body is not a Slack payload")
    problem = malformed(parsed.body) if isinstance(parsed.body, dict) else "not a JSON object"
    if problem:
        log.warning("Slack payload refused: %s", problem)
        return error(400, f"the body is not a Slack payload: {problem}")
    tag(parsed.body)
    return parsed


async def replayed(request: AsyncBoltRequest, claim: Callable[[str], Awaitable[bool]]) -> bool:
    """Whether this exact signed button click, form submission or command was already received (within the
    signature's five minutes, on any replica): its signature is claimed in the database. Events are left to the
    gate, which claims the message itself (Slack's retries of an event are legitimate); when the database cannot
    be asked, the request goes ahead (it then fails on its own work, which needs the database too)."""
    body = request.body
    if body.get("type") not in _ACTING and "command" not in body:  # events, options loads, url_verification …
        return False
    signature = (request.headers.get("x-slack-signature") or [""])[0]
    if not signature:
        return False
    try:
        return not await claim(f"slack:sig:{signature[-64:]}")
    except Exception as exc:  # database down or slow: no replay check, the request itself will tell the user
        log.warning("replay check skipped: %s", type(exc).__name__)
        return False


def malformed(payload: dict[str, Any], depth: int = 0) -> str | None:
    """Why a payload does not have the shape of Slack's (Bolt reads these fields without checking); None if it does.

    Strings must be strings, objects objects, ids strings or objects with string ids, and an event callback must
    carry an event with a type. Nested objects are checked the same way, a few levels deep. An object field that is
    null is dropped first (absent and null mean the same to us, but Bolt reads a present key as an object)."""
    for key in [k for k in _OBJECTS if k in payload and payload[k] is None and k != "event"]:
        del payload[key]
    for key in _STRINGS:
        if payload.get(key) is not None and not isinstance(payload[key], str):
            return f"{key} must be a string"
    for key in _IDS:
        value = payload.get(key)
        if value is not None and not isinstance(value, str | dict):
            return f"{key} must be an id or an object"
        if isinstance(value, dict) and any(value.get(k) is not None and not isinstance(value[k], str)
                                           for k in ("id", "team_id", "enterprise_id", "name")):
            return f"{key} has an id that is not a string"
    for key in _LISTS:
        items = payload.get(key, [])
        if not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return f"{key} must be a list of objects"
    if payload.get("type") in ("block_actions", "interactive_message") and not payload.get("actions"):
        return "a button payload without actions"
    if payload.get("type") == "block_actions" and not all(isinstance(a.get("action_id"), str) for a in
                                                          payload["actions"]):
        return "a button payload whose action has no action_id"
    if "event" in payload and not isinstance(payload["event"], dict):
        return "event must be an object"
    nested = [payload[k] for k in _OBJECTS if payload.get(k) is not None]
    if any(not isinstance(value, dict) for value in nested):
        return "an object field holds something else"
    if payload.get("type") == "event_callback":
        return _event(payload.get("event")) or (_children(payload, depth) if depth < MAX_DEPTH else None)
    if payload.get("type") == "view_submission":
        problem = _view(payload.get("view"))
        if problem:
            return problem
    return _children(payload, depth) if depth < MAX_DEPTH else None


def _children(payload: dict[str, Any], depth: int) -> str | None:
    children = [payload[k] for k in _OBJECTS if isinstance(payload.get(k), dict)]
    for child in [*children, *(i for k in _LISTS for i in payload.get(k) or [])]:
        problem = malformed(child, depth + 1)
        if problem:
            return problem
    return None


def _event(event: Any) -> str | None:
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "an event callback without an event type"
    missing = [f for f in _EVENT_FIELDS.get(event["type"], ()) if not isinstance(event.get(f), str)]
    if missing:
        return f"a {event['type']} event without {', '.join(missing)}"
    thread = event.get("assistant_thread")
    if event["type"] == "assistant_thread_started" and not (
            isinstance(thread, dict) and all(isinstance(thread.get(k), str) for k in ("channel_id", "thread_ts",
                                                                                        "user_id"))):
        return "an assistant thread event without its thread"
    return None


def _view(view: Any) -> str | None:
    """A submitted modal: its state holds input values by block and action, its metadata is the JSON we wrote."""
    if not isinstance(view, dict):
        return "a view payload without a view"
    values = (view.get("state") or {}).get("values") if isinstance(view.get("state") or {}, dict) else None
    if not isinstance(values, dict) or not all(
            isinstance(block, dict) and all(isinstance(action, dict) for action in block.values())
            for block in values.values()):
        return "a view whose state is not a map of inputs"
    metadata = view.get("private_metadata") or "{}"
    try:
        return None if isinstance(metadata, str) and isinstance(json.loads(metadata), dict) else "bad metadata"
    except ValueError:
        return "a view whose metadata is not ours"


def tag(body: dict[str, Any]) -> None:
    """Make an event's id the request id, so the ack and the answer written after it share one id."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        set_request_id(event_id)


async def request_id_middleware(body: dict[str, Any], next: Any) -> Any:
    """Bolt middleware for Socket Mode, where no HTTP request sets one: the event id, else a new request id."""
    event_id = body.get("event_id") if isinstance(body, dict) else None
    set_request_id(event_id if isinstance(event_id, str) else None)
    return await next()


def _unverified(slack: SlackSettings) -> bool:
    """Socket Mode has no HTTP route; without a signing secret serve refuses to start in HTTP mode."""
    return slack.socket_mode or slack.signing_secret is None
