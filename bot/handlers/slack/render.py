"""Render the core's replies as Block Kit messages: answers with linked citations, match cards, help, errors."""

from __future__ import annotations

from pathlib import PurePath

from bot.assistant import Reply
from bot.handlers.slack.blocks import (
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    escape,
    feedback_buttons,
    header,
    link,
    paginate,
    sections,
)
from bot.handlers.slack.generated import generated_blocks, summary
from bot.i18n import t
from bot.intent import Intent
from bot.matching.types import Suggestion
from bot.types import Answer

FOLLOWUP_QUOTE = 80


def understood(reply: Reply) -> list[Block]:
    """The line that says what the bot understood, so a user can correct it."""
    parts = [f"🧭 *{t('understood_' + reply.intent.value, reply.language)}*"]
    if reply.followup_of:
        quoted = reply.followup_of
        if len(quoted) > FOLLOWUP_QUOTE:
            quoted = quoted[:FOLLOWUP_QUOTE] + "…"
        parts.append(t("followup", reply.language).format(previous=escape(quoted)))
    parts.append(t("switch_hint", reply.language))
    return context(" · ".join(parts))


def render_reply(reply: Reply, command: str) -> list[Message]:
    """Every message needed to show a reply (several when it exceeds 50 blocks)."""
    if reply.intent is Intent.HELP:
        return render_help(reply.language, command)
    blocks = understood(reply)
    if reply.problem:
        text = t("problem", reply.language).format(problem=reply.problem)
        return paginate([*blocks, *sections(f"⚠️ {escape(text)}")], text, reply.language)
    if reply.answer is not None:
        blocks += answer_blocks(reply.answer)
        text = _answer_summary(reply.answer)
    elif reply.match is not None:
        blocks += cpv_blocks(reply)
        blocks += suggestion_blocks(reply, "supplier", reply.match.suppliers, "suppliers", "no_suppliers")
        blocks += suggestion_blocks(reply, "peer", reply.match.peers, "peers", "no_peers")
        text = _names(t("suppliers", reply.language), reply.match.suppliers)
    else:
        blocks += suggestion_blocks(reply, "peer", reply.peers, "peers", "no_peers")
        text = _names(t("peers", reply.language), reply.peers)
    if reply.turn_id is not None:
        blocks.append(feedback_buttons(reply.turn_id, reply.language))
    return paginate(blocks, text, reply.language)


def answer_blocks(answer: Answer) -> list[Block]:
    """The answer, then each cited provision as a quote with a linked context block, then the disclaimer."""
    if answer.generated and not answer.abstained:
        return generated_blocks(answer)
    told = context(*(f"⚠️ {escape(note)}" for note in answer.notes)) if answer.notes else []  # e.g. model down
    if answer.abstained or not answer.citations:
        return [*told, *sections(escape(answer.answer)), *context(escape(answer.disclaimer))]
    blocks = [*told, *sections(escape(t("intro", answer.language)))]
    for citation in answer.citations:
        quote = "\n".join(f"> {line}" for line in escape(citation.text).splitlines() if line.strip())
        title = f" — {escape(citation.title)}" if citation.title and citation.title != citation.label else ""
        in_short = t("in_short", answer.language)
        summary = f"\n_{escape(in_short)}: {escape(citation.summary)}_" if citation.summary else ""
        blocks += sections(f"*[{citation.n}] {escape(citation.label)}*{title}\n{quote}{summary}")
        source = PurePath(citation.source).name if citation.source else ""
        cited = link(citation.url, citation.label) if citation.url else escape(citation.label)
        blocks += context(f"📎 {cited}" + (f" · {escape(source)}" if source else ""))
    blocks += context(escape(answer.disclaimer))
    return blocks


def cpv_blocks(reply: Reply) -> list[Block]:
    """The CPV codes the matcher inferred for the need."""
    if reply.match is None or not reply.match.cpv:
        return []
    codes = ", ".join(f"`{c.code}` {escape(c.label)}" for c in reply.match.cpv)
    return context(f"*{t('cpv', reply.language)}:* {codes}")


def suggestion_blocks(reply: Reply, kind: str, suggestions: list[Suggestion], title: str, empty: str) -> list[Block]:
    """A header and one card per supplier or peer: name, country, score, reasons, intro/not-relevant buttons."""
    language = reply.language
    blocks = [divider(), *header(t(title, language))]
    if not suggestions:
        return blocks + context(t(empty, language))
    for rank, suggestion in enumerate(suggestions, start=1):
        facts = [f"*{rank}. {escape(suggestion.name)}*"]
        if suggestion.country:
            facts.append(escape(suggestion.country))
        facts.append(t("score", language).format(score=f"{suggestion.score:.2f}"))
        reasons = "\n".join(f"• {escape(reason)}" for reason in suggestion.reasons)
        blocks += sections("  ·  ".join(facts) + (f"\n{reasons}" if reasons else ""))
        if reply.turn_id is not None:
            value = f"{reply.turn_id}|{kind}|{suggestion.id}"
            blocks.append(actions(button(t("intro_button", language), "intro_request", value, "primary"),
                                  button(t("dismiss_button", language), "not_relevant", value)))
    return blocks


def render_help(language: str, command: str) -> list[Message]:
    """What the bot can do and how to ask for it."""
    lines = [
        f"• `{command} ask …` — {t('help_ask', language)}",
        f"• `{command} match …` — {t('help_match', language)}",
        f"• `{command} peers …` — {t('help_peers', language)}",
        f"• `{command} profile` — {t('help_profile', language)}",
        f"• `{command} challenge` — {t('help_challenge', language)}",
        f"• `{command} push #channel …` — {t('help_push', language)}",
    ]
    blocks = [*sections(escape(t("help_intro", language))), *sections("\n".join(lines)),
              *context(t("help_mention", language))]
    return [Message(t("help_intro", language), blocks)]


def render_error(language: str, reference: str) -> Message:
    """The message a user sees when something failed: never silence."""
    text = t("error", language).format(ref=reference)
    return Message(text, sections(f"⚠️ {escape(text)}"))


def render_notice(text: str) -> Message:
    """A short plain notice."""
    return Message(text, sections(escape(text)))


def _answer_summary(answer: Answer) -> str:
    if answer.generated and not answer.abstained:
        return summary(answer)
    if answer.abstained or not answer.citations:
        return answer.answer
    return f"{t('intro', answer.language)} " + ", ".join(c.label for c in answer.citations)


def _names(title: str, suggestions: list[Suggestion]) -> str:
    return f"{title}: " + ", ".join(s.name for s in suggestions[:5]) if suggestions else title
