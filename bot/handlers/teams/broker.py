"""Teams handlers of the broker workflows: the ``push``, ``peers``, ``profile``, ``challenge`` and ``brokers``
commands (the buttons and forms of their cards are in ``broker_actions``), and the digest posted from the command
line through a stored conversation reference.

All decisions (roles, de-duplication, validation, what is stored) are the core's (``bot.workflows``); this module
checks what only Teams knows (is the app installed in that channel?), posts proactively and reports back.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import TurnContext
from sqlalchemy import Engine

from bot.config import Settings
from bot.db import Database
from bot.handlers.teams import broker_cards as cards
from bot.handlers.teams import broker_forms as forms
from bot.handlers.teams.broker_actions import VERBS, BrokerActions
from bot.handlers.teams.broker_teams import people, post, target, targets
from bot.handlers.teams.cards import CardMessage, notice
from bot.handlers.teams.parse import teams_place
from bot.handlers.teams.references import ReferenceStore, StoredConversation
from bot.handlers.teams.render import failure, send_all
from bot.i18n import t
from bot.language import detect_language
from bot.workflows.roles import Role
from bot.workflows.service import Workflows
from bot.workflows.types import Actor, Channel, Digest, Refusal

__all__ = ["VERBS", "TeamsBroker", "post_digest"]
log = logging.getLogger(__name__)
COMMANDS = frozenset({"push", "peers", "profile", "challenge", "brokers", "intros"})
BARE = frozenset({"profile", "challenge", "brokers", "intros"})  # only when written alone ("brokers in Skåne?" asks)


class TeamsBroker(BrokerActions):
    """The broker workflows on Teams, on the core's ``Workflows``: commands here, card buttons in ``BrokerActions``."""

    async def command(self, context: TurnContext, text: str) -> bool:
        """Answer a workflow command in the turn; False when ``text`` is none (the assistant answers it then)."""
        word, _, rest = text.partition(" ")
        sub, rest = word.lower(), rest.strip()
        if sub not in COMMANDS or (sub in BARE and rest):
            return False
        if sub in ("push", "peers") and rest:
            await context.send_activity(Activity(type=ActivityTypes.typing))  # matching takes a moment
        actor, preferred, core = await self._begin(context)
        language = detect_language(rest, default=preferred) if rest else preferred
        try:
            if sub == "push":
                messages = [notice(await self._push(context, actor, core, rest, preferred))]
            elif sub == "peers":
                messages = await self._peers(context, actor, core, rest, language)
            elif sub == "challenge":
                messages = [await self._challenge_form(context, actor, core, language)]
            elif sub == "profile":
                messages = await self._privately(context, actor, [await self._profile_form(actor, core, language)],
                                                 sub, language)
            else:
                messages = await self._overview(context, actor, core, language)
        except Exception as exc:
            messages = [failure(language, exc)]
        await send_all(context, messages)
        return True

    async def _push(self, context: TurnContext, actor: Actor, core: Workflows, rest: str, preferred: str) -> str:
        known = await asyncio.to_thread(targets, self.references, actor.workspace)
        where = target(context.activity, rest, known)
        language = detect_language(where.need, default=preferred) if where.need else preferred  # not the channel's
        refused = core.refuse(actor, Role.BROKER, "act_push", language)
        if refused:
            return refused.message
        if where.id is None:
            return t("teams_unknown_channel", language).format(channel=where.written) if where.written else t(
                "teams_push_usage", language)
        stored = await self._target(actor, where.id)
        if stored is None:
            return t("teams_not_installed", language).format(channel=where.written)
        channel = Channel(stored.conversation_id, stored.name)
        plan = await core.push(actor, channel, where.need, language)
        if isinstance(plan, Refusal):
            return plan.message
        named = await self._people([actor.user])
        try:
            reference = await post(context.adapter, stored, cards.push_card(plan, named.mention))
        except Exception as exc:
            return await self._failed(core.push_failed, plan.id, stored, exc, language)
        await core.push_posted(plan.id, reference)
        assert plan.reply.match is not None
        return t("push_done", language).format(channel=stored.name or stored.conversation_id,
                                               suppliers=len(plan.reply.match.suppliers),
                                               peers=len(plan.reply.match.peers))

    async def _peers(self, context: TurnContext, actor: Actor, core: Workflows, topic: str,
                     language: str) -> list[CardMessage]:
        if not topic:
            return [notice(t("peers_usage", language))]
        found = await core.peers(actor, topic, language, teams_place(context.activity).channel)
        if isinstance(found, Refusal):
            return [notice(found.message)]
        named = await self._people([member.contact for member in found.members])
        return cards.peers_messages(found.reply, found.members, named.mention)

    async def _profile_form(self, actor: Actor, core: Workflows, language: str) -> CardMessage:
        member = await core.member(actor)
        name = await asyncio.to_thread(self._organisation, member.organisation, False)
        return forms.profile_form(language, member, name)

    async def _overview(self, context: TurnContext, actor: Actor, core: Workflows,
                        language: str) -> list[CardMessage]:
        overview = await core.overview(actor, language)
        if isinstance(overview, Refusal):
            return [notice(overview.message)]
        intros = [*overview.open_intros, *overview.outcomes]
        named = await self._people([*(o.user for o in intros), *(o.handled_by for o in intros),
                                    *(p.user for _, interested in overview.challenges for p in interested)])
        channels = await self._channel_names([*(o.channel for o in intros),
                                              *(c.channel.id for c, _ in overview.challenges)])
        messages = cards.overview_card(overview, language, named.mention, self.settings.workflows.gap_days, channels)
        return await self._privately(context, actor, messages, "brokers", language)

    async def _challenge_form(self, context: TurnContext, actor: Actor, core: Workflows,
                              language: str) -> CardMessage:
        refused = core.refuse(actor, Role.MEMBER, "act_challenge", language)
        if refused:
            return notice(refused.message)
        known = await asyncio.to_thread(targets, self.references, actor.workspace)
        if not known:
            return notice(t("teams_no_channels", language))
        ids = [c.conversation_id for c in known]
        here = teams_place(context.activity).channel
        default = next((i for i in (self.settings.workflows.network_channel, here) if i in ids), ids[0])
        return forms.challenge_form(language, [Channel(c.conversation_id, c.name) for c in known], default)


def post_digest(settings: Settings, engine: Engine, digest: Digest, language: str) -> str:
    """Post a digest into its Teams channel through the stored reference (synchronously, for the command line)."""
    database = Database(engine.url.render_as_string(hide_password=False), run_migrations=False)
    try:
        references = ReferenceStore(database)
        stored = references.get(digest.channel.id)
        if stored is None or not stored.installed:
            raise RuntimeError(f"innobroker is not installed in Teams conversation {digest.channel.id} (install the "
                               "app in its team, or @mention it there once)")
        return asyncio.run(_post_digest(settings, references, stored, digest, language))
    finally:
        database.dispose()


async def _post_digest(settings: Settings, references: ReferenceStore, stored: StoredConversation, digest: Digest,
                       language: str) -> str:
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter

    from bot.handlers.teams.app import sdk_configuration
    from bot.handlers.teams.retry import RetryingClientFactory

    connections = MsalConnectionManager(**sdk_configuration(settings.teams))
    adapter = CloudAdapter(connection_manager=connections,  # 429 and 5xx retried, as in the server
                           channel_service_client_factory=RetryingClientFactory(connections))
    named = replace(digest, channel=Channel(digest.channel.id, digest.channel.name or stored.name))
    who = await people(references, [match.user for match in digest.matches])
    return await post(adapter, stored, cards.digest_cards(named, language, who.mention))
