"""The terminal chat: a thin loop that turns typed lines into requests for the core assistant."""

from __future__ import annotations

import asyncio
import getpass
from typing import TYPE_CHECKING, TextIO

from bot.conversations import Place
from bot.i18n import t
from bot.intent import Intent
from bot.matching.types import Suggestion

if TYPE_CHECKING:
    from bot.assistant import Assistant, Reply

_EXIT = {"exit", "quit", ":q", "bye"}
_UNDERSTOOD = {Intent.ASK: "understood_ask", Intent.MATCH: "understood_match", Intent.PEERS: "understood_peers"}


async def chat_loop(assistant: Assistant, stdin: TextIO, stdout: TextIO, user: str | None = None) -> int:
    """Read messages until EOF or 'exit'; print answers with sources, or match suggestions with reasons."""
    interactive = stdin.isatty()
    place = Place("console", "local", "terminal", "", user or getpass.getuser())
    stdout.write(t("chat_welcome", "en") + "\n")
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in _EXIT:
            break
        from bot.assistant import Request

        reply = await assistant.reply(Request(text, place))
        stdout.write(render_reply(reply) + "\n")
        stdout.flush()
    return 0


def render_reply(reply: Reply) -> str:
    """A reply as plain text: what was understood, then the answer or the suggestions."""
    if reply.intent is Intent.HELP:
        return t("chat_help", reply.language)
    understood = t(_UNDERSTOOD[reply.intent], reply.language)
    if reply.followup_of:
        understood += ", " + t("followup", reply.language).format(previous=reply.followup_of)
    lines = [f"({understood})"]
    if reply.problem:
        return "\n".join([*lines, reply.problem])
    if reply.answer is not None:
        lines += [*(reply.answer.notes if reply.answer.fallback_reason else ()), reply.answer.answer]
        lines += [f"  [{c.n}] {c.url}" for c in reply.answer.citations if c.url]
        return "\n".join(lines)
    if reply.match is not None:
        codes = "; ".join(f"{c.code} {c.label}" for c in reply.match.cpv) or "–"
        lines.append(f"{t('cpv', reply.language)}: {codes}")
        lines += _suggestions(t("suppliers", reply.language), reply.match.suppliers, t("no_suppliers", reply.language))
        lines += _suggestions(t("peers", reply.language), reply.match.peers, t("no_peers", reply.language))
        return "\n".join(lines)
    lines += _suggestions(t("peers", reply.language), reply.peers, t("no_peers", reply.language))
    return "\n".join(lines)


def _suggestions(title: str, items: list[Suggestion], empty: str) -> list[str]:
    lines = ["", f"{title}:"]
    if not items:
        return [*lines, f"  {empty}"]
    for n, item in enumerate(items, start=1):
        country = f" ({item.country})" if getattr(item, "country", None) else ""
        lines.append(f"{n:2}. {item.name}{country}")
        lines += [f"      – {reason}" for reason in item.reasons]
    return lines
