"""Adaptive Cards of the broker workflows: push and challenge cards, intro notices, member peers, the broker
overview and the channel digest (the forms are in ``broker_forms``). Pure functions of the core's neutral results;
people are named through ``mention`` (display names, e-mail addresses)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.assistant import Reply
from bot.handlers.teams.cards import (
    CardMessage,
    Element,
    card,
    execute,
    feedback_actions,
    heading,
    rich,
    run,
)
from bot.handlers.teams.render import Group, paginate, suggestion_groups, understood
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
PREVIEW = 160
_MARK = re.compile(r"(\*[^*\n]+\*|`[^`\n]*`)")


def short(text: str, limit: int = PREVIEW) -> str:
    """One line of at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def styled(template: str, subtle: bool = False, **fields: Any) -> list[Element]:
    """Runs of one of our strings, its ``*bold*`` and backtick marks shown as Teams does; the fields (user text)
    are filled in after the marks are read, so they always stay literal."""
    runs = []
    for part in _MARK.split(template):
        bold = len(part) > 1 and part[0] == part[-1] == "*"
        code = len(part) > 1 and part[0] == part[-1] == "`"
        value = part[1:-1] if bold or code else part
        if value:
            runs.append(run(value.format(**fields) if fields else value, bold=bold, code=code, subtle=subtle))
    return runs


def who(mention: Mention, user: str) -> str:
    """A person as shown in a card."""
    return mention(user) or user


def cpv_group(reply: Reply) -> list[Group]:
    """The likely CPV codes of a match, as the chat's match cards show them."""
    if reply.match is None or not reply.match.cpv:
        return []
    codes = ", ".join(f"{c.code} {c.label}" for c in reply.match.cpv)
    return [[rich(run(f"{t('cpv', reply.language)}: ", bold=True), run(codes))]]


def push_card(plan: PushPlan, mention: Mention) -> list[CardMessage]:
    """The match card a broker pushes into a channel: the need, who pushed it, CPV codes, suppliers and peers."""
    reply, language = plan.reply, plan.reply.language
    assert reply.match is not None
    by = t("push_by", language).format(who=who(mention, plan.actor.user), date=f"{plan.created_at:%Y-%m-%d}")
    groups: list[Group] = [[heading(t("push_title", language)), rich(run(reply.text, bold=True)),
                            rich(run(by, subtle=True))], *cpv_group(reply),
                           *suggestion_groups(reply, "supplier", reply.match.suppliers, "suppliers", "no_suppliers"),
                           *suggestion_groups(reply, "peer", reply.match.peers, "peers", "no_peers"),
                           [rich(styled(t("push_hint", language), subtle=True), separator=True)]]
    return paginate(groups, f"{t('push_title', language)}: {short(reply.text)}", language, None)


