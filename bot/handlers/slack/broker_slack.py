"""Slack plumbing of the broker workflows: actors (with e-mail when roles use addresses), mentions, channel
references and the bot's membership, direct messages, App Home's broker section, digests from the command line."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from bot.assistant import Assistant
from bot.config import Settings
from bot.conversations import Place
from bot.handlers.slack.blocks import Block, Message
from bot.handlers.slack.broker_views import broker_home_blocks, digest_messages
from bot.handlers.slack.delivery import slack_place
from bot.workflows.roles import Role, needs_email
from bot.workflows.service import Workflows
from bot.workflows.types import Actor, Channel, Digest, Refusal

log = logging.getLogger(__name__)
SLACK_USER = re.compile(r"[UW][A-Z0-9]+")
CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,}")
EMAIL_TTL_S = 600.0
_emails: dict[tuple[str, str], tuple[float, str | None]] = {}


def slack_mention(identifier: str) -> str | None:
    """A configured or stored person as Slack shows them: ``<@U…>``, an e-mail address; None for other platforms."""
    if SLACK_USER.fullmatch(identifier):
        return f"<@{identifier}>"
    return identifier if "@" in identifier else None


def workflows(assistant: Assistant) -> Workflows:
    """The core workflows, naming people the Slack way."""
    return Workflows.of(assistant, slack_mention)


def error_of(exc: SlackApiError) -> str:
    """The Web API's error code."""
    data = getattr(exc.response, "data", None)
    return str(data.get("error", "error")) if isinstance(data, dict) else "error"


async def _email(client: AsyncWebClient, team: str, user: str) -> str | None:
    cached = _emails.get((team, user))
    if cached and time.monotonic() - cached[0] < EMAIL_TTL_S:
        return cached[1]
    try:
        response = await client.users_info(user=user)
        email = ((response.get("user") or {}).get("profile") or {}).get("email")
    except SlackApiError as exc:
        log.warning("users.info failed for %s (%s): roles given by e-mail cannot match", user, error_of(exc))
        email = None
    _emails[(team, user)] = (time.monotonic(), email)
    return email


async def slack_actor(client: AsyncWebClient, body: dict[str, Any], user: str, settings: Settings) -> Actor:
    """The neutral actor of a request; the e-mail address is looked up only when a role list uses addresses."""
    team = slack_place(body, "", None, user).workspace
    email = await _email(client, team, user) if needs_email(settings.workflows) else None
    return Actor("slack", team, user, email)


async def place_actor(client: AsyncWebClient, place: Place, settings: Settings) -> Actor:
    """The actor of a ``Place`` (App Home)."""
    email = await _email(client, place.workspace, place.user) if needs_email(settings.workflows) else None
    return Actor("slack", place.workspace, place.user, email)


async def resolve_channel(client: AsyncWebClient, reference: str) -> Channel | None:
    """A channel from ``<#C123|name>``, ``C123…`` or ``#name`` (looked up among the channels the bot can see)."""
    mention = CHANNEL_MENTION.fullmatch(reference)
    if mention:
        return Channel(mention.group(1), mention.group(2) or None)
    if CHANNEL_ID.fullmatch(reference):
        return Channel(reference)
    if not reference.startswith("#") or len(reference) < 2:
        return None
    wanted, cursor = reference[1:].casefold(), None
    try:
        while True:
            page = await client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                                   limit=1000, cursor=cursor)
            for channel in page.get("channels") or []:
                if str(channel.get("name", "")).casefold() == wanted:
                    return Channel(channel["id"], channel.get("name"))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
    except SlackApiError as exc:
        log.warning("conversations.list failed: %s", error_of(exc))
        return None


async def membership(client: AsyncWebClient, channel: Channel) -> tuple[bool | None, Channel]:
    """Whether the bot is in the channel (None when Slack will not say), and the channel with its name."""
    try:
        info = await client.conversations_info(channel=channel.id)
    except SlackApiError as exc:
        error = error_of(exc)
        if error == "channel_not_found":  # a private channel the bot is not in looks just like this
            return False, channel
        log.warning("conversations.info failed for %s: %s", channel.id, error)
        return None, channel
    data = info.get("channel") or {}
    return bool(data.get("is_member")), Channel(channel.id, data.get("name") or channel.name)


async def post_all(client: AsyncWebClient, channel: str, messages: list[Message]) -> str:
    """Post messages in order; the reference ``CHANNEL:ts`` of the first one."""
    first = ""
    for message in messages:
        response = await client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                                 unfurl_links=False, unfurl_media=False)
        first = first or f"{response.get('channel', channel)}:{response.get('ts')}"
    return first


async def direct_message(client: AsyncWebClient, user: str, messages: list[Message]) -> str:
    """Open (or reuse) the direct message with a user and post there."""
    opened = await client.conversations_open(users=user)
    return await post_all(client, opened["channel"]["id"], messages)


async def slack_users(client: AsyncWebClient, identifiers: list[str]) -> list[str]:
    """Slack user ids of configured people: ids as they are, e-mail addresses looked up, other platforms skipped."""
    found: list[str] = []
    for identifier in identifiers:
        if SLACK_USER.fullmatch(identifier):
            found.append(identifier)
        elif "@" in identifier:
            try:
                response = await client.users_lookupByEmail(email=identifier)
                found.append(response["user"]["id"])
            except SlackApiError as exc:
                log.warning("no Slack user for broker %s (%s)", identifier, error_of(exc))
    return list(dict.fromkeys(found))


async def broker_home(client: AsyncWebClient, assistant: Assistant, place: Place, language: str) -> list[Block]:
    """App Home's broker section for brokers and admins; nothing for everyone else."""
    core = workflows(assistant)
    actor = await place_actor(client, place, assistant.settings)
    if core.role(actor) < Role.BROKER:
        return []
    overview = await core.overview(actor, language)
    if isinstance(overview, Refusal):
        return []
    return broker_home_blocks(overview, language, slack_mention, assistant.settings.workflows.gap_days)


def bot_token(settings: Settings, engine: Engine, workspace: str | None) -> str:
    """The bot token to post with: ``SLACK_BOT_TOKEN``, or the workspace's OAuth installation."""
    slack = settings.slack
    if slack.oauth and slack.client_id:
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

        bot = SQLAlchemyInstallationStore(client_id=slack.client_id, engine=engine, logger=log).find_bot(
            enterprise_id=None, team_id=workspace)
        if bot is None or not bot.bot_token:
            raise RuntimeError(f"no Slack installation for workspace {workspace!r} (give --workspace)")
        return bot.bot_token
    if slack.bot_token is None:
        raise RuntimeError("no Slack credentials: set SLACK_BOT_TOKEN (or SLACK_CLIENT_ID/SECRET with an install)")
    return slack.bot_token.get_secret_value()


def post_digest(settings: Settings, engine: Engine, digest: Digest, language: str) -> str:
    """Post a digest to its Slack channel (synchronously, for the command line); the first message's reference."""
    from slack_sdk import WebClient

    client = WebClient(token=bot_token(settings, engine, digest.workspace), base_url=settings.slack.api_url)
    first = ""
    for message in digest_messages(digest, language, slack_mention):
        response = client.chat_postMessage(channel=digest.channel.id, text=message.text, blocks=message.blocks,
                                           unfurl_links=False, unfurl_media=False)
        first = first or f"{response.get('channel', digest.channel.id)}:{response.get('ts')}"
    return first
