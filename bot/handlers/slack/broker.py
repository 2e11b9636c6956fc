"""Slack listeners of the broker workflows: ``/innobroker push|peers|challenge``, the challenge form and its
buttons, intro follow-up, "why not relevant"; and the hooks the intro, not-relevant and profile listeners call.

All decisions (roles, de-duplication, validation, what is stored) are the core's (``bot.workflows``); this module
checks what only Slack knows (is the bot in the channel?), posts, and reports back.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant
from bot.config import Settings
from bot.conversations import Place, Profile
from bot.handlers.slack.blocks import escape, paginate
from bot.handlers.slack.broker_slack import (
    direct_message,
    error_of,
    membership,
    post_all,
    resolve_channel,
    slack_actor,
    slack_mention,
    slack_users,
    workflows,
)
from bot.handlers.slack.broker_views import (
    challenge_card,
    challenge_modal,
    dismiss_modal,
    interest_text,
    intro_notice,
    member_blocks,
    metadata,
    notice,
    push_card,
)
from bot.handlers.slack.delivery import Deliver, open_view, poster, report_failure, responder, slack_place
from bot.handlers.slack.events import publish_home
from bot.handlers.slack.render import render_reply
from bot.handlers.slack.views import notice_modal
from bot.i18n import t
from bot.language import detect_language
from bot.workflows.roles import Role
from bot.workflows.types import Actor, ChallengeDraft, Channel, MemberProfile, Refusal

log = logging.getLogger(__name__)
SUBCOMMANDS = ("push", "peers", "challenge")
NOT_IN_CHANNEL = ("not_in_channel", "channel_not_found", "is_archived")


def _value(values: dict[str, Any], block: str, key: str = "value") -> Any:
    chosen = values.get(block, {}).get(block, {}).get(key)
    return chosen.get("value") if isinstance(chosen, dict) else chosen


async def _tell(deliver: Deliver, text: str) -> None:
    await deliver([notice(text)])


def register(app: AsyncApp, assistant: Assistant, settings: Settings) -> None:
    """Listen to the workflow sub-commands, the challenge form and buttons, intro follow-up and dismiss reasons.

    Register before ``commands.register``: the sub-command listener only matches push, peers and challenge.
    """
    name = settings.slack.command

    async def is_workflow_command(body: dict[str, Any]) -> bool:
        first = (body.get("text") or "").split(maxsplit=1)[:1]
        return bool(first) and first[0].lower() in SUBCOMMANDS

    @app.command(name, matchers=[is_workflow_command])
    async def on_workflow_command(ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        sub, _, rest = " ".join((body.get("text") or "").split()).partition(" ")
        place = slack_place(body, body["channel_id"], None, body["user_id"])
        preferred = (await assistant.profile(place)).language or "en"
        language = detect_language(rest, default=preferred) if rest else preferred
        deliver = responder(respond)
        if sub.lower() == "push":
            await _push(ack, body, client, rest, language, deliver)
        elif sub.lower() == "peers":
            await _peers(ack, body, client, rest, language, deliver)
        else:
            await ack()
            actor = await slack_actor(client, body, body["user_id"], settings)
            refused = workflows(assistant).refuse(actor, Role.MEMBER, "act_challenge", preferred)
            if refused:
                await _tell(deliver, refused.message)
                return
            await open_view(client, body["trigger_id"], challenge_modal(preferred, settings.workflows.network_channel),
                            deliver, preferred)

    async def _push(ack: Any, body: dict[str, Any], client: AsyncWebClient, rest: str, language: str,
                    deliver: Deliver) -> None:
        reference, _, need = rest.partition(" ")
        if not reference or not need.strip():
            await ack(text=t("push_usage", language).format(command=name))
            return
        await ack(text=t("push_working", language).format(channel=reference))
        core = workflows(assistant)
        try:
            actor = await slack_actor(client, body, body["user_id"], settings)
            refused = core.refuse(actor, Role.BROKER, "act_push", language)
            if refused:
                await _tell(deliver, refused.message)
                return
            channel = await resolve_channel(client, reference)
            if channel is None:
                await _tell(deliver, core.refusal("unknown_channel", language, channel=reference).message)
                return
            member, channel = await membership(client, channel)
            if member is False:
                await _tell(deliver, core.refusal("not_in_channel", language, channel=f"<#{channel.id}>").message)
                return
            plan = await core.push(actor, channel, need, language)
            if isinstance(plan, Refusal):
                await _tell(deliver, plan.message)
                return
            try:
                reference = await post_all(client, channel.id, push_card(plan, slack_mention))
            except SlackApiError as exc:
                error = error_of(exc)
                await core.push_failed(plan.id, error)
                code = "not_in_channel" if error in NOT_IN_CHANNEL else "post_failed"
                await _tell(deliver, core.refusal(code, language, channel=f"<#{channel.id}>", error=error).message)
                return
            await core.push_posted(plan.id, reference)
            match = plan.reply.match
            assert match is not None
            await _tell(deliver, t("push_done", language).format(channel=f"<#{channel.id}>",
                                                                 suppliers=len(match.suppliers),
                                                                 peers=len(match.peers)))
        except Exception as exc:
            await report_failure(deliver, language, exc)

    async def _peers(ack: Any, body: dict[str, Any], client: AsyncWebClient, topic: str, language: str,
                     deliver: Deliver) -> None:
        if not topic:
            await ack(text=t("peers_usage", language))
            return
        await ack(text=t("working", language).format(what=t("understood_peers", language)))
        try:
            actor = await slack_actor(client, body, body["user_id"], settings)
            found = await workflows(assistant).peers(actor, topic, language, body["channel_id"])
            if isinstance(found, Refusal):
                await _tell(deliver, found.message)
                return
            members = paginate(member_blocks(found.reply.language, found.members, slack_mention),
                               t("members_title", found.reply.language), found.reply.language)
            await deliver([*render_reply(found.reply, name), *members])
        except Exception as exc:
            await report_failure(deliver, language, exc)

    @app.view("challenge_modal")
    async def on_challenge(ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        language = metadata(view).get("language", "en")
        values = view["state"]["values"]
        channel_id = _value(values, "channel", "selected_conversation")
        draft = ChallengeDraft(
            _value(values, "title") or "", _value(values, "need") or "", _value(values, "timeline") or "",
            _value(values, "budget_min") or "", _value(values, "budget_max") or "",
            _value(values, "currency", "selected_option") or "EUR", _value(values, "cpv") or "",
            Channel(channel_id) if channel_id else None)
        core = workflows(assistant)
        errors = core.validate_challenge(draft, language)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user = body["user"]["id"]
        direct = poster(client, user, None)
        try:
            actor = await slack_actor(client, body, user, settings)
            assert draft.channel is not None
            member, channel = await membership(client, draft.channel)
            if member is False:
                await _tell(direct, core.refusal("not_in_channel", language, channel=f"<#{channel.id}>").message)
                return
            plan = await core.publish_challenge(actor, replace(draft, channel=channel), language)
            if isinstance(plan, Refusal):
                await _tell(direct, plan.message)
                return
            organisation = await core.organisation_label(plan.challenge.organisation)
            try:
                reference = await post_all(client, channel.id, challenge_card(plan, slack_mention, organisation))
            except SlackApiError as exc:
                error = error_of(exc)
                await core.challenge_failed(plan.challenge.id, error)
                code = "not_in_channel" if error in NOT_IN_CHANNEL else "post_failed"
                await _tell(direct, core.refusal(code, language, channel=f"<#{channel.id}>", error=error).message)
                return
            await core.challenge_posted(plan.challenge.id, reference)
            await _tell(direct, t("ch_published", language).format(channel=f"<#{channel.id}>"))
        except Exception as exc:
            await report_failure(direct, language, exc)

    async def _context(body: dict[str, Any], client: AsyncWebClient, respond: Any) -> tuple[Actor, str, Deliver]:
        user = body["user"]["id"]
        actor = await slack_actor(client, body, user, settings)
        language = (await assistant.profile(actor.place())).language or "en"
        private = responder(respond) if body.get("response_url") else poster(client, user, None)  # App Home: a DM
        return actor, language, private

    @app.action("challenge_interest")
    async def on_interest(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                          respond: Any) -> None:
        await ack()
        actor, language, deliver = await _context(body, client, respond)
        result = await workflows(assistant).interested(actor, int(action["value"]), language)
        if isinstance(result, Refusal):
            await _tell(deliver, result.message)
        elif result.new:
            author = slack_mention(result.challenge.user) or result.challenge.user
            await _tell(deliver, t("ch_interest_done", language).format(author=author))
        else:
            await _tell(deliver, t("ch_interest_repeat", language))

    @app.action("challenge_who")
    async def on_who(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                     respond: Any) -> None:
        await ack()
        actor, language, deliver = await _context(body, client, respond)
        result = await workflows(assistant).interests(actor, int(action["value"]), language)
        if isinstance(result, Refusal):
            await _tell(deliver, result.message)
            return
        challenge, people = result
        await _tell(deliver, interest_text(language, challenge.title, people, slack_mention))

    @app.action("intro_status")
    async def on_intro_status(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                              respond: Any) -> None:
        await ack()
        actor, language, deliver = await _context(body, client, respond)
        intro_id, _, status = action["value"].partition("|")
        outcome = await workflows(assistant).set_intro_status(actor, int(intro_id), status, language)
        if isinstance(outcome, Refusal):
            await _tell(deliver, outcome.message)
            return
        state = t(f"status_{status}", language)
        await _tell(deliver, t("intro_status_saved", language).format(name=escape(outcome.name), status=state))
        if status != "open":
            told = t(f"intro_told_{status}", outcome.language).format(
                broker=f"<@{actor.user}>", name=escape(outcome.name), need=escape(outcome.need))
            try:
                await direct_message(client, outcome.user, [notice(told)])
            except SlackApiError as exc:
                log.warning("requester %s not told about intro %s: %s", outcome.user, intro_id, error_of(exc))
        if (body.get("container") or {}).get("type") == "view":
            await publish_home(client, assistant, name, actor.place())

    @app.view("dismiss_modal")
    async def on_dismiss_reason(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = metadata(view)
        language = meta.get("language", "en")
        turn_id, kind, org = str(meta.get("value", "")).split("|", 2)
        values = view["state"]["values"]
        actor = Actor("slack", slack_place(body, "", None, body["user"]["id"]).workspace, body["user"]["id"])
        try:
            result = await workflows(assistant).dismiss(actor, int(turn_id), kind, org, language,
                                                        _value(values, "reason", "selected_option") or "",
                                                        _value(values, "comment") or "")
        except Exception:
            log.exception("dismiss reason not stored")
            await ack(response_action="errors", errors={"comment": t("error", language).format(ref="dismiss")})
            return
        if isinstance(result, Refusal):
            await ack(response_action="errors", errors={"comment": result.message})
            return
        await ack(response_action="update",
                  view=notice_modal(language, t("dismiss_title", language), t("dismiss_saved", language)))


async def request_intro(client: AsyncWebClient, assistant: Assistant, body: dict[str, Any], value: str,
                        deliver: Deliver) -> None:
    """"Request intro": record it (open), confirm to the requester, DM the brokers (and post to
    ``slack.broker_channel`` when set). A repeated click only reminds the requester."""
    settings = assistant.settings
    turn_id, kind, org = value.split("|", 2)
    user = body["user"]["id"]
    language = "en"
    try:
        actor = await slack_actor(client, body, user, settings)
        language = (await assistant.profile(actor.place())).language or language
        result = await workflows(assistant).request_intro(actor, int(turn_id), kind, org, language)
        if isinstance(result, Refusal):
            await _tell(deliver, result.message)
            return
        outcome = result.outcome
        if not result.new:
            await _tell(deliver, t("intro_repeat", outcome.language).format(name=escape(outcome.name)))
            return
        await _tell(deliver, t("intro_done", outcome.language).format(name=escape(outcome.name)))
    except Exception as exc:
        await report_failure(deliver, language, exc)
        return
    message = intro_notice(outcome, slack_mention)
    for broker in await slack_users(client, list(result.brokers)):
        try:
            await direct_message(client, broker, [message])
        except SlackApiError as exc:
            log.warning("broker %s not told about intro %s: %s", broker, outcome.id, error_of(exc))
    if settings.slack.broker_channel:
        try:
            await post_all(client, settings.slack.broker_channel, [message])
        except SlackApiError as exc:
            log.warning("broker channel %s not notified: %s", settings.slack.broker_channel, error_of(exc))


async def ask_dismiss_reason(client: AsyncWebClient, body: dict[str, Any], value: str, language: str,
                             fallback: Deliver) -> None:
    """After "Not relevant" was recorded: the optional reason form."""
    await open_view(client, body["trigger_id"], dismiss_modal(language, value), fallback, language)


async def member_profile(assistant: Assistant, place: Place) -> MemberProfile:
    """The member profile shown in the profile form."""
    return await workflows(assistant).member(Actor(place.platform, place.workspace, place.user))


async def save_profile(assistant: Assistant, place: Place, profile: Profile, values: dict[str, Any],
                       language: str) -> str | None:
    """Store the profile form (organisation, country, language, interests, needs, consent) in one transaction;
    a problem message when the organisation is unknown."""
    if "consent" not in values:  # a form opened before the member fields existed
        return await assistant.save_profile(place, profile)
    consent = any(o.get("value") == "consent" for o in _value(values, "consent", "selected_options") or [])
    member = MemberProfile(profile.organisation, profile.country, profile.language,
                           _value(values, "interests") or "", _value(values, "needs") or "", consent)
    refused = await workflows(assistant).save_profile(Actor(place.platform, place.workspace, place.user), member,
                                                      language)
    return refused.message if refused else None

