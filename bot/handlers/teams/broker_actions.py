"""Buttons and forms of the broker workflow cards on Teams: intro requests (brokers told in their personal chats
and ``teams.broker_channel``) and their follow-up (the requester told), not relevant and why, profile and consent,
challenge publication, interest and who is interested. Each returns the confirmation and any card to post."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from microsoft_agents.hosting.core import TurnContext

from bot.handlers.teams import broker_cards as cards
from bot.handlers.teams import broker_forms as forms
from bot.handlers.teams.broker_teams import BrokerBase, data_text, personal, post, post_error
from bot.handlers.teams.cards import CardMessage, notice
from bot.handlers.teams.render import failure
from bot.i18n import t
from bot.language import LANGUAGES
from bot.workflows.service import Workflows
from bot.workflows.types import Actor, ChallengeDraft, Channel, MemberProfile, Refusal

log = logging.getLogger(__name__)
VERBS = frozenset({"intro_request", "not_relevant", "dismiss_reason", "intro_status", "profile_save",
                   "profile_consent", "challenge_publish", "challenge_interest", "challenge_who"})
FIELDS = {"title": "ch_title", "need": "ch_need", "timeline": "ch_timeline", "budget_min": "ch_budget_min",
          "budget_max": "ch_budget_max", "currency": "ch_currency", "cpv": "ch_cpv", "channel": "ch_channel"}
Done = tuple[str, list[CardMessage]]


class BrokerActions(BrokerBase):
    """The workflow cards' buttons, through the core's ``Workflows``."""

    async def act(self, context: TurnContext, verb: str, data: dict[str, Any]) -> Done:
        """Carry out one of the workflow cards' buttons: the confirmation to show and any card to post after it."""
        if verb not in VERBS:
            raise ValueError(f"unknown card action {verb!r}")
        actor, preferred, core = await self._begin(context)
        chosen = data.get("language")
        language = chosen if isinstance(chosen, str) and chosen in LANGUAGES else preferred
        try:
            return await getattr(self, f"_on_{verb}")(context, actor, core, data, language)
        except Exception as exc:
            return failure(language, exc).summary, []

    async def _on_intro_request(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                                language: str) -> Done:
        result = await core.request_intro(actor, _number(data, "turn"), data_text(data, "kind"),
                                          data_text(data, "org"), language)
        if isinstance(result, Refusal):
            return result.message, []
        outcome = result.outcome
        if not result.new:
            return t("intro_repeat", outcome.language).format(name=outcome.name), []
        named = await self._people([outcome.user, *result.brokers])
        channel = (await self._channel_names([outcome.channel])).get(outcome.channel)
        message = cards.intro_notice(outcome, named.mention, channel)
        chats = await asyncio.to_thread(self.references.personal, actor.workspace, list(result.brokers))
        told = list(chats.values())
        if self.settings.teams.broker_channel:
            stored = await asyncio.to_thread(self.references.get, self.settings.teams.broker_channel)
            if stored is not None and stored.installed:
                told.append(stored)
            else:
                log.warning("teams.broker_channel %s is not a conversation where the app is installed",
                            self.settings.teams.broker_channel)
        for stored in told:
            try:
                await post(context.adapter, stored, [message])
            except Exception as exc:
                log.warning("intro %s not posted to %s: %s", outcome.id, stored.conversation_id, post_error(exc)[0])
        if not told:
            log.warning("intro %s: no broker has a personal chat with the app and no teams.broker_channel is set",
                        outcome.id)
        return t("intro_done", outcome.language).format(name=outcome.name), []

    async def _on_not_relevant(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                               language: str) -> Done:
        turn, kind, org = _number(data, "turn"), data_text(data, "kind"), data_text(data, "org")
        outcome = await core.dismiss(actor, turn, kind, org, language)
        if isinstance(outcome, Refusal):
            return outcome.message, []
        done = t("dismiss_done", outcome.language).format(name=outcome.name)
        form = forms.dismiss_form(outcome.language, turn, kind, org)
        if personal(context):
            return done, [form]
        await self._to_personal_chat(context, actor, [form])  # the reason form is private; skipped without a chat
        return done, []

    async def _on_dismiss_reason(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                                 language: str) -> Done:
        outcome = await core.dismiss(actor, _number(data, "turn"), data_text(data, "kind"), data_text(data, "org"),
                                     language, data_text(data, "reason"), data_text(data, "comment"))
        return (outcome.message if isinstance(outcome, Refusal) else t("dismiss_saved", language)), []

    async def _on_intro_status(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                               language: str) -> Done:
        status = data_text(data, "status")
        outcome = await core.set_intro_status(actor, _number(data, "intro"), status, language)
        if isinstance(outcome, Refusal):
            return outcome.message, []
        if status != "open":
            chats = await asyncio.to_thread(self.references.personal, actor.workspace, [outcome.user])
            told = t(f"intro_told_{status}", outcome.language).format(
                broker=actor.name or actor.user, name=outcome.name, need=outcome.need)
            for stored in chats.values():
                try:
                    await post(context.adapter, stored, [notice(told)])
                except Exception as exc:
                    log.warning("requester of intro %s not told: %s", outcome.id, post_error(exc)[0])
        return t("intro_status_saved", language).format(name=outcome.name, status=t(f"status_{status}", language)), []

    async def _on_profile_save(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                               language: str) -> Done:
        organisation = await asyncio.to_thread(self._organisation, data_text(data, "organisation"), True)
        chosen = data_text(data, "language")
        member = MemberProfile(organisation or None, data_text(data, "country") or None,
                               chosen if chosen in LANGUAGES else None, data_text(data, "interests"),
                               data_text(data, "needs"), data_text(data, "consent").lower() == "true")
        refused = await core.save_profile(actor, member, language)
        return (refused.message if refused else t("profile_saved", member.language or language)), []

    async def _on_profile_consent(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                                  language: str) -> Done:
        consent = data_text(data, "consent").lower() == "true"
        await core.set_consent(actor, consent)
        return t("profile_saved" if consent else "teams_consent_withdrawn", language), []

    async def _on_challenge_publish(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                                    language: str) -> Done:
        chosen = data_text(data, "channel")
        draft = ChallengeDraft(data_text(data, "title"), data_text(data, "need"), data_text(data, "timeline"),
                               data_text(data, "budget_min"), data_text(data, "budget_max"),
                               data_text(data, "currency") or "EUR", data_text(data, "cpv"),
                               Channel(chosen) if chosen else None)
        errors = core.validate_challenge(draft, language)
        if errors or draft.channel is None:
            return _invalid(Refusal("invalid", t("ch_invalid", language), errors), language), []
        stored = await self._target(actor, draft.channel.id)
        if stored is None:
            return t("teams_not_installed", language).format(channel=chosen), []
        plan = await core.publish_challenge(actor, replace(draft, channel=Channel(stored.conversation_id, stored.name)),
                                            language)
        if isinstance(plan, Refusal):
            return _invalid(plan, language), []
        named = await self._people([actor.user])
        organisation = await core.organisation_label(plan.challenge.organisation)
        try:
            reference = await post(context.adapter, stored, cards.challenge_card(plan, named.mention, organisation))
        except Exception as exc:
            return await self._failed(core.challenge_failed, plan.challenge.id, stored, exc, language), []
        await core.challenge_posted(plan.challenge.id, reference)
        return t("ch_published", language).format(channel=stored.name or stored.conversation_id), []

    async def _on_challenge_interest(self, context: TurnContext, actor: Actor, core: Workflows,
                                     data: dict[str, Any], language: str) -> Done:
        result = await core.interested(actor, _number(data, "challenge"), language)
        if isinstance(result, Refusal):
            return result.message, []
        if not result.new:
            return t("ch_interest_repeat", language), []
        author = (await self._people([result.challenge.user])).mention(result.challenge.user)
        return t("ch_interest_done", language).format(author=author or result.challenge.user), []

    async def _on_challenge_who(self, context: TurnContext, actor: Actor, core: Workflows, data: dict[str, Any],
                                language: str) -> Done:
        found = await core.interests(actor, _number(data, "challenge"), language)
        if isinstance(found, Refusal):
            return found.message, []
        challenge, interested = found
        named = await self._people([p.user for p in interested])
        return cards.interest_text(language, challenge.title, interested, named.mention), []


def _number(data: dict[str, Any], key: str) -> int:
    """A numeric id from card data; -1 (found nowhere) when it is missing or not a number."""
    try:
        return int(data_text(data, key))
    except ValueError:
        return -1


def _invalid(refused: Refusal, language: str) -> str:
    """A refusal with its form errors, field by field (a card's inputs cannot show errors from the bot)."""
    problems = [f"{t(FIELDS.get(key, 'ch_title'), language)}: {text}" for key, text in refused.errors.items()]
    return " ".join([refused.message, *problems])