def challenge_card(plan: ChallengePlan, mention: Mention, organisation: str | None) -> list[CardMessage]:
    """A published challenge: need, timeline, budget, CPV codes, Interested / Who is interested?, and suppliers."""
    challenge, reply = plan.challenge, plan.reply
    language = challenge.language
    by = t("ch_by", language).format(who=who(mention, challenge.user))
    if organisation:
        by += " " + t("ch_for", language).format(org=organisation)
    facts = [(t("ch_timeline", language), challenge.timeline), (t("ch_budget", language), challenge.budget()),
             ("CPV", ", ".join(challenge.cpv))]
    title = t("ch_header", language).format(title=challenge.title)
    data = {"challenge": challenge.id}
    head: Group = [heading(title), rich(run(by, subtle=True)), rich(run(challenge.need))]
    if any(value for _, value in facts):
        head.append({"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in facts if value]})
    head.append({"type": "ActionSet", "actions": [
        execute(t("ch_interested_button", language), "challenge_interest", data, "positive"),
        execute(t("ch_who_button", language), "challenge_who", data)]})
    assert reply.match is not None
    groups = [head, *suggestion_groups(reply, "supplier", reply.match.suppliers, "ch_suggested", "no_suppliers")]
    return paginate(groups, title, language, None)


def intro_actions(outcome: Outcome) -> list[Element]:
    """"Mark introduced" and "Decline" for an open intro request."""
    language = outcome.language
    return [execute(t("intro_introduced_button", language), "intro_status",
                    {"intro": outcome.id, "status": "introduced"}, "positive"),
            execute(t("intro_declined_button", language), "intro_status", {"intro": outcome.id, "status": "declined"})]


def intro_notice(outcome: Outcome, mention: Mention, channel: str | None) -> CardMessage:
    """What a broker gets for an intro request, with buttons to record the follow-up."""
    language = outcome.language
    text = t("intro_notice", language).format(user=who(mention, outcome.user), name=outcome.name, need=outcome.need)
    date = f"{outcome.created_at:%Y-%m-%d %H:%M}"
    where = t("intro_where", language).format(channel=channel, date=date) if channel else date
    return CardMessage(text, card([rich(run(f"🤝 {text}")), rich(run(where, subtle=True))], intro_actions(outcome)))


def member_groups(language: str, members: list[MemberPeer], mention: Mention) -> list[Group]:
    """Members whose profile lists similar needs; a contact only where they consented."""
    title = heading(t("members_title", language))
    if not members:
        return [[title, rich(run(t("no_members", language), subtle=True))]]
    groups: list[Group] = []
    for peer in members:
        name = peer.organisation_label or peer.organisation or "—"
        contact = (t("member_contact", language).format(who=who(mention, peer.contact)) if peer.contact
                   else t("member_no_contact", language))
        group: Group = [rich(run(name, bold=True), run(f"  ·  {contact}"), separator=True)]
        if peer.needs:
            group.append(rich(run(f"• {t('member_needs', language)}: {short(peer.needs)}")))
        if peer.interests:
            group.append(rich(run(f"• {t('member_interests', language)}: {short(peer.interests)}")))
        if peer.matched:
            group.append(rich(run(f"{t('member_matched', language)}: {', '.join(peer.matched[:6])}", italic=True,
                                  subtle=True)))
        groups.append(group)
    groups[0].insert(0, title)
    return groups


def peers_messages(reply: Reply, members: list[MemberPeer], mention: Mention) -> list[CardMessage]:
    """A peer search: what was understood, directory peers with intro buttons, then members with similar needs."""
    groups = [[understood(reply)], *suggestion_groups(reply, "peer", reply.peers, "peers", "no_peers"),
              *member_groups(reply.language, members, mention)]
    summary = f"{t('peers', reply.language)}: " + ", ".join(s.name for s in reply.peers[:5])
    actions = feedback_actions(reply.turn_id, reply.language) if reply.turn_id is not None else None
    return paginate(groups, summary, reply.language, actions)


def interest_text(language: str, title: str, people: list[Interest], mention: Mention) -> str:
    """Who registered interest in a challenge, for its author and the brokers."""
    if not people:
        return t("ch_interest_none", language).format(title=title)
    named = ", ".join(who(mention, p.user) + (f" ({p.organisation})" if p.organisation else "") for p in people)
    return t("ch_interest_list", language).format(title=title, people=named)


def _outcome_line(outcome: Outcome, language: str, mention: Mention) -> list[Element]:
    line = styled(t("home_intro_line", language), user=who(mention, outcome.user), name=outcome.name,
                  need=short(outcome.need, 80))
    if outcome.verdict == "intro":
        state = t(f"status_{outcome.status or 'open'}", language)
        by = f" ({who(mention, outcome.handled_by)})" if outcome.handled_by else ""
        return [run("✅ " if outcome.status == "introduced" else "✖️ "), *line, run(f" — {state}{by}")]
    reason = t(f"dismiss_{outcome.reason}", language) if outcome.reason in DISMISS_REASONS else outcome.reason
    why = ": ".join(part for part in (reason, outcome.comment) if part)
    return [run("🚫 "), *line, run(f" — {t('outcome_dismissed', language)}" + (f" ({why})" if why else ""))]


def overview_card(overview: BrokerOverview, language: str, mention: Mention, gap_days: int,
                  channels: dict[str, str]) -> list[CardMessage]:
    """The broker overview: open intro requests with buttons, recent outcomes, challenges, knowledge gaps."""
    groups: list[Group] = [[heading(t("home_broker", language)),
                            rich(run(t("home_open_intros", language).format(n=overview.open_total), bold=True))]]
    if not overview.open_intros:
        groups[0].append(rich(run(t("home_none", language), subtle=True)))
    for intro in overview.open_intros:
        where = ", ".join(part for part in (f"{intro.created_at:%Y-%m-%d}", channels.get(intro.channel)) if part)
        line = styled(t("home_intro_line", language), user=who(mention, intro.user), name=intro.name,
                      need=short(intro.need, 80))
        groups.append([rich(*line, run(f"  ({where})", subtle=True), separator=True),
                       {"type": "ActionSet", "actions": intro_actions(intro)}])
    if overview.open_total > len(overview.open_intros):
        more = t("home_more", language).format(n=overview.open_total - len(overview.open_intros))
        groups.append([rich(styled(more, subtle=True))])
    lines = [rich(_outcome_line(outcome, language, mention)) for outcome in overview.outcomes]
    groups.append([heading(t("home_outcomes", language)),
                   *(lines or [rich(run(t("home_none", language), subtle=True))])])
    rows = [rich(run("• "), run(c.title, bold=True), run(f" {channels.get(c.channel.id) or c.channel.label} — "),
                 run(t("digest_interested", language).format(n=len(people))
                     + (": " + ", ".join(who(mention, p.user) for p in people) if people else "")))
            for c, people in overview.challenges]
    groups.append([heading(t("home_challenges", language)),
                   *(rows or [rich(run(t("home_none", language), subtle=True))])])
    groups.append([rich(styled(t("home_gaps", language).format(n=overview.gaps, days=gap_days), subtle=True),
                        separator=True)])
    return paginate(groups, t("home_open_intros", language).format(n=overview.open_total), language, None)


def digest_cards(digest: Digest, language: str, mention: Mention) -> list[CardMessage]:
    """The weekly digest of a channel: new challenges (with interest) and pushed matches (with intro requests)."""
    period = t("digest_period", language).format(since=f"{digest.since:%Y-%m-%d}", until=f"{digest.until:%Y-%m-%d}")
    title = t("digest_title", language).format(channel=digest.channel.name or digest.channel.id)
    groups: list[Group] = [[heading(title), rich(run(period, subtle=True))]]
    if digest.empty:
        groups[0].append(rich(run(t("digest_empty", language).format(since=f"{digest.since:%Y-%m-%d}"))))
    if digest.challenges:
        groups.append([heading(t("digest_challenges", language))])
        for c in digest.challenges:
            facts = " · ".join(part for part in (c.timeline, c.budget(), ", ".join(c.cpv)) if part)
            group: Group = [rich(run(c.title, bold=True),
                                 run(f" — {t('digest_interested', language).format(n=c.interested)}"),
                                 separator=True), rich(run(short(c.need)))]
            if facts:
                group.append(rich(run(facts, subtle=True)))
            if c.suppliers:
                group.append(rich(run(f"{t('ch_suggested', language)}: {', '.join(c.suppliers[:5])}", italic=True)))
            groups.append(group)
    if digest.matches:
        groups.append([heading(t("digest_matches", language))])
        for m in digest.matches:
            groups.append([
                rich(run(short(m.need, 120), bold=True), run(f" — {who(mention, m.user)}, {m.created_at:%Y-%m-%d}"),
                     separator=True),
                rich(run(f"{t('suppliers', language)}: {', '.join(m.suppliers[:5]) or '—'}")),
                rich(run(f"{t('peers', language)}: {', '.join(m.peers[:5]) or '—'}")),
                rich(run(t("digest_intros", language).format(n=m.intros), italic=True, subtle=True))])
    return paginate(groups, f"{title} ({period})", language, None)
