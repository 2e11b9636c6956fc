"""Render the core's replies as Adaptive Cards (answers with linked provisions, match cards, help; large replies
are spread over several cards rather than cut) and put cards into a conversation."""

from __future__ import annotations

import logging
import uuid
from pathlib import PurePath

from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_agents.hosting.core import TurnContext

from bot.assistant import Reply
from bot.handlers.teams.cards import (
    CARD_BYTES,
    CARD_TYPE,
    CardMessage,
    Element,
    card,
    coded,
    error_message,
    execute,
    feedback_actions,
    heading,
    help_message,
    rich,
    run,
    size_of,
    split_text,
)
from bot.i18n import t
from bot.intent import Intent
from bot.knowledge.sentences import render_citations, strip_citations
from bot.matching.types import Suggestion
from bot.types import Answer, Citation

log = logging.getLogger(__name__)
FOLLOWUP_QUOTE = 80
SOURCE_QUOTE = 300
_MARK = "\x00"
Group = list[Element]  # elements that stay on one card


def understood(reply: Reply) -> Element:
    """The line that says what the bot understood, so a user can correct it."""
    runs = [run(f"🧭 {t('understood_' + reply.intent.value, reply.language)}", bold=True, subtle=True)]
    if reply.followup_of:
        quoted = reply.followup_of
        quoted = quoted[:FOLLOWUP_QUOTE] + "…" if len(quoted) > FOLLOWUP_QUOTE else quoted
        runs.append(run(" · " + t("followup", reply.language).format(previous=quoted), subtle=True))
    runs += [run(" · ", subtle=True), *coded(t("switch_hint", reply.language), subtle=True)]
    return rich(runs)


def render_reply(reply: Reply) -> list[CardMessage]:
    """Every message needed to show a reply."""
    language = reply.language
    if reply.intent is Intent.HELP:
        return [help_message(language)]
    groups: list[Group] = [[understood(reply)]]
    if reply.problem:
        summary = t("problem", language).format(problem=reply.problem)
        groups.append([rich(run(f"⚠️ {summary}", bold=True))])
    elif reply.answer is not None:
        groups += answer_groups(reply.answer)
        summary = answer_summary(reply.answer)
    elif reply.match is not None:
        if reply.match.cpv:
            codes = ", ".join(f"{c.code} {c.label}" for c in reply.match.cpv)
            groups.append([rich(run(f"{t('cpv', language)}: ", bold=True), run(codes))])
        groups += suggestion_groups(reply, "supplier", reply.match.suppliers, "suppliers", "no_suppliers")
        groups += suggestion_groups(reply, "peer", reply.match.peers, "peers", "no_peers")
        summary = _names(t("suppliers", language), reply.match.suppliers)
    else:
        groups += suggestion_groups(reply, "peer", reply.peers, "peers", "no_peers")
        summary = _names(t("peers", language), reply.peers)
    actions = feedback_actions(reply.turn_id, language) if reply.turn_id is not None and not reply.problem else None
    return paginate(groups, summary, language, actions)


def tail_messages(reply: Reply) -> list[CardMessage]:
    """What follows a streamed answer: what was understood, the sources, notes, disclaimer and 👍/👎."""
    assert reply.answer is not None
    groups = [[understood(reply)], *source_groups(reply.answer), notes_group(reply.answer)]
    actions = feedback_actions(reply.turn_id, reply.language) if reply.turn_id is not None else None
    return paginate(groups, answer_summary(reply.answer), reply.language, actions)


def answer_groups(answer: Answer) -> list[Group]:
    """The answer, each cited provision as a quote with a link to its source, then the disclaimer."""
    if answer.generated and not answer.abstained:
        return [[rich(linked_runs(answer.body, answer.citations))], *source_groups(answer), notes_group(answer)]
    told: list[Group] = [[rich(run(f"⚠️ {note}", subtle=True)) for note in answer.notes]] if answer.notes else []
    if answer.abstained or not answer.citations:  # ``told``: why the quoted answer, e.g. the model is down
        return [*told, [rich(run(answer.answer))], [rich(run(answer.disclaimer, subtle=True, italic=True))]]
    groups: list[Group] = [*told, [rich(run(t("intro", answer.language)))]]
    for citation in answer.citations:
        title = f" — {citation.title}" if citation.title and citation.title != citation.label else ""
        pieces = split_text(citation.text) or [""]
        quotes: list[Group] = [[{"type": "Container", "style": "emphasis", "items": [rich(run(piece))]}]
                               for piece in pieces]
        quotes[0].insert(0, rich(run(f"[{citation.n}] {citation.label}", bold=True), run(title), separator=True))
        if citation.summary:
            quotes[-1].append(rich(run(f"{t('in_short', answer.language)}: {citation.summary}", subtle=True)))
        source = PurePath(citation.source).name if citation.source else ""
        cited = run(citation.label, url=citation.url) if citation.url else run(citation.label)
        quotes[-1].append(rich(run("📎 "), cited, run(f" · {source}" if source else "", subtle=True)))
        groups += quotes
    groups.append([rich(run(answer.disclaimer, subtle=True, italic=True), separator=True)])
    return groups


