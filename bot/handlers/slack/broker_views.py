"""Block Kit of the broker workflows: push and challenge cards, intro notices, forms, member peers, broker home
section and the channel digest. Pure functions of the core's neutral results."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.handlers.slack.blocks import (
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    paginate,
    sections,
)
from bot.handlers.slack.render import cpv_blocks, suggestion_blocks
from bot.handlers.slack.views import _input, _modal, _option
from bot.i18n import t
from bot.workflows.outcomes import DISMISS_REASONS
from bot.workflows.types import (
    BrokerOverview,
    ChallengePlan,
    Digest,
    Interest,
    MemberPeer,
    Outcome,
    PushPlan,
)

Mention = Callable[[str], str | None]
CURRENCIES = ("EUR", "DKK", "SEK", "NOK", "ISK")
PREVIEW = 160


def _short(text: str, limit: int = PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _who(mention: Mention, user: str) -> str:
    return mention(user) or escape(user)


def push_card(plan: PushPlan, mention: Mention) -> list[Message]:
    """The match card a broker pushes into a channel: the need, who pushed it, CPV codes, suppliers and peers."""
    reply, language = plan.reply, plan.reply.language
    assert reply.match is not None
    by = t("push_by", language).format(who=_who(mention, plan.actor.user), date=f"{plan.created_at:%Y-%m-%d}")
    blocks = [*header(t("push_title", language)), *sections(f"*{escape(reply.text)}*"), *context(by),
              *cpv_blocks(reply),
              *suggestion_blocks(reply, "supplier", reply.match.suppliers, "suppliers", "no_suppliers"),
              *suggestion_blocks(reply, "peer", reply.match.peers, "peers", "no_peers"),
              *context(t("push_hint", language))]
    return paginate(blocks, f"{t('push_title', language)}: {_short(reply.text)}", language)


def challenge_card(plan: ChallengePlan, mention: Mention, organisation: str | None) -> list[Message]:
    """A published challenge: need, timeline, budget, CPV, the Interested buttons and suggested suppliers."""
    challenge, reply = plan.challenge, plan.reply
    language = challenge.language
    by = t("ch_by", language).format(who=_who(mention, challenge.user))
    if organisation:
        by += " " + t("ch_for", language).format(org=escape(organisation))
    facts = [f"*{t('ch_timeline', language)}:* {escape(challenge.timeline)}" if challenge.timeline else "",
             f"*{t('ch_budget', language)}:* {escape(challenge.budget())}" if challenge.budget() else "",
             f"*CPV:* {', '.join(f'`{code}`' for code in challenge.cpv)}" if challenge.cpv else ""]
    value = str(challenge.id)
    blocks = [*header(t("ch_header", language).format(title=challenge.title)), *context(by),
              *sections(escape(challenge.need)), *sections("\n".join(f for f in facts if f)),
              actions(button(t("ch_interested_button", language), "challenge_interest", value, "primary"),
                      button(t("ch_who_button", language), "challenge_who", value))]
    assert reply.match is not None
    blocks += suggestion_blocks(reply, "supplier", reply.match.suppliers, "ch_suggested", "no_suppliers")
    title = t("ch_header", language).format(title=challenge.title)
    return paginate(blocks, title, language)


def channel_ref(channel: str) -> str:
    """A channel link for channels, nothing for direct messages."""
    return f"<#{channel}>" if channel[:1] in ("C", "G") else ""


def intro_notice(outcome: Outcome, mention: Mention) -> Message:
    """The DM a broker gets for an intro request, with buttons to record the follow-up."""
    language = outcome.language
    text = t("intro_notice", language).format(user=_who(mention, outcome.user), name=escape(outcome.name),
                                              need=escape(outcome.need))
    date = f"{outcome.created_at:%Y-%m-%d %H:%M}"
    channel = channel_ref(outcome.channel)
    where = t("intro_where", language).format(channel=channel, date=date) if channel else date
    blocks = [*sections(f"🤝 {text}"), *context(where), intro_buttons(outcome)]
    return Message(text, blocks)


def intro_buttons(outcome: Outcome) -> Block:
    """"Mark introduced" and "Decline" for an open intro request."""
    language = outcome.language
    return actions(button(t("intro_introduced_button", language), "intro_status", f"{outcome.id}|introduced",
                          "primary"),
                   button(t("intro_declined_button", language), "intro_status", f"{outcome.id}|declined"))


def dismiss_modal(language: str, value: str) -> dict[str, Any]:
    """The optional "why not relevant" form opened after "Not relevant"."""
    options = [_option(reason, t(f"dismiss_{reason}", language)) for reason in DISMISS_REASONS]
    blocks = [
        _input("reason", t("dismiss_reason", language),
               {"type": "radio_buttons", "action_id": "reason", "options": options}, True),
        _input("comment", t("feedback_comment", language),
               {"type": "plain_text_input", "action_id": "comment", "multiline": True, "max_length": 2000}, True),
    ]
    return _modal("dismiss_modal", t("dismiss_title", language), t("submit", language), language, blocks,
                  {"value": value, "language": language})


def challenge_modal(language: str, channel: str | None) -> dict[str, Any]:
    """The "publish a challenge" form: title, need, timeline, budget range, currency, CPV codes, channel."""
    def text(block: str, multiline: bool = False, limit: int = 300) -> dict[str, Any]:
        return {"type": "plain_text_input", "action_id": block, "multiline": multiline, "max_length": limit}

    where: dict[str, Any] = {"type": "conversations_select", "action_id": "channel",
                             "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
    if channel:
        where["initial_conversation"] = channel
    currency = {"type": "static_select", "action_id": "currency", "initial_option": _option("EUR", "EUR"),
                "options": [_option(code, code) for code in CURRENCIES]}
    blocks = [
        _input("title", t("ch_title", language), text("title")),
        _input("need", t("ch_need", language), text("need", True, 3000)),
        _input("timeline", t("ch_timeline", language), text("timeline"), True, t("ch_timeline_hint", language)),
        _input("budget_min", t("ch_budget_min", language), text("budget_min", limit=30), True),
        _input("budget_max", t("ch_budget_max", language), text("budget_max", limit=30), True),
        _input("currency", t("ch_currency", language), currency, True),
        _input("cpv", t("ch_cpv", language), text("cpv", limit=200), True, t("ch_cpv_hint", language)),
        _input("channel", t("ch_channel", language), where),
    ]
    return _modal("challenge_modal", t("ch_modal_title", language), t("ch_publish", language), language, blocks,
                  {"language": language})


def member_blocks(language: str, members: list[MemberPeer], mention: Mention) -> list[Block]:
    """Members whose profile lists similar needs; a contact only where they consented."""
    blocks = [divider(), *header(t("members_title", language))]
    if not members:
        return blocks + context(t("no_members", language))
    for peer in members:
        name = escape(peer.organisation_label or peer.organisation or "—")
        contact = (t("member_contact", language).format(who=_who(mention, peer.contact)) if peer.contact
                   else t("member_no_contact", language))
        lines = [f"*{name}*  ·  {contact}"]
        if peer.needs:
            lines.append(f"• {t('member_needs', language)}: {escape(_short(peer.needs))}")
        if peer.interests:
            lines.append(f"• {t('member_interests', language)}: {escape(_short(peer.interests))}")
        if peer.matched:
            lines.append(f"_{t('member_matched', language)}: {escape(', '.join(peer.matched[:6]))}_")
        blocks += sections("\n".join(lines))
    return blocks


def interest_text(language: str, title: str, people: list[Interest], mention: Mention) -> str:
    """Who registered interest in a challenge, for its author and the brokers."""
    if not people:
        return t("ch_interest_none", language).format(title=title)
    named = ", ".join(_who(mention, p.user) + (f" ({escape(p.organisation)})" if p.organisation else "")
                      for p in people)
    return t("ch_interest_list", language).format(title=title, people=named)


def _outcome_line(outcome: Outcome, language: str, mention: Mention) -> str:
    line = t("home_intro_line", language).format(user=_who(mention, outcome.user), name=escape(outcome.name),
                                                 need=escape(_short(outcome.need, 80)))
    if outcome.verdict == "intro":
        state = t(f"status_{outcome.status or 'open'}", language)
        by = f" ({_who(mention, outcome.handled_by)})" if outcome.handled_by else ""
        return f"{'✅' if outcome.status == 'introduced' else '✖️'} {line} — {state}{by}"
    reason = t(f"dismiss_{outcome.reason}", language) if outcome.reason in DISMISS_REASONS else outcome.reason
    why = ": ".join(escape(part) for part in (reason, outcome.comment) if part)
    return f"🚫 {line} — {t('outcome_dismissed', language)}" + (f" ({why})" if why else "")


def broker_home_blocks(overview: BrokerOverview, language: str, mention: Mention, gap_days: int) -> list[Block]:
    """The broker section of App Home: open intro requests with buttons, outcomes, challenges, knowledge gaps."""
    blocks: list[Block] = [divider(), *header(t("home_broker", language)),
                           *sections(f"*{t('home_open_intros', language).format(n=overview.open_total)}*")]
    if not overview.open_intros:
        blocks += context(t("home_none", language))
    for intro in overview.open_intros:
        line = t("home_intro_line", language).format(user=_who(mention, intro.user), name=escape(intro.name),
                                                     need=escape(_short(intro.need, 80)))
        where = ", ".join(part for part in (f"{intro.created_at:%Y-%m-%d}", channel_ref(intro.channel)) if part)
        blocks += [*sections(f"{line}  _({where})_"), intro_buttons(intro)]
    if overview.open_total > len(overview.open_intros):
        blocks += context(t("home_more", language).format(n=overview.open_total - len(overview.open_intros)))
    blocks += sections(f"*{t('home_outcomes', language)}*")
    lines = [_outcome_line(outcome, language, mention) for outcome in overview.outcomes]
    blocks += sections("\n".join(lines)) if lines else context(t("home_none", language))
    blocks += sections(f"*{t('home_challenges', language)}*")
    lines = [f"• *{escape(c.title)}* <#{c.channel.id}> — {t('digest_interested', language).format(n=len(people))}"
             + (": " + ", ".join(_who(mention, p.user) for p in people) if people else "")
             for c, people in overview.challenges]
    blocks += sections("\n".join(lines)) if lines else context(t("home_none", language))
    blocks += context(t("home_gaps", language).format(n=overview.gaps, days=gap_days))
    return blocks


def digest_messages(digest: Digest, language: str, mention: Mention) -> list[Message]:
    """The weekly digest of a channel: new challenges (with interest) and pushed matches (with intro requests)."""
    channel = f"<#{digest.channel.id}>"
    period = t("digest_period", language).format(since=f"{digest.since:%Y-%m-%d}", until=f"{digest.until:%Y-%m-%d}")
    title = t("digest_title", language).format(channel=f"#{digest.channel.name}" if digest.channel.name else channel)
    blocks = [*header(title), *context(period)]
    if digest.empty:
        blocks += sections(escape(t("digest_empty", language).format(since=f"{digest.since:%Y-%m-%d}")))
    if digest.challenges:
        blocks += [divider(), *header(t("digest_challenges", language))]
        for c in digest.challenges:
            facts = [part for part in (c.timeline, c.budget(), ", ".join(c.cpv)) if part]
            lines = [f"*{escape(c.title)}* — {t('digest_interested', language).format(n=c.interested)}",
                     escape(_short(c.need))]
            if facts:
                lines.append(escape(" · ".join(facts)))
            if c.suppliers:
                lines.append(f"_{t('ch_suggested', language)}: {escape(', '.join(c.suppliers[:5]))}_")
            blocks += sections("\n".join(lines))
    if digest.matches:
        blocks += [divider(), *header(t("digest_matches", language))]
        for m in digest.matches:
            lines = [f"*{escape(_short(m.need, 120))}* — {_who(mention, m.user)}, {m.created_at:%Y-%m-%d}",
                     f"{t('suppliers', language)}: {escape(', '.join(m.suppliers[:5]) or '—')}",
                     f"{t('peers', language)}: {escape(', '.join(m.peers[:5]) or '—')}",
                     f"_{t('digest_intros', language).format(n=m.intros)}_"]
            blocks += sections("\n".join(lines))
    return paginate(blocks, f"{title} ({period})", language)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted view's private metadata."""
    return json.loads(view.get("private_metadata") or "{}")


def notice(text: str) -> Message:
    """A short notice with mrkdwn allowed (mentions, channel links) — our own strings only."""
    return Message(text, sections(text))

