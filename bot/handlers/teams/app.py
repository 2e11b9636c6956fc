"""The Agents SDK application: connections from the SDK's ``CONNECTIONS__*`` settings, the Cloud adapter, and
thin routes for messages, card buttons (``Action.Execute`` invokes and ``Action.Submit`` messages) and installs."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from microsoft_agents.activity import ActivityTypes, AdaptiveCardInvokeResponse, load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.adaptive_card import factory

from bot.assistant import Assistant, Request
from bot.config import Settings, TeamsSettings
from bot.handlers.teams.actions import VERBS, CardActions
from bot.handlers.teams.broker import TeamsBroker
from bot.handlers.teams.cards import help_message, need_form, notice
from bot.handlers.teams.delivery import Delivery
from bot.handlers.teams.parse import claim_key, clean_text, command, locale_language, stored_conversation, teams_place
from bot.handlers.teams.references import ReferenceStore
from bot.handlers.teams.render import failure, send_all
from bot.handlers.teams.retry import RetryingClientFactory
from bot.language import detect_language

log = logging.getLogger(__name__)
_VERB = re.compile("^(" + "|".join(sorted(VERBS)) + ")$")
CLAIM_WAIT_S = 4.0  # a slow claim comes off teams.reply_budget_s: the turn stays within the connector's 15 s


def sdk_configuration(teams: TeamsSettings) -> dict[str, Any]:
    """The SDK's configuration tree from the ``CONNECTIONS__*`` variables kept in the settings."""
    return load_configuration_from_env({key: value.get_secret_value() for key, value in teams.sdk_env.items()})


class TeamsBot:
    """The SDK pieces (connections, adapter, application) and the handlers that translate to the core."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.assistant = assistant
        self.connections = MsalConnectionManager(**sdk_configuration(settings.teams))
        self.adapter = CloudAdapter(connection_manager=self.connections,  # 429 and 5xx from the connector: retried
                                    channel_service_client_factory=RetryingClientFactory(self.connections))
        self.adapter.on_turn_error = self._turn_error  # the default sends the exception text to the user
        self.references = ReferenceStore(assistant.conversations.database)
        self.delivery = Delivery(assistant, settings.teams)
        self.broker = TeamsBroker(assistant, settings, self.references)
        self.actions = CardActions(assistant, self.delivery, settings.teams, self.references, self.broker)
        # Conversation context lives in our database, so the SDK's per-turn state needs no storage scopes.
        options = ApplicationOptions(storage=MemoryStorage(), start_typing_timer=False,
                                     remove_recipient_mention=True, turn_state_factory=TurnState,
                                     bot_app_id=settings.teams.client_id or "")
        self.app: AgentApplication[TurnState] = AgentApplication[TurnState](
            options, connection_manager=self.connections)
        self._register()

    def _register(self) -> None:
        app = self.app
        app.adaptive_card.action_execute(_VERB)(self.on_execute)
        app.adaptive_card.action_submit(_VERB)(self.on_submit)
        app.activity(ActivityTypes.installation_update)(self.on_installation)
        app.activity(ActivityTypes.conversation_update)(self.on_conversation_update)
        app.activity([ActivityTypes.message_reaction, ActivityTypes.message_update,
                      ActivityTypes.message_delete])(self.on_ignored)
        app.message()(self.on_message)
        app.error(self.on_error)

    async def remember(self, context: TurnContext) -> None:
        """Store (or refresh) this conversation's reference for proactive messages."""
        await asyncio.to_thread(self.references.save, stored_conversation(context.activity, context.identity))

    async def on_message(self, context: TurnContext, _state: TurnState) -> None:
        """A personal or group chat message, or a channel post that @mentions the bot (mention already removed)."""
        activity = context.activity
        started = time.monotonic()
        key = claim_key(activity)
        if not await self.assistant.claim(key, within=CLAIM_WAIT_S):
            log.info("duplicate Teams delivery ignored: %s", key)
            return
        await self.remember(context)
        try:
            handled = await self.broker.command(context, clean_text(activity.text))  # push, peers, profile …
        except BaseException:
            await self.assistant.finish(key)
            raise
        if handled:
            await self.assistant.finish(key)
            return
        intent, text, wants_form = command(clean_text(activity.text))
        place = teams_place(activity)
        if wants_form:
            profile = await self.assistant.profile(place)
            await send_all(context, [need_form(profile.language or locale_language(activity.locale), profile.country)])
            await self.assistant.finish(key)
            return
        await self.delivery.serve(context, Request(text, place, intent=intent), key,
                                  spent_s=time.monotonic() - started)

    async def on_execute(self, context: TurnContext, _state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        """An ``Action.Execute`` button: act, post any follow-up card, answer the invoke with the confirmation."""
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        verb = str((value.get("action") or {}).get("verb"))
        confirmation, cards = await self.actions.act(context, verb, data if isinstance(data, dict) else {})
        await send_all(context, cards)
        return factory.message(confirmation)

    async def on_submit(self, context: TurnContext, _state: TurnState, data: Any) -> None:
        """The ``Action.Submit`` fallback: the same action, confirmed by a message."""
        values = data if isinstance(data, dict) else {}
        confirmation, cards = await self.actions.act(context, str(values.get("verb")), values)
        await send_all(context, [notice(confirmation), *cards])

    async def on_installation(self, context: TurnContext, _state: TurnState) -> None:
        """The app was added to (or removed from) a personal chat, group chat or team."""
        action = str(context.activity.action or "")
        if action.startswith("remove"):
            await asyncio.to_thread(self.references.uninstall, context.activity.conversation.id)
            return
        await self.remember(context)
        if action == "add":
            await send_all(context, [help_message(locale_language(context.activity.locale), greeting=True)])

    async def on_conversation_update(self, context: TurnContext, _state: TurnState) -> None:
        """The bot joined or left a conversation: keep its reference current (the welcome is on install)."""
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        if any(member.id == me for member in activity.members_added or []):
            await self.remember(context)
        elif any(member.id == me for member in activity.members_removed or []):
            await asyncio.to_thread(self.references.uninstall, activity.conversation.id)

    async def on_ignored(self, context: TurnContext, _state: TurnState) -> None:
        """Reactions to, edits and deletions of messages need no answer."""

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """Whatever failed inside a turn: logged under a reference the user is shown."""
        text = clean_text(context.activity.text)
        language = detect_language(text) if text else locale_language(context.activity.locale)
        message = failure(language, error)
        if context.activity.type == ActivityTypes.invoke:
            return  # the invoke is answered "not implemented"; Teams shows its own error
        try:
            await send_all(context, [message])
        except Exception:
            log.exception("could not tell the Teams user about a failure")

    async def _turn_error(self, context: TurnContext, error: Exception) -> None:
        await self.on_error(context, error)