def linked_runs(text: str, citations: list[Citation]) -> list[Element]:
    """A generated answer's text as runs, each ``[n]`` marker a link to its provision (plain without a URL)."""
    urls = {c.n: c.url for c in citations if c.url}
    parts = render_citations(text, {n: f"{_MARK}{n}{_MARK}" for n in urls}).split(_MARK)
    return [run(f"[{part}]", url=urls[int(part)]) if i % 2 else run(part) for i, part in enumerate(parts) if part]


def source_groups(answer: Answer) -> list[Group]:
    """The provisions a generated answer cites: number, linked label, title, file, and a short quote."""
    if not answer.citations:
        return []
    groups: list[Group] = [[heading(t("sources", answer.language))]]
    for c in answer.citations:
        title = f" — {c.title}" if c.title and c.title != c.label else ""
        source = f" · {PurePath(c.source).name}" if c.source else ""
        flat = " ".join(c.text.split())
        quote = flat if len(flat) <= SOURCE_QUOTE else flat[: SOURCE_QUOTE - 1] + "…"
        groups.append([rich(run(f"[{c.n}] ", bold=True), run(c.label, bold=True, url=c.url), run(title),
                            run(source, subtle=True)), rich(run(quote, italic=True, subtle=True))])
    return groups


def notes_group(answer: Answer) -> Group:
    """Repair and coverage notes, then the not-legal-advice disclaimer."""
    notes = [rich(run(note, subtle=True)) for note in answer.notes]
    return [*notes, rich(run(answer.disclaimer, subtle=True, italic=True), separator=True)]


def suggestion_groups(reply: Reply, kind: str, suggestions: list[Suggestion], title: str, empty: str
                      ) -> list[Group]:
    """A heading and one block per supplier or peer: name, country, score, reasons, intro/not-relevant buttons."""
    language = reply.language
    if not suggestions:
        return [[heading(t(title, language)), rich(run(t(empty, language), subtle=True))]]
    groups: list[Group] = []
    for rank, suggestion in enumerate(suggestions, start=1):
        facts = [run(f"{rank}. {suggestion.name}", bold=True)]
        if suggestion.country:
            facts.append(run(f" · {suggestion.country}"))
        facts.append(run(" · " + t("score", language).format(score=f"{suggestion.score:.2f}"), subtle=True))
        group: Group = [rich(facts, separator=True), *[rich(run(f"• {reason}")) for reason in suggestion.reasons]]
        if reply.turn_id is not None:
            data = {"turn": reply.turn_id, "kind": kind, "org": suggestion.id}
            group.append({"type": "ActionSet", "actions": [
                execute(t("intro_button", language), "intro_request", data, "positive"),
                execute(t("dismiss_button", language), "not_relevant", data),
            ]})
        groups.append(group)
    groups[0].insert(0, heading(t(title, language)))
    return groups


def paginate(groups: list[Group], summary: str, language: str, actions: list[Element] | None
             ) -> list[CardMessage]:
    """Pack groups into cards under Teams' message size; later cards say "continued (2/3)"; buttons go last."""
    pages: list[list[Element]] = [[]]
    used = 0
    for group in groups:
        weight = size_of(group)
        if pages[-1] and used + weight > CARD_BYTES:
            pages.append([])
            used = 0
        pages[-1].extend(group)
        used += weight
    total = len(pages)
    messages = []
    for number, body in enumerate(pages, start=1):
        if number > 1:
            body.insert(0, rich(run(t("continued", language).format(page=number, pages=total), subtle=True)))
        messages.append(CardMessage(summary, card(body, actions if number == total else None)))
    return messages


def answer_summary(answer: Answer) -> str:
    """One line for notifications and the streamed text: the cited provisions, or the abstention."""
    if answer.generated and not answer.abstained:
        return strip_citations(answer.body)
    if answer.abstained or not answer.citations:
        return answer.answer
    return f"{t('intro', answer.language)} " + ", ".join(c.label for c in answer.citations)


def _names(title: str, suggestions: list[Suggestion]) -> str:
    return f"{title}: " + ", ".join(s.name for s in suggestions[:5]) if suggestions else title


def message_activity(message: CardMessage) -> Activity:
    """A message activity carrying one card; the summary shows in notifications."""
    return Activity(type=ActivityTypes.message, summary=message.summary,
                    attachments=[Attachment(content_type=CARD_TYPE, content=message.card)])


async def send_all(context: TurnContext, messages: list[CardMessage]) -> None:
    """Post messages in order in the turn's conversation (a channel thread stays in its thread)."""
    for message in messages:
        await context.send_activity(message_activity(message))


def failure(language: str, error: BaseException) -> CardMessage:
    """Log an error under a short reference and return the message that tells the user about it."""
    reference = uuid.uuid4().hex[:8]
    log.error("request failed (ref %s)", reference, exc_info=error)
    return error_message(language, reference)
